/**
 * Evaluating a parsed domain against records, with Odoo's SQL semantics for empty
 * values (`!=`, `not in` and `not ilike` match empty fields; `<`, `like` and friends
 * do not), and an index plan: a term on `id` or on an indexed field narrows the
 * candidates to a map lookup, `&` intersects, `|` unites, and only what is left is
 * tested term by term.
 */
import { XmlRpcDouble, numberOf, type XmlRpcValue } from '../../../../lib/xmlrpc/values.js';
import { pythonError } from './exceptions.js';
import { formatDatetime, fromMinor, isRelational, isToMany, type FieldDef, type RecordDoc, type Stored } from './fields.js';
import { mentionsField, parseDomain, type DomainNode, type Leaf } from './domainSyntax.js';
import { pyRepr, pyTuple } from './pyRepr.js';
import type { ModelStore, Registry } from './Registry.js';

interface Compiled {
  test(doc: RecordDoc): boolean;
  /** The ids that can match, when an index knows them; null when any record might. */
  candidates(): ReadonlySet<number> | null;
}

const ALWAYS: Compiled = { test: () => true, candidates: () => null };
const NEVER: Compiled = { test: () => false, candidates: () => new Set() };
const NEGATIVE = new Set(['!=', 'not in', 'not like', 'not ilike', 'not any']);
const POSITIVE_OF: Readonly<Record<string, string>> = { '!=': '=', 'not in': 'in', 'not like': 'like', 'not ilike': 'ilike', 'not any': 'any' };

function likeRegex(pattern: string, caseInsensitive: boolean, anchoredByUser: boolean): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\' && i + 1 < pattern.length) source += pattern[++i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (ch === '%') source += '.*';
    else if (ch === '_') source += '.';
    else source += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  // like/ilike wrap the value in %...%; =like/=ilike take it as the whole pattern.
  return new RegExp(anchoredByUser ? `^${source}$` : `^.*${source}.*$`, caseInsensitive ? 'is' : 's');
}

function isEmpty(value: Stored | number[]): boolean {
  return value === false || value === '' || (Array.isArray(value) && value.length === 0);
}

export class DomainEvaluator {
  constructor(private readonly registry: Registry) {}

  /** Ids of the records of `model` that match `domain`, in no particular order. */
  searchIds(model: ModelStore, domain: XmlRpcValue, activeTest: boolean): number[] {
    const compiled = this.compile(model, parseDomain(domain));
    const onlyActive = activeTest && model.field('active') !== undefined && !mentionsField(domain, 'active');
    const keep = (doc: RecordDoc): boolean => (!onlyActive || doc.active !== false) && compiled.test(doc);
    const candidates = compiled.candidates();
    const ids: number[] = [];
    if (candidates) {
      for (const id of candidates) {
        const doc = model.get(id);
        if (doc && keep(doc)) ids.push(id);
      }
    } else {
      for (const doc of model.all()) if (keep(doc)) ids.push(doc.id);
    }
    return ids;
  }

  private compile(model: ModelStore, node: DomainNode): Compiled {
    switch (node.kind) {
      case 'const':
        return node.value ? ALWAYS : NEVER;
      case 'not': {
        const child = this.compile(model, node.child);
        return { test: (doc) => !child.test(doc), candidates: () => null };
      }
      case 'and': {
        const left = this.compile(model, node.left);
        const right = this.compile(model, node.right);
        return {
          test: (doc) => left.test(doc) && right.test(doc),
          candidates: () => {
            const a = left.candidates();
            const b = right.candidates();
            if (!a || !b) return a ?? b;
            const [small, large] = a.size <= b.size ? [a, b] : [b, a];
            return new Set([...small].filter((id) => large.has(id)));
          },
        };
      }
      case 'or': {
        const left = this.compile(model, node.left);
        const right = this.compile(model, node.right);
        return {
          test: (doc) => left.test(doc) || right.test(doc),
          candidates: () => {
            const a = left.candidates();
            const b = right.candidates();
            return a && b ? new Set([...a, ...b]) : null;
          },
        };
      }
      case 'leaf':
        return this.compileLeaf(model, node.leaf);
    }
  }

