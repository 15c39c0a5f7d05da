/**
 * An `_entities` fetch through the entity cache: look every representation up, send the
 * subgraph only the missing ones (nothing at all when every one hit), then answer the
 * query planner as if the subgraph had been asked for all of them: entities in the
 * original order, and error paths (`["_entities", i, …]`) re-indexed from the position in
 * the reduced request to the position in the original one, because the gateway maps that
 * index back to the place in the response where the error belongs.
 */
import { hintFromCacheControl, type CacheHint } from '../cache/cacheHint.js';
import type { EntityCache, FetchScope, Representation } from '../cache/EntityCache.js';
import type { RequestCacheState } from '../cache/requestCacheState.js';
import type { SubgraphResponse } from './InflightFetches.js';

export interface EntityFetch {
  representations: Representation[];
  cache: EntityCache;
  at: FetchScope;
  state: RequestCacheState;
  /** Tightens the operation's overall cache policy (the response cache reads it). */
  restrict(hint: CacheHint): void;
  /** Sends the same `_entities` query for these representations only. */
  fetch(representations: Representation[]): Promise<SubgraphResponse>;
}

type GraphQLErrorJson = NonNullable<SubgraphResponse['errors']>[number];

/** An entity fetch's `variables.representations`, when each one names its type; else undefined. */
export function representationsOf(variables: Record<string, unknown> | undefined): Representation[] | undefined {
  const reps = variables?.representations;
  if (!Array.isArray(reps)) return undefined;
  return reps.every((rep) => typeof rep === 'object' && rep !== null && typeof (rep as { __typename?: unknown }).__typename === 'string')
    ? (reps as Representation[])
    : undefined;
}

export async function fetchEntitiesThroughCache(job: EntityFetch): Promise<SubgraphResponse> {
  const lookups = await job.cache.lookup(job.at, job.representations);
  const missing: number[] = [];
  const entities: unknown[] = lookups.map((lookup, i) => {
    if (lookup.hit) {
      job.restrict(lookup.hint);
      return lookup.data;
    }
    missing.push(i);
    return null;
  });
  job.state.entityHits += lookups.length - missing.length;
  job.state.entityMisses += missing.length;
  if (missing.length === 0) return { data: { _entities: entities } };

  const response = await job.fetch(missing.map((i) => job.representations[i]!));
  const fetched = (response.data as { _entities?: unknown } | null | undefined)?._entities;
  // Not a list: an answer the gateway cannot use, passed on as it came so that the executor
  // reports it (indexing a string here would make entities of its characters).
  if (fetched !== undefined && fetched !== null && !Array.isArray(fetched)) return response;
  missing.forEach((original, j) => (entities[original] = fetched?.[j] ?? null));

  const hint = hintFromCacheControl(response.http?.headers.get('cache-control'));
  const held = missing.some((i) => lookups[i]!.hit === false && lookups[i]!.held);
  if (held) job.state.doNotCacheResponse = true;
  if (hint && !response.errors?.length && Array.isArray(fetched)) {
    await job.cache.store(
      job.at,
      missing.map((original, j) => {
        const lookup = lookups[original]!;
        return { rep: job.representations[original]!, data: fetched[j], version: lookup.hit ? '' : lookup.version, held: !lookup.hit && lookup.held };
      }),
      hint,
    );
  }
  const errors = response.errors?.map((error) => reindex(error, missing));
  return { ...response, data: { ...(response.data ?? {}), _entities: entities }, ...(errors ? { errors } : {}) };
}

function reindex(error: GraphQLErrorJson, missing: readonly number[]): GraphQLErrorJson {
  const path = error.path;
  if (!path || path[0] !== '_entities' || typeof path[1] !== 'number') return error;
  const original = missing[path[1]];
  return original === undefined ? error : { ...error, path: ['_entities', original, ...path.slice(2)] };
}
