/**
 * `POST /crm/v3/objects/{objectType}/search`: filters ANDed within a group and groups
 * ORed, an optional free-text `query`, one sort, and offset paging (`after` is an integer
 * offset), with HubSpot's limits: 5 filter groups, 6 filters per group, 18 in all, 200
 * per page, 10,000 results per query, 3,000 characters per request body.
 *
 * Groups that pin records by id (`hs_object_id` EQ/IN) or by company
 * (`associations.company` EQ/IN) read their candidates from the indexes instead of
 * scanning the type, which is how a subgraph's batched lookups stay cheap.
 */
import type { SandboxRequest, SandboxResponse } from '../../../kit/src/index.js';
import { invalidJson, json, validationError } from '../errors.js';
import { isRecord, parseJsonBody } from '../http.js';
import type { ObjectTypeDef } from '../objectTypes.js';
import { propertyValue, toPublicObject, type CrmRecord } from '../records.js';
import { associationTarget, compareByProperty, matchesFilter, OPERATORS, type Filter, type Operator } from '../searchFilters.js';
import type { CrmContext } from './context.js';

export const SEARCH_LIMITS = { filterGroups: 5, filtersPerGroup: 6, filters: 18, pageSize: 200, results: 10_000, bodyChars: 3000 } as const;
const DEFAULT_PAGE_SIZE = 10;

interface SearchRequest {
  groups: Filter[][];
  query: string | null;
  sort: { propertyName: string; descending: boolean } | null;
  properties: string[] | null;
  limit: number;
  offset: number;
}

const stringOf = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;

function readFilter(input: unknown): Filter | SandboxResponse {
  if (!isRecord(input) || typeof input.propertyName !== 'string' || typeof input.operator !== 'string') {
    return validationError('Invalid input JSON on line 1, column 2. Some required fields were not set: [propertyName, operator]');
  }
  const operator = input.operator as Operator;
  if (!OPERATORS.includes(operator)) {
    return invalidJson(
      1,
      1,
      `Cannot deserialize value of type \`FilterOperator\` from String "${input.operator}": not one of the values accepted for Enum class: [${OPERATORS.join(', ')}]`,
    );
  }
  const filter: Filter = { propertyName: input.propertyName, operator };
  const value = stringOf(input.value);
  const highValue = stringOf(input.highValue);
  if (value !== undefined) filter.value = value;
  if (highValue !== undefined) filter.highValue = highValue;
  if (Array.isArray(input.values)) filter.values = input.values.map(stringOf).filter((v): v is string => v !== undefined);

  const needs =
    operator === 'IN' || operator === 'NOT_IN' ? 'values' : operator === 'BETWEEN' ? 'value and highValue' : operator.endsWith('HAS_PROPERTY') ? null : 'value';
  const missing =
    needs === 'values'
      ? !filter.values
      : needs === 'value and highValue'
        ? value === undefined || highValue === undefined
        : needs === 'value' && value === undefined;
  if (missing) return validationError(`The ${operator} filter on ${input.propertyName} requires ${needs}`);
  return filter;
}

function readSort(input: unknown): SearchRequest['sort'] | SandboxResponse {
  if (input === undefined || input === null) return null;
  if (!Array.isArray(input)) return invalidJson(1, 1, 'Cannot deserialize value of type `java.util.ArrayList` from non-array value (field "sorts")');
  // HubSpot applies one sorting rule per search.
  const first: unknown = input[0];
  if (first === undefined) return null;
  if (typeof first === 'string') return { propertyName: first.replace(/^-/, ''), descending: first.startsWith('-') };
  if (isRecord(first) && typeof first.propertyName === 'string') {
    return { propertyName: first.propertyName, descending: first.direction === 'DESCENDING' };
  }
  return validationError('Each sort needs a propertyName');
}

