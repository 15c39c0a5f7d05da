/**
 * A read that is not an `_entities` fetch (crm's `customers(first: 50)`, payments'
 * `payment(id)`) through the root cache: the whole answer, keyed by subgraph, query,
 * variables and scope, valid for the invalidation generation it was stored under (any
 * invalidation retires it: the entities inside it are not traced). Stored only with a
 * cache hint and without errors, and not while an invalidation hold lasts.
 */
import { hintFromCacheControl, type CacheHint } from '../cache/cacheHint.js';
import type { EntityCache, FetchScope } from '../cache/EntityCache.js';
import type { Generation } from '../cache/EntityVersions.js';
import type { RequestCacheState } from '../cache/requestCacheState.js';
import type { SubgraphResponse } from './InflightFetches.js';

export interface RootFetch {
  cache: EntityCache;
  at: FetchScope;
  generation: Generation;
  state: RequestCacheState;
  restrict(hint: CacheHint): void;
  fetch(): Promise<SubgraphResponse>;
}

export async function fetchRootThroughCache(job: RootFetch): Promise<SubgraphResponse> {
  const cached = await job.cache.lookupRoot(job.at, job.generation);
  if (cached) {
    job.state.rootHits++;
    job.restrict(cached.hint);
    return { data: cached.data as SubgraphResponse['data'] };
  }
  job.state.rootMisses++;
  if (job.generation.held) job.state.doNotCacheResponse = true;
  const response = await job.fetch();
  const hint = hintFromCacheControl(response.http?.headers.get('cache-control'));
  if (hint && !response.errors?.length && response.data) await job.cache.storeRoot(job.at, job.generation, response.data, hint);
  return response;
}
