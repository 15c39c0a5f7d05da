/**
 * Stripe's search query language (https://docs.stripe.com/search#search-query-language):
 * clauses `field:value`, joined by spaces or `AND`, or by `OR` (never both), each negated
 * by a leading `-`; `metadata['key']:'value'`; `~` for substrings of string fields (at
 * least 3 characters); `>`, `<`, `>=`, `<=` and `:` on numeric fields; `null` for a
 * missing value; at most 10 clauses. Values are quoted with ' or " (backslash escapes).
 */
import { invalidRequest, type StripeApiError } from './errors.js';
import { compareEntries, type SortEntry } from './Table.js';

export type FieldKind = 'numeric' | 'string' | 'token';
export type Operator = ':' | '~' | '>' | '<' | '>=' | '<=';

export interface Clause {
  negated: boolean;
  /** The field, or `metadata` with `metadataKey` set. */
  field: string;
  metadataKey: string | null;
  operator: Operator;
  /** The value as written; null for the `null` literal. */
  value: string | null;
}

export interface SearchQuery {
  joiner: 'AND' | 'OR';
  clauses: Clause[];
}

const MAX_CLAUSES = 10;

function queryError(message: string): StripeApiError {
  return invalidRequest(message, { param: 'query' });
}

class Cursor {
  pos = 0;
  constructor(readonly text: string) {}
  get done(): boolean {
    return this.pos >= this.text.length;
  }
  peek(): string {
    return this.text[this.pos] ?? '';
  }
  skipSpace(): boolean {
    const start = this.pos;
    while (/\s/.test(this.peek()) && !this.done) this.pos++;
    return this.pos > start;
  }
}

function readQuoted(c: Cursor): string {
  const quote = c.peek();
  c.pos++;
  let out = '';
  while (!c.done && c.peek() !== quote) {
    if (c.peek() === '\\' && c.pos + 1 < c.text.length) c.pos++;
    out += c.peek();
    c.pos++;
  }
  if (c.done) throw queryError(`Unterminated string at position ${c.pos} in the search query.`);
  c.pos++;
  return out;
}

