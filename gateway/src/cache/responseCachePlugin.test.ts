/**
 * The response cache skips lookups that cannot hit: once an operation's responses were
 * uncacheable UNCACHEABLE_AFTER times in a row, its requests no longer read the store;
 * the first cacheable response puts the operation back, and cacheable operations are read
 * (and hit) as before. Counted on the store itself, under a real Apollo Server.
 */
import { ApolloServer, type BaseContext } from '@apollo/server';
import Keyv from 'keyv';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { GatewayMetrics } from '../metrics.js';
import { BoundedMap } from '../../../lib/BoundedMap.js';
import { UNCACHEABLE_AFTER } from './Cacheability.js';
import { CacheStore } from './CacheStore.js';
import { EntityVersions } from './EntityVersions.js';
import { responseCachePlugin } from './responseCachePlugin.js';

const typeDefs = `
  enum CacheControlScope { PUBLIC PRIVATE }
  directive @cacheControl(maxAge: Int, scope: CacheControlScope) on FIELD_DEFINITION | OBJECT | INTERFACE | UNION
  type Query { plain: Int, hinted: Int @cacheControl(maxAge: 60), switched: Int }
`;

/** Each lookup reads two keys: the caller's private entry, then the public one (sessionId is always set). */
const READS = 2;

function setup() {
  const metrics = new GatewayMetrics({ defaultMetrics: false });
  const reads: string[] = [];
  const logger = pino({ level: 'silent' });
  const store = new CacheStore({
    namespace: 'response',
    layer: 'response',
    keyv: new Keyv({ store: new BoundedMap(1000), throwOnErrors: true }),
    timeoutMs: 500,
    available: () => true,
    logger,
    metrics,
  });
  // Every store operation goes through guard, once per lookup.
  const guard = store.guard.bind(store);
  store.guard = ((what: string, operation: () => Promise<unknown>, fallback: unknown) => {
    if (what === 'get') reads.push(what);
    return guard(what, operation, fallback);
  }) as typeof store.guard;
  const versions = new EntityVersions(
    new CacheStore({
      namespace: 'entity',
      layer: 'entity',
      keyv: new Keyv({ store: new BoundedMap(100) }),
      timeoutMs: 500,
      available: () => true,
      logger,
      metrics,
    }),
    0,
  );
  const state = { switchedOn: false, executions: 0, generationReads: 0 };
  const generation = versions.generation.bind(versions);
  versions.generation = () => (state.generationReads++, generation());
  const server = new ApolloServer<BaseContext>({
    typeDefs,
    resolvers: {
      Query: {
        plain: () => (state.executions++, 1),
        hinted: () => (state.executions++, 2),
        switched: (_root: unknown, _args: unknown, _context: unknown, info: { cacheControl: { setCacheHint(hint: { maxAge: number }): void } }) => {
          state.executions++;
          if (state.switchedOn) info.cacheControl.setCacheHint({ maxAge: 60 });
          return 3;
        },
      },
    },
    plugins: [responseCachePlugin({ store, versions, metrics })],
  });
  const ask = async (query: string): Promise<unknown> => {
    const response = await server.executeOperation({ query }, { contextValue: {} });
    return response.body.kind === 'single' ? response.body.singleResult.data : undefined;
  };
  return { server, reads, state, ask };
}

describe('response cache lookups', () => {
  it('stops reading the store for an operation whose responses are uncacheable', async () => {
    const { server, reads, state, ask } = setup();
    for (let i = 0; i < UNCACHEABLE_AFTER + 3; i++) expect(await ask('{ plain }')).toEqual({ plain: 1 });
    expect(reads).toHaveLength(UNCACHEABLE_AFTER * READS);
    expect(state.executions).toBe(UNCACHEABLE_AFTER + 3);
    // Nor the invalidation generation (part of the key): once per operation while looked up, then never.
    expect(state.generationReads).toBe(UNCACHEABLE_AFTER);
    await server.stop();
  });

  it('keeps reading, and hitting, for a cacheable operation', async () => {
    const { server, reads, state, ask } = setup();
    for (let i = 0; i < UNCACHEABLE_AFTER + 3; i++) expect(await ask('{ hinted }')).toEqual({ hinted: 2 });
    expect(reads).toHaveLength((UNCACHEABLE_AFTER + 3) * READS);
    expect(state.executions).toBe(1);
    await server.stop();
  });

  it('reads again from the first cacheable response of a skipped operation on', async () => {
    const { server, reads, state, ask } = setup();
    for (let i = 0; i < UNCACHEABLE_AFTER + 1; i++) await ask('{ switched }');
    expect(reads).toHaveLength(UNCACHEABLE_AFTER * READS);
    state.switchedOn = true;
    // Not read (still skipped), executed, and its cacheable answer is stored and learnt.
    await ask('{ switched }');
    expect(reads).toHaveLength(UNCACHEABLE_AFTER * READS);
    const executions = state.executions;
    expect(await ask('{ switched }')).toEqual({ switched: 3 });
    expect(reads).toHaveLength((UNCACHEABLE_AFTER + 1) * READS);
    expect(state.executions).toBe(executions);
    await server.stop();
  });
});