  private compileLeaf(model: ModelStore, leaf: Leaf): Compiled {
    const [left, operator, right] = leaf;
    const path = String(left);
    const dot = path.indexOf('.');
    const name = dot === -1 ? path : path.slice(0, dot);
    const field = model.field(name);
    if (!field) throw pythonError('ValueError', `Invalid field ${model.name}.${name} in leaf ${pyTuple(leaf)}`);
    if (operator === 'child_of' || operator === 'parent_of') {
      throw pythonError('NotImplementedError', `The ERP sandbox does not support the operator ${pyRepr(operator)} (leaf ${pyTuple(leaf)})`);
    }
    if (dot !== -1 || operator === 'any' || operator === 'not any') {
      if (!isRelational(field)) throw pythonError('ValueError', `Invalid field ${model.name}.${path} in leaf ${pyTuple(leaf)}`);
      const comodel = this.registry.model(field.relation!)!;
      if (operator === 'any' || operator === 'not any') {
        if (dot !== -1) throw pythonError('ValueError', `Invalid field ${model.name}.${path} in leaf ${pyTuple(leaf)}`);
        const ids = this.searchIds(comodel, right, true);
        return this.compileLeaf(model, [name, operator === 'any' ? 'in' : 'not in', ids]);
      }
      // Odoo resolves a path by searching the comodel, then matching the ids found.
      const ids = this.searchIds(comodel, [[path.slice(dot + 1), operator, right]], false);
      return this.compileLeaf(model, [name, 'in', ids]);
    }
    if (operator === '=?') {
      if (right === false || right === null) return ALWAYS;
      return this.compileLeaf(model, [name, '=', right]);
    }
    if ((operator === 'in' || operator === 'not in') && !Array.isArray(right)) throw pythonError('ValueError', `Invalid domain term ${pyTuple(leaf)}`);
    if (NEGATIVE.has(operator)) {
      const positive = this.compileLeaf(model, [name, POSITIVE_OF[operator]!, right]);
      return { test: (doc) => !positive.test(doc), candidates: () => null };
    }
    const matches = this.matcher(model, name, field, operator, right, leaf);
    return { test: (doc) => matches(this.registry.value(model, doc, name)), candidates: () => this.indexed(model, name, field, operator, right) };
  }

  /** A test of one field value against the operator and right side, for positive operators. */
  private matcher(model: ModelStore, name: string, field: FieldDef, operator: string, right: XmlRpcValue, leaf: Leaf): (value: Stored | number[]) => boolean {
    const equals = (value: Stored | number[], item: XmlRpcValue): boolean => {
      if (item === false || item === null) return field.type === 'boolean' ? value !== true : isEmpty(value);
      if (Array.isArray(value)) return value.some((id) => this.sameRecord(field, id, item));
      if (field.type === 'many2one') return typeof value === 'number' && this.sameRecord(field, value, item);
      if (field.type === 'boolean') return value === (item !== 0);
      const a = this.comparable(field, value);
      const b = this.operand(model, name, field, item, leaf);
      return a !== undefined && a === b;
    };
    switch (operator) {
      case '=':
        return (value) => equals(value, right);
      case 'in': {
        const items = right as XmlRpcValue[];
        return (value) => items.some((item) => equals(value, item));
      }
      case 'like':
      case 'ilike':
      case '=like':
      case '=ilike': {
        const regex = likeRegex(typeof right === 'string' ? right : pyRepr(right), operator.endsWith('ilike'), operator.startsWith('='));
        return (value) => this.texts(field, value).some((text) => regex.test(text));
      }
      default: {
        if (right === false || right === null) return () => false;
        const b = this.operand(model, name, field, right, leaf);
        const compare = (a: string | number): boolean => (operator === '<' ? a < b : operator === '>' ? a > b : operator === '<=' ? a <= b : a >= b);
        return (value) => {
          if (isEmpty(value) || Array.isArray(value)) return false;
          const a = this.comparable(field, value);
          return a !== undefined && compare(a);
        };
      }
    }
  }

