/**
 * Builds the representations of an `_entities` fetch from the objects gathered so far,
 * following the fetch's `requires` selection (keys, `__typename`, @requires fields),
 * compiled once per plan. Values are copied by reference from the gathered data: no
 * JSON round trip, and one object per representation in the usual `... on T { keys }`.
 *
 * The rules are @apollo/gateway's, so that the same entities are sent:
 * - a required field that is missing (an earlier fetch failed, or a non-null field was
 *   nulled) makes its selection unusable: at the top of a type condition, that
 *   condition contributes nothing; below a field, that field's value becomes null;
 * - type conditions are checked against the supergraph (`requires` may name types the
 *   API schema hides), an object without `__typename` matching none;
 * - an object whose representation has no `__typename` is not sent at all.
 */
import type { QueryPlanSelectionNode } from '@apollo/query-planner';
import { mergeInto, ownValue, type Data } from './mergeInto.js';
import type { SupergraphRevision } from './SupergraphRevision.js';
import { setOwn } from './DataRewrites.js';

type Selection =
  | { readonly field: string; readonly selections: readonly Selection[] | undefined; readonly type?: undefined }
  | { readonly type: string; readonly selections: readonly Selection[]; readonly field?: undefined };

function compile(nodes: readonly QueryPlanSelectionNode[]): Selection[] {
  const out: Selection[] = [];
  for (const node of nodes) {
    if (node.kind === 'Field') out.push({ field: node.alias ?? node.name, selections: node.selections ? compile(node.selections) : undefined });
    // An inline fragment without a type condition selects nothing here (as in @apollo/gateway).
    else if (node.typeCondition) out.push({ type: node.typeCondition, selections: compile(node.selections) });
  }
  return out;
}

/**
 * The usual `requires`: one type condition with `__typename` and leaf fields below it,
 * nothing nested (`... on User { __typename id }`, `... on Product { __typename upc price }`).
 */
interface FlatRequires {
  readonly type: string;
  /** The fields in selection order, `__typename` among them. */
  readonly fields: readonly string[];
  /** The one key field when the fields are `__typename` and one other: deduplication then needs no look at the representation. */
  readonly key: string | undefined;
}

function flatRequires(selections: readonly Selection[]): FlatRequires | undefined {
  const [only] = selections;
  if (selections.length !== 1 || only?.type === undefined) return undefined;
  const fields: string[] = [];
  for (const selection of only.selections) {
    if (selection.field === undefined || selection.selections) return undefined;
    fields.push(selection.field);
  }
  if (!fields.includes('__typename') || new Set(fields).size !== fields.length) return undefined;
  const others = fields.filter((field) => field !== '__typename');
  return { type: only.type, fields, key: others.length === 1 ? others[0] : undefined };
}

const IDENTIFIER = /^[_A-Za-z][_0-9A-Za-z]*$/;
const plainName = (name: string): boolean => IDENTIFIER.test(name) && name !== '__proto__' && !(name in Object.prototype);

/**
 * A flat representation built by code compiled per field list: each field read by name and
 * the object made by one literal, so that every representation of a fetch has one hidden
 * class (the loop with setOwn makes each object go through a transition per field).
 */
function compileFlatBuilder(fields: readonly string[]): (entity: Data, typename: unknown) => Data | undefined {
  if (!fields.every(plainName)) {
    return (entity, typename) => {
      const representation: Data = {};
      for (const field of fields) {
        const value = field === '__typename' ? typename : ownValue(entity, field);
        if (value === undefined) return undefined;
        setOwn(representation, field, value);
      }
      return representation;
    };
  }
  const reads = fields.map((field, i) =>
    field === '__typename' ? `const v${i} = typename;` : `const v${i} = entity.${field}; if (v${i} === undefined) return undefined;`,
  );
  const literal = fields.map((field, i) => `${field}: v${i}`).join(', ');
  return new Function('entity', 'typename', `${reads.join('\n')}\nreturn { ${literal} };`) as (entity: Data, typename: unknown) => Data | undefined;
}

/** See RepresentationBuilder.flatKey: the typename, then each value with its kind (and a string's length). */
function compileFlatKey(fields: readonly string[]): (representation: Data) => string | undefined {
  const parts = fields.map((field) => {
    const read = plainName(field) ? `r.${field}` : `own(r, ${JSON.stringify(field)})`;
    return `v = ${read}; if (typeof v === 'string') k += '\u0001' + v.length + ':' + v; else if (typeof v === 'number' || typeof v === 'boolean' || v === null) k += '\u0002' + v; else return undefined;`;
  });
  const factory = new Function('own', `return function flatKey(r) {\nlet k = '', v;\n${parts.join('\n')}\nreturn k;\n};`) as (
    own: typeof ownValue,
  ) => (representation: Data) => string | undefined;
  return factory(ownValue);
}

export class RepresentationBuilder {
  private readonly selections: readonly Selection[];
  /** Set when `requires` is the usual one (see FlatRequires): `build` then takes a short path. */
  readonly flat: FlatRequires | undefined;
  /** For flat requires: the representation from the entity and its typename, all fields or undefined. */
  private readonly buildFlat: (entity: Data, typename: unknown) => Data | undefined;
  /**
   * For flat requires of more than one field besides `__typename`: a string that tells
   * representations apart (equal strings for equal representations), or undefined when a
   * value is not a scalar.
   */
  readonly flatKey: ((representation: Data) => string | undefined) | undefined;

  constructor(
    requires: readonly QueryPlanSelectionNode[],
    private readonly revision: SupergraphRevision,
  ) {
    this.selections = compile(requires);
    this.flat = flatRequires(this.selections);
    this.buildFlat = this.flat ? compileFlatBuilder(this.flat.fields) : () => undefined;
    this.flatKey = this.flat && this.flat.key === undefined ? compileFlatKey(this.flat.fields) : undefined;
  }

  /** The representation of `entity`, or undefined when it cannot be sent. */
  build(entity: Data): Data | undefined {
    const flat = this.flat;
    if (flat) {
      // What select() makes of the same selection, without walking it: every field or nothing.
      const typename = ownValue(entity, '__typename');
      if (!this.revision.satisfies(typename, flat.type, false)) return undefined;
      return this.buildFlat(entity, typename);
    }
    const representation = this.select(entity, this.selections);
    return representation && representation.__typename ? representation : undefined;
  }

  private select(source: Data, selections: readonly Selection[]): Data | null {
    let result: Data | null = null;
    for (const selection of selections) {
      if (selection.type === undefined) {
        const value = ownValue(source, selection.field);
        if (value === undefined) return null;
        result ??= {};
        setOwn(result, selection.field, selection.selections ? this.value(value, selection.selections) : value);
        continue;
      }
      if (!this.revision.satisfies(source.__typename, selection.type, false)) continue;
      const part = this.select(source, selection.selections);
      if (!part) continue;
      // The usual single `... on T { … }`: its object is the representation.
      if (result === null) result = part;
      else mergeInto(result, part);
    }
    return result ?? {};
  }

  private value(value: unknown, selections: readonly Selection[]): unknown {
    if (Array.isArray(value)) return value.map((element) => this.value(element, selections));
    if (typeof value !== 'object' || value === null) return value === undefined ? null : value;
    return this.select(value as Data, selections);
  }
}
