/**
 * The fetch path's pure parts: an `_entities` fetch through the cache (only the missing
 * representations are sent, answers merged back in order, error paths re-indexed, nothing
 * stored without a hint), in-flight sharing (one fetch, independent copies, errors shared),
 * and the operation name kept out of keys.
 */
import Keyv from 'keyv';
import { pino } from 'pino';
import type { OperationTypeNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { BoundedMap } from '../../../lib/BoundedMap.js';
import type { CacheHint } from '../cache/cacheHint.js';
import { CacheStore } from '../cache/CacheStore.js';
import { EntityCache, type Representation } from '../cache/EntityCache.js';
import { cacheStateOf } from '../cache/requestCacheState.js';
import { GatewayMetrics } from '../metrics.js';
import { fetchEntitiesThroughCache, representationsOf } from './entityFetch.js';
import { dedupKey, InflightFetches, type SubgraphResponse } from './InflightFetches.js';
import { withoutOperationName } from './fetchKind.js';

const reps: Representation[] = ['1', '2', '3'].map((id) => ({ __typename: 'Invoice', id }));

function entityCache(): EntityCache {
  const metrics = new GatewayMetrics({ defaultMetrics: false });
  const store = (namespace: string) =>
    new CacheStore({
      namespace,
      layer: 'entity',
      keyv: new Keyv({ store: new BoundedMap(100), throwOnErrors: true }),
      timeoutMs: 100,
      available: () => true,
      logger: pino({ level: 'silent' }),
      metrics,
    });
  return new EntityCache(store('entity'), store('root'), metrics);
}

/** A subgraph that answers `_entities` for whatever it is sent, recording each batch. */
function fakeSubgraph(options: { cacheControl?: string; errorAt?: number } = {}) {
  const batches: string[][] = [];
  const fetch = async (subset: Representation[]): Promise<SubgraphResponse> => {
    batches.push(subset.map((rep) => String(rep.id)));
    return {
      data: { _entities: subset.map((rep) => ({ amountDue: Number(rep.id) * 100 })) },
      ...(options.errorAt !== undefined ? { errors: [{ message: 'no amount', path: ['_entities', options.errorAt, 'amountDue'] }] } : {}),
      http: { headers: new Headers(options.cacheControl ? { 'cache-control': options.cacheControl } : {}) } as unknown as SubgraphResponse['http'],
    };
  };
  return { batches, fetch };
}

describe('fetchEntitiesThroughCache', () => {
  const at = { subgraph: 'erp', selection: 'sel', userScope: 'anonymous' };

  it('sends only the missing representations, merges answers in order, and sends nothing when all hit', async () => {
    const cache = entityCache();
    const restricted: CacheHint[] = [];
    const job = (subgraph: ReturnType<typeof fakeSubgraph>, representations: Representation[]) => ({
      representations,
      cache,
      at,
      state: cacheStateOf({}),
      restrict: (hint: CacheHint) => restricted.push(hint),
      fetch: subgraph.fetch,
    });
    const first = fakeSubgraph({ cacheControl: 'max-age=30, private' });
    await fetchEntitiesThroughCache(job(first, [reps[1]!]));
    const second = fakeSubgraph({ cacheControl: 'max-age=30, private' });
    const merged = await fetchEntitiesThroughCache(job(second, reps));
    expect(second.batches).toEqual([['1', '3']]);
    expect(merged.data).toEqual({ _entities: [{ amountDue: 100 }, { amountDue: 200 }, { amountDue: 300 }] });
    expect(restricted).toEqual([{ maxAge: 30, scope: 'PRIVATE' }]);

    const third = fakeSubgraph();
    const state = cacheStateOf({});
    const all = await fetchEntitiesThroughCache({ ...job(third, reps), state });
    expect(third.batches).toEqual([]);
    expect(all.data).toEqual(merged.data);
    expect(state).toMatchObject({ entityHits: 3, entityMisses: 0 });
  });

  it('re-indexes error paths to the original positions and stores nothing from an answer with errors or without a hint', async () => {
    const cache = entityCache();
    const base = { cache, at, state: cacheStateOf({}), restrict: () => undefined };
    await fetchEntitiesThroughCache({ ...base, representations: [reps[0]!], fetch: fakeSubgraph({ cacheControl: 'max-age=30, public' }).fetch });
    // Sent [2, 3]; the subgraph's error at index 1 is about representation 3, index 2 of the original.
    const failing = await fetchEntitiesThroughCache({
      ...base,
      representations: reps,
      fetch: fakeSubgraph({ cacheControl: 'max-age=30, public', errorAt: 1 }).fetch,
    });
    expect(failing.errors?.[0]?.path).toEqual(['_entities', 2, 'amountDue']);
    const unhinted = fakeSubgraph();
    await fetchEntitiesThroughCache({ ...base, representations: reps, fetch: unhinted.fetch });
    expect(unhinted.batches).toEqual([['2', '3']]);
  });

  it('passes on an answer whose _entities is not a list as it came, for the executor to report', async () => {
    const answer = { data: { _entities: 'not a list' } };
    const merged = await fetchEntitiesThroughCache({
      cache: entityCache(),
      at,
      state: cacheStateOf({}),
      restrict: () => undefined,
      representations: reps,
      fetch: async () => answer,
    });
    expect(merged).toBe(answer);
  });

  it('takes the representations of an entity fetch only when each names its type', () => {
    expect(representationsOf({ representations: reps })).toEqual(reps);
    expect(representationsOf({})).toBeUndefined();
    expect(representationsOf({ representations: [{ id: 1 }] })).toBeUndefined();
  });
});

describe('InflightFetches', () => {
  it('runs one fetch for identical requests in flight and gives each its own copy', async () => {
    const inflight = new InflightFetches();
    let calls = 0;
    let release: (value: SubgraphResponse) => void = () => undefined;
    const fetch = () => {
      calls++;
      return new Promise<SubgraphResponse>((resolve) => (release = resolve));
    };
    const a = inflight.run('k', fetch);
    const b = inflight.run('k', fetch);
    release({ data: { customer: { name: 'Acme' } } });
    const [ra, rb] = await Promise.all([a, b]);
    expect(calls).toBe(1);
    expect([ra.shared, rb.shared]).toEqual([false, true]);
    expect(rb.response.data).toEqual(ra.response.data);
    expect(rb.response.data).not.toBe(ra.response.data);
    expect(inflight.size).toBe(0);
  });

  it('shares a failure too, and forgets the fetch afterwards', async () => {
    const inflight = new InflightFetches();
    const fetch = () => Promise.reject(new Error('down'));
    const results = await Promise.allSettled([inflight.run('k', fetch), inflight.run('k', fetch)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(inflight.size).toBe(0);
  });

  it('keys on URL, query without its operation name, variables and credentials', () => {
    const named = withoutOperationName('query Customers360__erp__1($representations:[_Any!]!){_entities(representations:$representations){__typename}}', {
      operation: 'query' as OperationTypeNode,
      name: 'Customers360__erp__1',
    });
    expect(named).toBe('query($representations:[_Any!]!){_entities(representations:$representations){__typename}}');
    const key = dedupKey('http://erp/graphql', named, { a: 1, b: 2 }, undefined);
    expect(dedupKey('http://erp/graphql', named, { a: 1, b: 2 }, undefined)).toBe(key);
    expect(dedupKey('http://erp/graphql', named, { a: 1, b: 3 }, undefined)).not.toBe(key);
    expect(dedupKey('http://erp/graphql', `${named} `, { a: 1, b: 2 }, undefined)).not.toBe(key);
    // The planner's variables come in a fixed order; another order only misses a share, it never shares wrongly.
    expect(dedupKey('http://erp/graphql', named, { a: 1, b: 2 }, 'Bearer x')).not.toBe(key);
    expect(dedupKey('http://crm/graphql', named, { a: 1, b: 2 }, undefined)).not.toBe(key);
  });
});