  /** Whether related record `id` is what `item` names: an id, or a name (Odoo runs a name_search). */
  private sameRecord(field: FieldDef, id: number, item: XmlRpcValue): boolean {
    if (typeof item === 'string') return this.registry.displayName(field.relation!, id) === item;
    return numberOf(item) === id;
  }

  private comparable(field: FieldDef, value: Stored): string | number | undefined {
    if (value === false) return undefined;
    if (typeof value === 'number') return field.minorUnits ? fromMinor(value) : value;
    return String(value);
  }

  /** The right side as the field's values compare: numbers for numbers, text for the rest. */
  private operand(model: ModelStore, name: string, field: FieldDef, item: XmlRpcValue, leaf: Leaf): string | number {
    const numeric = field.type === 'integer' || field.type === 'float' || field.type === 'monetary' || field.type === 'many2one';
    if (numeric) {
      const n = numberOf(item) ?? (typeof item === 'boolean' ? Number(item) : typeof item === 'string' && item.trim() !== '' ? Number(item) : NaN);
      if (Number.isNaN(n)) {
        const kind = field.type === 'integer' || field.type === 'many2one' ? 'integer' : 'numeric';
        throw pythonError(
          'psycopg2.errors.InvalidTextRepresentation',
          `invalid input syntax for type ${kind}: ${JSON.stringify(typeof item === 'string' ? item : pyRepr(item))}\n(field ${model.name}.${name}, leaf ${pyTuple(leaf)})`,
        );
      }
      return n;
    }
    if (item instanceof Date) return field.type === 'date' ? formatDatetime(item.getTime()).slice(0, 10) : formatDatetime(item.getTime());
    if (item instanceof XmlRpcDouble) return String(item.value);
    const text = typeof item === 'string' ? item : pyRepr(item);
    // PostgreSQL casts the literal to the column's type: a datetime string to a date, a date to midnight.
    if (field.type === 'date' && /^\d{4}-\d{2}-\d{2}[ T]/.test(text)) return text.slice(0, 10);
    if (field.type === 'datetime' && /^\d{4}-\d{2}-\d{2}$/.test(text)) return `${text} 00:00:00`;
    return text;
  }

  /** What `like` operators see: the text of the value (display names for relations). */
  private texts(field: FieldDef, value: Stored | number[]): string[] {
    if (isEmpty(value)) return [];
    if (isRelational(field)) {
      const ids = Array.isArray(value) ? value : [value as number];
      return ids.map((id) => this.registry.displayName(field.relation!, id));
    }
    if (typeof value === 'number' && field.minorUnits) return [String(fromMinor(value))];
    return [String(value)];
  }

  /** The candidate ids an index gives for `=`/`in` on `id`, an indexed field or a one2many. */
  private indexed(model: ModelStore, name: string, field: FieldDef, operator: string, right: XmlRpcValue): ReadonlySet<number> | null {
    if (operator !== '=' && operator !== 'in') return null;
    const items = operator === 'in' ? (right as XmlRpcValue[]) : [right];
    const keys: Stored[] = [];
    for (const item of items) {
      if (item === false || item === null) return null;
      const n = numberOf(item);
      if (field.type === 'many2one' || name === 'id' || isToMany(field)) {
        if (n === undefined) return null;
        keys.push(n);
      } else if (typeof item === 'string' && (field.type === 'char' || field.type === 'selection')) {
        keys.push(item);
      } else {
        return null;
      }
    }
    if (isToMany(field) && field.type === 'one2many' && field.inverse && !field.compute) {
      // The lines say which order they belong to: map each related id back through the inverse.
      const ids = new Set<number>();
      for (const key of keys) {
        const owner = this.registry.get(field.relation!, key as number)?.[field.inverse];
        if (typeof owner === 'number') ids.add(owner);
      }
      return ids;
    }
    if (!model.isIndexed(name) || field.compute) return null;
    const ids = new Set<number>();
    for (const key of keys) for (const id of model.lookup(name, key)) ids.add(id);
    return ids;
  }
}
