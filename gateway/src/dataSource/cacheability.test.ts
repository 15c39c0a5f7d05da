/**
 * Selections whose answers carry no cache hint skip the caches (cache/Cacheability.ts):
 * counted in store reads and subgraph fetches, through a real SubgraphDataSource over a
 * fake subgraph whose Cache-Control the test switches.
 */
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import Keyv from 'keyv';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { InternalTokenSigner } from '../auth/internalToken.js';
import { BoundedMap } from '../../../lib/BoundedMap.js';
import { Cacheability, UNCACHEABLE_AFTER } from '../cache/Cacheability.js';
import { CacheStore } from '../cache/CacheStore.js';
import { EntityCache } from '../cache/EntityCache.js';
import { EntityVersions } from '../cache/EntityVersions.js';
import { cacheStateOf } from '../cache/requestCacheState.js';
import { GatewayMetrics } from '../metrics.js';
import { InflightFetches } from './InflightFetches.js';
import { SubgraphDataSource, type DataSourceContext } from './SubgraphDataSource.js';

const ENTITIES = 'query($representations:[_Any!]!){_entities(representations:$representations){...on Invoice{amountDue}}}';
const ROOT = 'query($first:Int){customers(first:$first){id}}';
const HINT = { maxAge: 30, scope: 'PUBLIC' as const };

describe('Cacheability', () => {
  it(`stops looking a selection up after ${UNCACHEABLE_AFTER} answers without a hint in a row, and looks again after one with a hint`, () => {
    const learnt = new Cacheability();
    for (let i = 0; i < UNCACHEABLE_AFTER - 1; i++) expect(learnt.observe('q', null, false)).toBe(false);
    // A hint in between starts the count again.
    learnt.observe('q', HINT, false);
    for (let i = 0; i < UNCACHEABLE_AFTER - 1; i++) learnt.observe('q', null, false);
    expect(learnt.worthLookingUp('q')).toBe(true);
    // Answers with errors say nothing about hints.
    learnt.observe('q', null, true);
    expect(learnt.worthLookingUp('q')).toBe(true);
    learnt.observe('q', null, false);
    expect(learnt.worthLookingUp('q')).toBe(false);
    expect(learnt.worthLookingUp('other')).toBe(true);
    // The first hint after skipping says so, and the selection is looked up again.
    expect(learnt.observe('q', HINT, false)).toBe(true);
    expect(learnt.worthLookingUp('q')).toBe(true);
    expect(learnt.observe('q', HINT, false)).toBe(false);
  });

  it('remembers a bounded number of selections', () => {
    const learnt = new Cacheability(1, 2);
    for (const q of ['a', 'b', 'c']) learnt.observe(q, null, false);
    expect(['a', 'b', 'c'].map((q) => learnt.worthLookingUp(q))).toEqual([true, false, false]);
  });
});

function setup() {
  const metrics = new GatewayMetrics({ defaultMetrics: false });
  const logger = pino({ level: 'silent' });
  const reads = { entity: 0, root: 0 };
  const store = (namespace: 'entity' | 'root') => {
    const cacheStore = new CacheStore({
      namespace,
      layer: namespace,
      keyv: new Keyv({ store: new BoundedMap(100), throwOnErrors: true }),
      timeoutMs: 1000,
      available: () => true,
      logger,
      metrics,
    });
    const getMany = cacheStore.getMany.bind(cacheStore);
    cacheStore.getMany = <T>(keys: string[]) => {
      // Version records and the generation are read from the entity store too: count the value reads only.
      if (keys.some((key) => key.startsWith('e:') || key.startsWith('r:'))) reads[namespace]++;
      return getMany<T>(keys);
    };
    return cacheStore;
  };
  const entities = store('entity');
  const versions = new EntityVersions(entities, 0);
  const subgraph = { cacheControl: '', fetches: 0, errors: false };
  const fetcher = (async (_url: string, init: { body?: string }) => {
    subgraph.fetches++;
    const { variables } = JSON.parse(init.body ?? '{}') as { variables?: { representations?: Array<{ id: string }> } };
    const data = variables?.representations
      ? { _entities: variables.representations.map((rep) => ({ amountDue: Number(rep.id) })) }
      : { customers: [{ id: '1' }] };
    const body = { data, ...(subgraph.errors ? { errors: [{ message: 'partly down' }] } : {}) };
    return new Response(JSON.stringify(body), {
      headers: { 'content-type': 'application/json', ...(subgraph.cacheControl ? { 'cache-control': subgraph.cacheControl } : {}) },
    });
  }) as unknown as SubgraphDataSource['fetcher'];
  const source = new SubgraphDataSource({
    name: 'erp',
    url: 'http://erp.invalid/graphql',
    fetcher,
    inflight: new InflightFetches(),
    versions,
    cache: new EntityCache(entities, store('root'), metrics),
    metrics,
    logger,
    internalTokens: { tokenFor: async () => 'token' } as unknown as InternalTokenSigner,
  });
  const run = async (query: string, variables: Record<string, unknown>, incoming: 'query' | 'mutation' | 'subscription' = 'query') => {
    const context: DataSourceContext = { headers: {} };
    const options = {
      kind: 'incoming operation', // GraphQLDataSourceRequestKind.INCOMING_OPERATION (the enum is not exported from the package root)
      request: { query, variables },
      context,
      incomingRequestContext: { operation: { operation: incoming }, overallCachePolicy: { restrict: () => undefined } },
      document: undefined,
    } as unknown as GraphQLDataSourceProcessOptions<DataSourceContext>;
    const response = await source.process(options);
    return { response, state: cacheStateOf(context) };
  };
  return { subgraph, reads, run };
}

