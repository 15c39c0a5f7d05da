/**
 * Gateway replicas sharing their caches through Redis (REDIS_URL, or 127.0.0.1:6379):
 * a query answered by one gateway costs the other zero backend calls; an invalidation
 * sent to one is seen by the other; and when Redis goes away under a gateway, its
 * requests still succeed, uncached, and caching resumes when Redis is back, while its
 * rate limits hold, from memory, and are shared through Redis again once it is back. "Going away"
 * is a TCP proxy in front of the real Redis that the test closes: the test cannot stop
 * the machine's Redis, and a closed port is what a gateway sees when Redis dies.
 *
 * Needs Redis: without it the suite is skipped with one line, unless REQUIRE_ALL_SUITES=1
 * (CI), where a missing Redis fails it. Every key is under a prefix unique to this run,
 * deleted at the end.
 */
import { randomUUID } from 'node:crypto';
import { createClient } from '@keyv/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ask, metric, totalCalls } from './helpers/gatewayCalls.js';
import { requireOrSkip, TEST_REDIS_URL, until } from './support.js';
import { RedisProxy } from './helpers/redisProxy.js';
import { startStack, type Stack } from './helpers/startStack.js';

const REDIS_URL = TEST_REDIS_URL;
const PREFIX = `graph360-test-${randomUUID().slice(0, 8)}`;

const reachable = await requireOrSkip('gateway.redis.test.ts', 'redis');

const QUERY = /* GraphQL */ `
  query Shared($first: Int!) {
    customers(first: $first) {
      nodes {
        id
        name
        contacts(first: 2) { nodes { email } }
        invoices(first: 2) { nodes { id amountDue { amount } payments { id status } } }
        payments(first: 2) { nodes { id amount { amount } } }
      }
    }
  }
`;

