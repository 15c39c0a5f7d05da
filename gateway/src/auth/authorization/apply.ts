/**
 * The refused fields put back into an executed answer (the last step of
 * authorizeOperation, after plan.ts and rewrite.ts): an error at each concrete path of
 * each refused field (lists expanded, parents that came back null skipped, as GraphQL
 * does), then null where GraphQL puts it, the reserved aliases stripped.
 */
import { GraphQLError } from 'graphql';
import type { Removal } from './plan.js';
import { PLACEHOLDER_ALIAS, TYPENAME_ALIAS } from './rewrite.js';

/** What applying needs of a plan. */
export interface AppliedPlan {
  /** True when null reaches the root: nothing was executed. */
  skipExecution: boolean;
  removals: readonly Removal[];
  /** True when the answer holds reserved aliases to strip. */
  placeholders: boolean;
}

export interface AuthorizedResult {
  data?: Record<string, unknown> | null;
  errors?: ReadonlyArray<GraphQLError>;
  extensions?: Record<string, unknown>;
}

type Json = Record<string, unknown>;

/**
 * Calls `each` with every object that holds the last of `keys` (lists expanded), and its
 * concrete path; objects under key i whose `__typename` is not in `within[i]` are skipped.
 */
function forEachAt(
  value: unknown,
  keys: readonly string[],
  within: ReadonlyArray<ReadonlySet<string> | undefined>,
  at: number,
  path: Array<string | number>,
  each: (parent: Json, path: Array<string | number>) => void,
): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    value.forEach((item, i) => forEachAt(item, keys, within, at, [...path, i], each));
    return;
  }
  if (typeof value !== 'object') return;
  const allowed = at > 0 ? within[at - 1] : undefined;
  if (allowed && !allowed.has(String((value as Json)[TYPENAME_ALIAS]))) return;
  if (at === keys.length - 1) {
    each(value as Json, path);
    return;
  }
  const key = keys[at]!;
  forEachAt((value as Json)[key], keys, within, at + 1, [...path, key], each);
}

/** Null at `key`, or `depth` list levels below it; list items whose `__typename` is not `allowed` are left alone. */
function nullAt(container: Json | unknown[], key: string | number, depth: number, allowed: ReadonlySet<string> | undefined): void {
  const holder = container as Record<string | number, unknown>;
  if (depth === 0) {
    const item = holder[key];
    if (typeof key === 'number' && allowed && item !== null && typeof item === 'object' && !allowed.has(String((item as Json)[TYPENAME_ALIAS]))) return;
    holder[key] = null;
    return;
  }
  const list = holder[key];
  if (Array.isArray(list)) list.forEach((_, i) => nullAt(list, i, depth - 1, allowed));
}

function stripPlaceholders(value: unknown): void {
  if (Array.isArray(value)) {
    value.forEach(stripPlaceholders);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const object = value as Json;
  delete object[PLACEHOLDER_ALIAS];
  delete object[TYPENAME_ALIAS];
  for (const child of Object.values(object)) stripPlaceholders(child);
}

export function applyAuthorization<R extends AuthorizedResult>(plan: AppliedPlan, result: R): R & { errors: ReadonlyArray<GraphQLError> } {
  const errors: GraphQLError[] = [];
  const data = plan.skipExecution ? null : (result.data ?? null);
  const seen = new Set<string>();
  const add = (removal: Removal, path: ReadonlyArray<string | number>): void => {
    const id = `${removal.code}:${path.join('.')}`;
    if (seen.has(id)) return;
    seen.add(id);
    errors.push(new GraphQLError(removal.message, { path, extensions: { code: removal.code } }));
  };
  for (const removal of plan.removals) {
    if (data === null) {
      // Nothing was executed (or everything failed): one error per refused field, lists not expanded.
      if (plan.skipExecution) add(removal, removal.errorKeys);
      continue;
    }
    forEachAt(data, removal.errorKeys, removal.within, 0, [], (_parent, path) => add(removal, [...path, removal.errorKeys[removal.errorKeys.length - 1]!]));
  }
  if (data !== null) {
    for (const removal of plan.removals) {
      if (removal.nullDepth < 0) continue;
      const last = removal.nullKeys[removal.nullKeys.length - 1]!;
      const allowed = removal.within[removal.nullKeys.length - 1];
      forEachAt(data, removal.nullKeys, removal.within, 0, [], (parent) => nullAt(parent, last, removal.nullDepth, allowed));
    }
    if (plan.placeholders) stripPlaceholders(data);
  }
  return { ...result, data, errors: [...errors, ...(result.errors ?? [])] };
}