describe('SubgraphDataSource and uncacheable selections', () => {
  const representations = [
    { __typename: 'Invoice', id: '1' },
    { __typename: 'Invoice', id: '2' },
  ];

  it('reads no entity value once a selection has answered without a hint, and caches again once a hint appears', async () => {
    const { subgraph, reads, run } = setup();
    for (let i = 0; i < UNCACHEABLE_AFTER; i++) await run(ENTITIES, { representations });
    expect(reads.entity).toBe(UNCACHEABLE_AFTER);
    expect(subgraph.fetches).toBe(UNCACHEABLE_AFTER);

    // Learnt: fetched every time, the store never read.
    for (let i = 0; i < 5; i++) {
      const { response, state } = await run(ENTITIES, { representations });
      expect(response.data).toEqual({ _entities: [{ amountDue: 1 }, { amountDue: 2 }] });
      expect(state).toMatchObject({ entityHits: 0, entityMisses: 2, doNotCacheResponse: false });
    }
    expect(reads.entity).toBe(UNCACHEABLE_AFTER);
    expect(subgraph.fetches).toBe(UNCACHEABLE_AFTER + 5);

    // The subgraph now gives a hint: that answer (still skipped) is learnt from, and kept out of the response cache...
    subgraph.cacheControl = 'max-age=30, public';
    const flipped = await run(ENTITIES, { representations });
    expect(flipped.state.doNotCacheResponse).toBe(true);
    expect(reads.entity).toBe(UNCACHEABLE_AFTER);
    // ... the next is looked up (a miss) and stored, the one after is served from the cache alone.
    await run(ENTITIES, { representations });
    expect(reads.entity).toBe(UNCACHEABLE_AFTER + 1);
    const fetchesBefore = subgraph.fetches;
    const cached = await run(ENTITIES, { representations });
    expect(reads.entity).toBe(UNCACHEABLE_AFTER + 2);
    expect(subgraph.fetches).toBe(fetchesBefore);
    expect(cached.state).toMatchObject({ entityHits: 2, entityMisses: 0 });
    expect(cached.response.data).toEqual({ _entities: [{ amountDue: 1 }, { amountDue: 2 }] });
  });

  it('learns root selections apart from entity ones, and does not learn from answers with errors', async () => {
    const { subgraph, reads, run } = setup();
    subgraph.errors = true;
    for (let i = 0; i < UNCACHEABLE_AFTER + 2; i++) await run(ROOT, { first: 1 });
    expect(reads.root).toBe(UNCACHEABLE_AFTER + 2);
    subgraph.errors = false;
    for (let i = 0; i < UNCACHEABLE_AFTER + 2; i++) await run(ROOT, { first: 1 });
    expect(reads.root).toBe(2 * UNCACHEABLE_AFTER + 2);
    // The entity selection of the same subgraph has not been learnt: it is still looked up.
    await run(ENTITIES, { representations });
    expect(reads.entity).toBe(1);
    // Hinted root answers are cached again after the first one.
    subgraph.cacheControl = 'max-age=30, private';
    await run(ROOT, { first: 1 });
    await run(ROOT, { first: 1 });
    const fetchesBefore = subgraph.fetches;
    const { state } = await run(ROOT, { first: 1 });
    expect(state).toMatchObject({ rootHits: 1, rootMisses: 0 });
    expect(subgraph.fetches).toBe(fetchesBefore);
  });
});

describe("SubgraphDataSource and the fetches of a subscription's events", () => {
  it('reads nothing from the caches for them (an event says something changed), while queries keep using the cache', async () => {
    const { subgraph, reads, run } = setup();
    subgraph.cacheControl = 'max-age=30, public';
    const representations = [{ __typename: 'Invoice', id: '7' }];
    await run(ENTITIES, { representations });
    const cached = await run(ENTITIES, { representations });
    expect(cached.state).toMatchObject({ entityHits: 1 });
    const [readsBefore, fetchesBefore] = [reads.entity, subgraph.fetches];
    for (const incoming of ['subscription', 'mutation'] as const) {
      const { response, state } = await run(ENTITIES, { representations }, incoming);
      expect(response.data).toEqual({ _entities: [{ amountDue: 7 }] });
      expect(state).toMatchObject({ entityHits: 0, subgraphFetches: 1 });
    }
    expect(reads.entity).toBe(readsBefore);
    expect(subgraph.fetches).toBe(fetchesBefore + 2);
  });
});
