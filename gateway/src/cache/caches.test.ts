/**
 * The cache building blocks on their own: the bounded memory store, the guard that turns a
 * failing or slow store into a miss, entity versions (evicting one entity everywhere, the
 * hold after an eviction), entity and root values (scopes, selections, TTLs), cache hints,
 * and the invalidation body check.
 */
import Keyv from 'keyv';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { GatewayMetrics } from '../metrics.js';
import { BoundedMap } from '../../../lib/BoundedMap.js';
import { hintFromCacheControl } from './cacheHint.js';
import { CacheStore } from './CacheStore.js';
import { EntityCache, type FetchScope } from './EntityCache.js';
import { EntityVersions } from './EntityVersions.js';
import { parseInvalidation } from './invalidateRoute.js';
import { canonicalJson, userScope } from './keys.js';

const logger = pino({ level: 'silent' });

function memoryStore(metrics: GatewayMetrics, namespace = 'entity', available = () => true): CacheStore {
  return new CacheStore({
    namespace,
    layer: 'entity',
    keyv: new Keyv({ store: new BoundedMap(1000), throwOnErrors: true }),
    timeoutMs: 50,
    available,
    logger,
    metrics,
  });
}

const count = async (metrics: GatewayMetrics, layer: string, result: string): Promise<number> =>
  (await metrics.cacheRequests.get()).values.find((v) => v.labels.layer === layer && v.labels.result === result)?.value ?? 0;

describe('BoundedMap', () => {
  it('forgets the least recently used entry past its size', () => {
    const map = new BoundedMap<number>(2);
    map.set('a', 1).set('b', 2);
    map.get('a');
    map.set('c', 3);
    expect([...map.keys()]).toEqual(['a', 'c']);
  });
});

describe('CacheStore guard', () => {
  it('turns a failing store, a slow one and an unavailable one into a miss, counted as an error', async () => {
    const metrics = new GatewayMetrics({ defaultMetrics: false });
    const store = memoryStore(metrics);
    expect(await store.guard('get', () => Promise.reject(new Error('boom')), 'fallback')).toBe('fallback');
    expect(await store.guard('get', () => new Promise<string>((resolve) => setTimeout(() => resolve('late'), 500)), 'fallback')).toBe('fallback');
    expect(await memoryStore(metrics, 'x', () => false).getMany(['a'])).toEqual([undefined]);
    expect(await count(metrics, 'entity', 'error')).toBe(3);
    expect(await store.setMany([{ key: 'k', value: 1, ttl: 1000 }])).toBe(true);
    expect(await store.getMany(['k', 'missing'])).toEqual([1, undefined]);
  });
});