describe.skipIf(!reachable)('gateway replicas sharing Redis', () => {
  let stack: Stack;
  let gatewayB: string;

  beforeAll(async () => {
    // Subgraphs keep their own caches in memory; only the gateways share Redis.
    stack = await startStack({ scale: 0.1, gatewayEnv: { REDIS_URL, CACHE_KEY_PREFIX: PREFIX, INVALIDATION_HOLD_MS: '0' } });
    gatewayB = (await stack.startGateway()).url;
  });
  afterAll(async () => {
    await stack?.stop();
    const client = createClient({ url: REDIS_URL });
    await client.connect();
    for await (const keys of client.scanIterator({ MATCH: `${PREFIX}*`, COUNT: 500 })) if (keys.length > 0) await client.del(keys);
    await client.close();
  });

  const run = async (url: string, first: number) => {
    await stack.resetStats();
    const answer = await ask<{ customers: { nodes: Array<{ id: string }> } }>(url, QUERY, { first }, { headers: stack.authHeaders });
    expect(answer.status).toBe(200);
    expect(answer.errors).toBeUndefined();
    return { answer, calls: totalCalls(await stack.stats()) };
  };

  it('a query answered by gateway A costs zero backend calls on gateway B', async () => {
    const a = await run(stack.gatewayUrl, 6);
    expect(a.calls).toBeGreaterThan(0);
    expect(a.answer.headers.get('x-cache')).toBe('MISS');
    const b = await run(gatewayB, 6);
    expect(b.answer.data).toEqual(a.answer.data);
    expect(b.calls).toBe(0);
    expect(b.answer.headers.get('x-cache')).toBe('HIT');
    expect(b.answer.cacheStatus.subgraphFetches).toBe(0);
  });

  it('an invalidation sent to gateway A evicts the entity for gateway B too', async () => {
    const warm = await run(gatewayB, 6);
    expect(warm.calls).toBe(0);
    const customerId = warm.answer.data!.customers.nodes[0]!.id;
    const response = await fetch(new URL('/internal/invalidate', stack.gatewayUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer dev-invalidation-secret' },
      body: JSON.stringify({ entities: [{ __typename: 'Customer', id: customerId }] }),
    });
    expect(response.status).toBe(200);
    const after = await run(gatewayB, 6);
    expect(after.answer.data).toEqual(warm.answer.data);
    // Only that customer's entities are fetched again (its erp part and its payments part);
    // the root list and the response are retired by the generation every invalidation bumps.
    expect(after.answer.cacheStatus.status).toBe('PARTIAL');
    expect(after.answer.cacheStatus.entities.misses).toBe(2);
    expect(after.answer.cacheStatus.rootFields.misses).toBe(1);
    expect(after.calls).toBeGreaterThan(0);
  });

  it('keeps answering, uncached, while Redis is unreachable, and caches again once it is back', async () => {
    const proxy = new RedisProxy(new URL(REDIS_URL));
    await proxy.open();
    try {
      const url = (await stack.startGateway({ REDIS_URL: `redis://127.0.0.1:${proxy.port}`, CACHE_KEY_PREFIX: `${PREFIX}-proxied` })).url;
      await until('gateway C caching through the proxy', async () => ((await run(url, 4)).answer.headers.get('x-cache') === 'HIT' ? true : undefined));
      const cached = await run(url, 4);

      await proxy.close();
      for (let i = 0; i < 3; i++) {
        const down = await run(url, 4);
        expect(down.answer.data).toEqual(cached.answer.data);
        expect(down.answer.headers.get('x-cache')).toBe('MISS');
        expect(down.calls).toBeGreaterThan(0);
      }

      await proxy.open();
      await until('caching to resume after Redis is back', async () => ((await run(url, 4)).answer.headers.get('x-cache') === 'HIT' ? true : undefined));
    } finally {
      await proxy.close();
    }
  });

  it('keeps limiting each client, from memory, while Redis is unreachable, and limits through Redis again once it is back', async () => {
    const proxy = new RedisProxy(new URL(REDIS_URL));
    await proxy.open();
    try {
      const gateway = await stack.startGateway({
        REDIS_URL: proxy.url,
        CACHE_KEY_PREFIX: `${PREFIX}-limited`,
        // Three requests per client, refilled too slowly to matter during the test.
        RATE_LIMIT_BURST: '3',
        RATE_LIMIT_RPS: '0.001',
        LOG_LEVEL: 'info',
      });
      const asClient = async (sub: string) => ({ authorization: `Bearer ${await stack.auth.token({ sub })}` });
      const statuses = async (headers: Record<string, string>, n: number) => {
        const out: number[] = [];
        for (let i = 0; i < n; i++) out.push((await ask(gateway.url, QUERY, { first: 2 }, { headers })).status);
        return out;
      };
      const backend = async () => ({
        redis: await metric(gateway.url, 'gateway_rate_limit_backend', { backend: 'redis' }),
        memory: await metric(gateway.url, 'gateway_rate_limit_backend', { backend: 'memory' }),
      });
      await until('the gateway connected to Redis through the proxy', async () => (gateway.output().includes('Redis connected') ? true : undefined));
      const x = await asClient('limited-x');

      expect(await statuses(x, 2)).toEqual([200, 200]); // two of x's three, spent in Redis
      expect(await backend()).toEqual({ redis: 1, memory: 0 });

      await proxy.close();
      // x's bucket in memory is full, but it is a bucket: the fourth request is refused.
      expect(await statuses(x, 4)).toEqual([200, 200, 200, 429]);
      expect(await backend()).toEqual({ redis: 0, memory: 1 });

      await proxy.open();
      let probe = 0;
      await until('rate limiting back on Redis', async () => {
        await statuses(await asClient(`limited-probe-${probe++}`), 1);
        return (await backend()).redis === 1 ? true : undefined;
      });
      expect(await backend()).toEqual({ redis: 1, memory: 0 });
      // From Redis again: x has the one request it had left there.
      expect(await statuses(x, 2)).toEqual([200, 429]);
      // Log lines go out in batches: wait for the one that says Redis is back, then count.
      await until('the log line saying Redis is back', async () => (gateway.output().includes('budgets shared through it again') ? true : undefined));
      const lines = gateway.output();
      expect(lines.split('limiting per replica in memory until it is back')).toHaveLength(2);
      expect(lines.split('budgets shared through it again')).toHaveLength(2);
    } finally {
      await proxy.close();
    }
  });
});