function readInteger(raw: unknown, field: string, fallback: number): number | SandboxResponse {
  if (raw === undefined || raw === null || raw === '') return fallback;
  const value = Number(raw);
  if ((typeof raw !== 'number' && typeof raw !== 'string') || !Number.isInteger(value) || value < 0) {
    return validationError(`${field} must be a whole number, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function readSearchRequest(body: Buffer): SearchRequest | SandboxResponse {
  if (body.length > SEARCH_LIMITS.bodyChars) {
    return validationError(`The request body is ${body.length} characters; a search may contain at most ${SEARCH_LIMITS.bodyChars}`);
  }
  const parsed = parseJsonBody(body);
  if (!parsed.ok) return parsed.response;
  const input = parsed.value;
  if (!isRecord(input)) return invalidJson(1, 1, 'Cannot deserialize value of type `PublicObjectSearchRequest` from non-object value');

  const rawGroups = input.filterGroups ?? [];
  if (!Array.isArray(rawGroups)) return invalidJson(1, 1, 'Cannot deserialize value of type `java.util.ArrayList<FilterGroup>` from non-array value');
  if (rawGroups.length > SEARCH_LIMITS.filterGroups) {
    return validationError(`Too many filter groups: ${rawGroups.length}. A search may contain at most ${SEARCH_LIMITS.filterGroups} filterGroups.`);
  }
  const groups: Filter[][] = [];
  let total = 0;
  for (const rawGroup of rawGroups) {
    const rawFilters: unknown = isRecord(rawGroup) ? rawGroup.filters : undefined;
    if (!Array.isArray(rawFilters)) return validationError('Invalid input JSON on line 1, column 2. Some required fields were not set: [filters]');
    if (rawFilters.length > SEARCH_LIMITS.filtersPerGroup) {
      return validationError(
        `Too many filters in a filter group: ${rawFilters.length}. A filter group may contain at most ${SEARCH_LIMITS.filtersPerGroup} filters.`,
      );
    }
    total += rawFilters.length;
    const group: Filter[] = [];
    for (const rawFilter of rawFilters) {
      const filter = readFilter(rawFilter);
      if ('status' in filter) return filter;
      group.push(filter);
    }
    groups.push(group);
  }
  if (total > SEARCH_LIMITS.filters) {
    return validationError(`Too many filters: ${total}. A search may contain at most ${SEARCH_LIMITS.filters} filters in total.`);
  }

  const limit = readInteger(input.limit, 'limit', DEFAULT_PAGE_SIZE);
  if (typeof limit !== 'number') return limit;
  if (limit > SEARCH_LIMITS.pageSize) return validationError(`limit must be at most ${SEARCH_LIMITS.pageSize}, got ${limit}`);
  const offset = readInteger(input.after, 'after', 0);
  if (typeof offset !== 'number') return offset;
  if (offset >= SEARCH_LIMITS.results) {
    return validationError(`Search results are limited to ${SEARCH_LIMITS.results} per query; after=${offset} pages beyond them`);
  }
  const sort = readSort(input.sorts);
  if (sort && 'status' in sort) return sort;
  const properties = input.properties;
  if (properties !== undefined && properties !== null && !(Array.isArray(properties) && properties.every((p) => typeof p === 'string'))) {
    return invalidJson(1, 1, 'Cannot deserialize value of type `java.util.ArrayList<java.lang.String>` (field "properties")');
  }
  const query = typeof input.query === 'string' && input.query.trim() !== '' ? input.query.trim().toLowerCase() : null;
  return { groups, query, sort, properties: Array.isArray(properties) && properties.length > 0 ? properties : null, limit, offset };
}

/** Records a group can match, from an index when it pins ids or a company; null means all. */
function candidates(ctx: CrmContext, type: ObjectTypeDef, group: readonly Filter[]): CrmRecord[] | null {
  for (const filter of group) {
    if (filter.operator !== 'EQ' && filter.operator !== 'IN') continue;
    const wanted = filter.operator === 'EQ' ? [filter.value ?? ''] : (filter.values ?? []);
    if (filter.propertyName === 'hs_object_id') {
      return wanted.map((id) => ctx.data.get(type.name, id)).filter((r): r is CrmRecord => r !== undefined);
    }
    const target = associationTarget(filter.propertyName);
    if (target?.name === 'companies' && (type.name === 'contacts' || type.name === 'deals')) {
      const childType = type.name;
      return wanted.flatMap((companyId) => ctx.data.childIds(childType, companyId)).map((id) => ctx.data.get(type.name, id)!);
    }
  }
  return null;
}

function matchesQuery(type: ObjectTypeDef, record: CrmRecord, query: string | null): boolean {
  if (query === null) return true;
  return type.queryProperties.some((name) => propertyValue(type, record, name)?.toLowerCase().includes(query) ?? false);
}

export function search(ctx: CrmContext, type: ObjectTypeDef, request: SandboxRequest): SandboxResponse {
  const parsed = readSearchRequest(request.body);
  if ('status' in parsed) return parsed;
  const { groups, query, sort, properties, limit, offset } = parsed;

  let matched: CrmRecord[];
  if (groups.length === 0) {
    matched = [...ctx.data.all(type.name)].filter((record) => matchesQuery(type, record, query));
  } else {
    const found = new Map<string, CrmRecord>();
    for (const group of groups) {
      for (const record of candidates(ctx, type, group) ?? ctx.data.all(type.name)) {
        if (!found.has(record.id) && matchesQuery(type, record, query) && group.every((f) => matchesFilter(ctx.data, type, record, f))) {
          found.set(record.id, record);
        }
      }
    }
    matched = [...found.values()].sort((a, b) => Number(a.id) - Number(b.id));
  }
  if (sort) {
    const direction = sort.descending ? -1 : 1;
    // Array.prototype.sort is stable, so ties keep id order.
    matched.sort((a, b) => direction * compareByProperty(type, sort.propertyName, a, b));
  }

  const results = matched.slice(offset, offset + limit).map((record) => toPublicObject(type, record, properties));
  const next = offset + limit;
  const body =
    next < matched.length && next < SEARCH_LIMITS.results
      ? { total: matched.length, results, paging: { next: { after: String(next) } } }
      : { total: matched.length, results };
  return json(200, body);
}