function readClause(c: Cursor, fields: Readonly<Record<string, FieldKind>>, resource: string): Clause {
  const negated = c.peek() === '-';
  if (negated) c.pos++;
  const name = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(c.text.slice(c.pos))?.[0];
  if (!name) throw queryError(`Expected a field name at position ${c.pos} in the search query.`);
  c.pos += name.length;
  let metadataKey: string | null = null;
  if (name === 'metadata') {
    if (c.peek() !== '[') throw queryError("Search on metadata needs a key, as in metadata['key']:'value'.");
    c.pos++;
    if (c.peek() !== "'" && c.peek() !== '"') throw queryError("The metadata key must be quoted, as in metadata['key']:'value'.");
    metadataKey = readQuoted(c);
    if (c.peek() !== ']') throw queryError("Expected ] after the metadata key, as in metadata['key']:'value'.");
    c.pos++;
  } else if (!(name in fields)) {
    throw queryError(
      `Field '${name}' is an unsupported search field for resource ${resource}. Supported fields: ${[...Object.keys(fields), 'metadata'].sort().join(', ')}.`,
    );
  }
  const operator = /^(>=|<=|:|~|>|<)/.exec(c.text.slice(c.pos))?.[0] as Operator | undefined;
  if (!operator) throw queryError(`Expected an operator (: ~ > < >= <=) after '${name}' in the search query.`);
  c.pos += operator.length;
  let value: string | null;
  if (c.peek() === "'" || c.peek() === '"') {
    value = readQuoted(c);
  } else {
    const bare = /^[^\s'"]+/.exec(c.text.slice(c.pos))?.[0];
    if (!bare) throw queryError(`Expected a value after '${name}${operator}' in the search query.`);
    c.pos += bare.length;
    value = bare === 'null' ? null : bare;
  }
  const clause: Clause = { negated, field: name, metadataKey, operator, value };
  checkClause(clause, metadataKey === null ? fields[name]! : 'string');
  return clause;
}

function checkClause(clause: Clause, kind: FieldKind): void {
  const label = clause.metadataKey === null ? clause.field : `metadata['${clause.metadataKey}']`;
  if (clause.value === null) {
    if (clause.operator !== ':') throw queryError(`null can only be matched with ':' (${label}).`);
    return;
  }
  if (clause.operator === '~') {
    if (kind !== 'string') throw queryError(`Field '${label}' does not support substring matching (~).`);
    if (clause.value.length < 3) throw queryError(`Substring matching (~) needs a value of at least 3 characters (${label}).`);
  }
  if (kind === 'numeric' && !/^-?\d+$/.test(clause.value)) throw queryError(`Field '${label}' expects a whole number, got '${clause.value}'.`);
  if (kind !== 'numeric' && clause.operator !== ':' && clause.operator !== '~') {
    throw queryError(`Field '${label}' does not support numeric comparisons (${clause.operator}).`);
  }
}

/** Parses `query` for a resource whose searchable fields (besides metadata) are `fields`. */
export function parseSearchQuery(query: string, fields: Readonly<Record<string, FieldKind>>, resource: string): SearchQuery {
  const c = new Cursor(query);
  const clauses: Clause[] = [];
  let joiner: 'AND' | 'OR' | null = null;
  c.skipSpace();
  while (!c.done) {
    clauses.push(readClause(c, fields, resource));
    const spaced = c.skipSpace();
    if (c.done) break;
    const word = /^(AND|OR)(?=\s)/i.exec(c.text.slice(c.pos))?.[0];
    if (word) {
      const next = word.toUpperCase() as 'AND' | 'OR';
      if (joiner !== null && joiner !== next) throw queryError('A search query cannot combine AND and OR.');
      joiner = next;
      c.pos += word.length;
      c.skipSpace();
      if (c.done) throw queryError(`Expected a clause after ${next} in the search query.`);
    } else if (!spaced) {
      throw queryError(`Unexpected '${c.peek()}' at position ${c.pos} in the search query.`);
    } else if (joiner === 'OR') {
      // A space means AND, so it cannot follow an OR either.
      throw queryError('A search query cannot combine AND and OR.');
    } else {
      joiner = 'AND';
    }
  }
  if (clauses.length === 0) throw queryError('The search query is empty.');
  if (clauses.length > MAX_CLAUSES) throw queryError(`A search query can have at most ${MAX_CLAUSES} clauses.`);
  return { joiner: joiner ?? 'AND', clauses };
}

/** Reads a field of a record: a number, a string, or null/undefined when it has none. */
export type FieldReader = (field: string, metadataKey: string | null) => string | number | null | undefined;

function clauseHolds(clause: Clause, read: FieldReader, kind: FieldKind): boolean {
  const actual = read(clause.field, clause.metadataKey);
  if (clause.value === null) return actual === null || actual === undefined || actual === '';
  if (actual === null || actual === undefined) return false;
  if (kind === 'numeric') {
    const a = Number(actual);
    const v = Number(clause.value);
    switch (clause.operator) {
      case '>':
        return a > v;
      case '<':
        return a < v;
      case '>=':
        return a >= v;
      case '<=':
        return a <= v;
      default:
        return a === v;
    }
  }
  const text = String(actual);
  if (clause.operator === '~') return text.toLowerCase().includes(clause.value.toLowerCase());
  // Free-text fields (email, name) match without regard to case; ids, statuses and metadata exactly.
  return kind === 'string' && clause.metadataKey === null ? text.toLowerCase() === clause.value.toLowerCase() : text === clause.value;
}

export function matchesQuery(query: SearchQuery, read: FieldReader, fields: Readonly<Record<string, FieldKind>>): boolean {
  const test = (clause: Clause): boolean => {
    const kind = clause.metadataKey === null ? fields[clause.field]! : 'string';
    return clauseHolds(clause, read, kind) !== clause.negated;
  };
  return query.joiner === 'AND' ? query.clauses.every(test) : query.clauses.some(test);
}

/**
 * The entries a query can only match among, found through indexes: for AND, those of one
 * indexed positive `:` clause; for OR, the union when every clause is one. `lookup` gives
 * an index's entries for a clause, or null when the clause's field has no index. Null
 * means: scan everything.
 */
export function candidatesFromIndexes(query: SearchQuery, lookup: (clause: Clause) => readonly SortEntry[] | null): readonly SortEntry[] | null {
  const usable = (clause: Clause): readonly SortEntry[] | null => (!clause.negated && clause.operator === ':' && clause.value !== null ? lookup(clause) : null);
  if (query.joiner === 'AND') {
    for (const clause of query.clauses) {
      const entries = usable(clause);
      if (entries) return entries;
    }
    return null;
  }
  const union = new Map<string, SortEntry>();
  for (const clause of query.clauses) {
    const entries = usable(clause);
    if (!entries) return null;
    for (const entry of entries) union.set(entry.id, entry);
  }
  return [...union.values()].sort(compareEntries);
}
