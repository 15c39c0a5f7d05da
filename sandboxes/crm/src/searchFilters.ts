/**
 * The filter semantics of HubSpot's CRM search: how one filter matches one record.
 *
 * Values compare by the property's type: numbers numerically, datetimes as instants (a
 * filter may give ms since epoch or an ISO date), strings case-insensitively and
 * enumerations exactly (HubSpot: "when filtering for an enumeration property, search is
 * case-sensitive"). `associations.{type}` is HubSpot's pseudo-property for "associated
 * with record id". A record without a value matches only NEQ, NOT_IN, NOT_HAS_PROPERTY
 * and NOT_CONTAINS_TOKEN.
 */
import { associatedIds } from './associations.js';
import type { CrmData } from './CrmData.js';
import { resolveObjectType, type ObjectTypeDef, type PropertyType } from './objectTypes.js';
import { propertyValue, type CrmRecord } from './records.js';

export const OPERATORS = [
  'EQ',
  'NEQ',
  'LT',
  'LTE',
  'GT',
  'GTE',
  'BETWEEN',
  'IN',
  'NOT_IN',
  'HAS_PROPERTY',
  'NOT_HAS_PROPERTY',
  'CONTAINS_TOKEN',
  'NOT_CONTAINS_TOKEN',
] as const;
export type Operator = (typeof OPERATORS)[number];

export interface Filter {
  propertyName: string;
  operator: Operator;
  value?: string;
  highValue?: string;
  values?: string[];
}

const INTEGER = /^-?\d+$/;

/** A value as something `<` can order, by the property's type; NaN when it cannot be read. */
function comparable(type: PropertyType, value: string): number | string {
  if (type === 'number') return Number(value);
  if (type === 'datetime') return INTEGER.test(value) ? Number(value) : Date.parse(value);
  return type === 'string' ? value.toLowerCase() : value;
}

/** -1, 0 or 1; NaN when either side is an unreadable number, so that no comparison holds. */
function compare(a: number | string, b: number | string): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return NaN;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** CONTAINS_TOKEN: the whole value, or one of its words, matches the token (`*` is a wildcard). */
function containsToken(value: string, token: string): boolean {
  const escaped = token
    .toLowerCase()
    .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*');
  const pattern = new RegExp(`^${escaped}$`);
  const lower = value.toLowerCase();
  return pattern.test(lower) || lower.split(/[\s,;:/@._-]+/).some((word) => pattern.test(word));
}

function matchValue(type: PropertyType, value: string | null, filter: Filter): boolean {
  const { operator } = filter;
  if (operator === 'HAS_PROPERTY') return value !== null;
  if (operator === 'NOT_HAS_PROPERTY') return value === null;
  if (value === null) return operator === 'NEQ' || operator === 'NOT_IN' || operator === 'NOT_CONTAINS_TOKEN';
  if (operator === 'CONTAINS_TOKEN') return containsToken(value, filter.value ?? '');
  if (operator === 'NOT_CONTAINS_TOKEN') return !containsToken(value, filter.value ?? '');

  const mine = comparable(type, value);
  if (operator === 'IN' || operator === 'NOT_IN') {
    // HubSpot: for strings, IN values "must be lowercase"; compare against the lowercased value.
    const found = (filter.values ?? []).some((v) => compare(mine, type === 'string' ? v : comparable(type, v)) === 0);
    return operator === 'IN' ? found : !found;
  }
  const theirs = comparable(type, filter.value ?? '');
  const order = compare(mine, theirs);
  switch (operator) {
    case 'EQ':
      return order === 0;
    case 'NEQ':
      return order !== 0;
    case 'LT':
      return order < 0;
    case 'LTE':
      return order <= 0;
    case 'GT':
      return order > 0;
    case 'GTE':
      return order >= 0;
    case 'BETWEEN':
      return order >= 0 && compare(mine, comparable(type, filter.highValue ?? '')) <= 0;
  }
}

/** The object type named by `associations.{type}`, or undefined for an ordinary property. */
export function associationTarget(propertyName: string): ObjectTypeDef | undefined {
  return propertyName.startsWith('associations.') ? resolveObjectType(propertyName.slice('associations.'.length)) : undefined;
}

export function matchesFilter(data: CrmData, type: ObjectTypeDef, record: CrmRecord, filter: Filter): boolean {
  const target = associationTarget(filter.propertyName);
  if (target) {
    // Associated ids: true when any one of them satisfies the filter (or, negated, none does).
    const ids = associatedIds(data, type, target, record.id);
    const negated = filter.operator === 'NEQ' || filter.operator === 'NOT_IN' || filter.operator === 'NOT_HAS_PROPERTY';
    if (ids.length === 0) return matchValue('number', null, filter);
    const positive: Filter = negated
      ? { ...filter, operator: filter.operator === 'NEQ' ? 'EQ' : filter.operator === 'NOT_IN' ? 'IN' : 'HAS_PROPERTY' }
      : filter;
    const any = ids.some((id) => matchValue('number', id, positive));
    return negated ? !any : any;
  }
  // A property the type does not have is a property with no value.
  const def = type.properties.get(filter.propertyName);
  return matchValue(def?.type ?? 'string', def ? propertyValue(type, record, filter.propertyName) : null, filter);
}

/** Orders two records by a property for `sorts`; records without a value go last. */
export function compareByProperty(type: ObjectTypeDef, property: string, a: CrmRecord, b: CrmRecord): number {
  const def = type.properties.get(property);
  const va = def ? propertyValue(type, a, property) : null;
  const vb = def ? propertyValue(type, b, property) : null;
  if (va === null || vb === null) return va === vb ? 0 : va === null ? 1 : -1;
  return compare(comparable(def!.type, va), comparable(def!.type, vb)) || 0;
}