describe('EntityCache', () => {
  const at: FetchScope = { subgraph: 'erp', selection: 'sel-1', userScope: userScope(undefined) };
  const reps = [
    { __typename: 'Invoice', id: '1' },
    { __typename: 'Invoice', id: '2' },
  ];
  const setup = (holdMs = 0) => {
    const metrics = new GatewayMetrics({ defaultMetrics: false });
    const entities = memoryStore(metrics);
    const versions = new EntityVersions(entities, holdMs);
    return { metrics, versions, cache: new EntityCache(entities, memoryStore(metrics, 'root'), metrics) };
  };

  it('serves what was stored under the current version, for this selection, until an invalidation', async () => {
    const { cache, versions, metrics } = setup();
    const before = await cache.lookup(at, reps);
    expect(before.map((l) => l.hit)).toEqual([false, false]);
    await cache.store(
      at,
      reps.map((rep, i) => ({ rep, data: { amount: i }, version: '0', held: false })),
      { maxAge: 30, scope: 'PUBLIC' },
    );
    const after = await cache.lookup(at, reps);
    expect(after).toEqual([
      { hit: true, data: { amount: 0 }, hint: { maxAge: 30, scope: 'PUBLIC' } },
      { hit: true, data: { amount: 1 }, hint: { maxAge: 30, scope: 'PUBLIC' } },
    ]);
    // Another selection of the same entities is another value.
    expect((await cache.lookup({ ...at, selection: 'sel-2' }, reps)).map((l) => l.hit)).toEqual([false, false]);
    // Key fields in another order are the same representation.
    expect((await cache.lookup(at, [{ id: '1', __typename: 'Invoice' }]))[0]!.hit).toBe(true);

    expect(await versions.invalidate([{ __typename: 'Invoice', id: '2' }])).toBe(true);
    expect((await cache.lookup(at, reps)).map((l) => l.hit)).toEqual([true, false]);
    expect(await count(metrics, 'entity', 'hit')).toBe(4);
  });

  it('keeps PRIVATE values per user scope, PUBLIC ones for everyone', async () => {
    const { cache } = setup();
    const alice = { ...at, userScope: userScope('Bearer alice') };
    const bob = { ...at, userScope: userScope('Bearer bob') };
    await cache.store(alice, [{ rep: reps[0]!, data: { secret: 'a' }, version: '0', held: false }], { maxAge: 30, scope: 'PRIVATE' });
    await cache.store(alice, [{ rep: reps[1]!, data: { open: 'b' }, version: '0', held: false }], { maxAge: 30, scope: 'PUBLIC' });
    expect((await cache.lookup(alice, reps)).map((l) => l.hit)).toEqual([true, true]);
    expect((await cache.lookup(bob, reps)).map((l) => l.hit)).toEqual([false, true]);
  });

  it('does not store what is under an invalidation hold, nor a root value while the generation is held', async () => {
    const { cache, versions } = setup(60_000);
    await versions.invalidate([{ __typename: 'Invoice', id: '1' }]);
    const [lookup] = await cache.lookup(at, [reps[0]!]);
    expect(lookup).toMatchObject({ hit: false, held: true });
    if (lookup!.hit) throw new Error('unreachable');
    await cache.store(at, [{ rep: reps[0]!, data: { x: 1 }, version: lookup!.version, held: lookup!.held }], { maxAge: 30, scope: 'PUBLIC' });
    expect((await cache.lookup(at, [reps[0]!]))[0]!.hit).toBe(false);

    const generation = await versions.generation();
    expect(generation.held).toBe(true);
    await cache.storeRoot(at, generation, { customers: [] }, { maxAge: 30, scope: 'PUBLIC' });
    expect(await cache.lookupRoot(at, generation)).toBeUndefined();
  });

  it('retires root values when any entity is invalidated (the generation changes)', async () => {
    const { cache, versions } = setup();
    const generation = await versions.generation();
    await cache.storeRoot(at, generation, { customers: [1] }, { maxAge: 60, scope: 'PUBLIC' });
    expect(await cache.lookupRoot(at, generation)).toEqual({ data: { customers: [1] }, hint: { maxAge: 60, scope: 'PUBLIC' } });
    await versions.invalidate([{ __typename: 'Customer', id: '9' }]);
    expect(await cache.lookupRoot(at, await versions.generation())).toBeUndefined();
  });
});

describe('cache keys and hints', () => {
  it('makes canonical JSON and hashes credentials into the scope', () => {
    expect(canonicalJson({ b: [2, { d: 1, c: 0 }], a: null })).toBe('{"a":null,"b":[2,{"c":0,"d":1}]}');
    expect(userScope(undefined)).toBe('anonymous');
    expect(userScope('Bearer secret')).toMatch(/^user:[0-9a-f]{32}$/);
    expect(userScope('Bearer secret')).not.toContain('secret');
  });

  it('reads Cache-Control as Apollo Server writes it; anything else is not cacheable', () => {
    expect(hintFromCacheControl('max-age=30, private')).toEqual({ maxAge: 30, scope: 'PRIVATE' });
    expect(hintFromCacheControl('max-age=300, public')).toEqual({ maxAge: 300, scope: 'PUBLIC' });
    for (const value of ['no-store', 'max-age=0, public', '', undefined, null, 'public']) expect(hintFromCacheControl(value)).toBeNull();
  });
});

describe('parseInvalidation', () => {
  it('takes {entities: [{__typename, id}]} and names what is wrong otherwise', () => {
    expect(parseInvalidation(Buffer.from('{"entities":[{"__typename":"Invoice","id":12}]}'))).toEqual([{ __typename: 'Invoice', id: '12' }]);
    expect(() => parseInvalidation(Buffer.from('nope'))).toThrow('not JSON');
    expect(() => parseInvalidation(Buffer.from('{"entities":[]}'))).toThrow('"entities" must be an array');
    expect(() => parseInvalidation(Buffer.from('{"entities":[{"__typename":"Invoice"}]}'))).toThrow(
      'entities[0] must be {__typename: a type name, id: a string or number}, got {"__typename":"Invoice"}',
    );
  });
});
