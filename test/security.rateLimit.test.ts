/**
 * Rate limiting per client against running gateways: a client over its
 * request budget, or over its cost budget, gets 429 with Retry-After and RATE_LIMITED
 * while another client is unaffected; clients are told apart by token subject, and
 * anonymous ones by IP (X-Forwarded-For behind a trusted proxy); a gateway whose Redis
 * cannot be reached still limits each client, from memory; and two gateway processes on
 * one Redis share each client's budget.
 *
 * The budgets are tiny and refill slowly (one request per 1000 s), so that no refill
 * can happen during the test however slow the machine is: every assertion is a count.
 *
 * The Redis part needs Redis (REDIS_URL, or 127.0.0.1:6379): without it, it is skipped
 * with one line, unless REQUIRE_ALL_SUITES=1 (CI), where a missing Redis fails it.
 */
import { randomUUID } from 'node:crypto';
import { createClient } from '@keyv/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metric } from './helpers/gatewayCalls.js';
import type { SpawnedService } from './helpers/spawnService.js';
import { freePort, startStack, type Stack } from './helpers/startStack.js';
import { requireOrSkip, TEST_REDIS_URL, until } from './support.js';

const REDIS_URL = TEST_REDIS_URL;
const PREFIX = `graph360-test-rl-${randomUUID().slice(0, 8)}`;
const QUERY = '{ customers(first: 10) { nodes { id } } }'; // cost 11 (1 + 10 customers)

const redis = await requireOrSkip('security.rateLimit.test.ts: the shared-budget tests', 'redis');

interface Answer {
  status: number;
  retryAfter: string | null;
  code: unknown;
  budget: unknown;
}

async function call(url: string, headers: Record<string, string>): Promise<Answer> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query: QUERY }) });
  const body = (await response.json()) as { errors?: Array<{ extensions?: { code?: unknown; budget?: unknown } }> };
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    code: body.errors?.[0]?.extensions?.code,
    budget: body.errors?.[0]?.extensions?.budget,
  };
}

async function statuses(url: string, headers: Record<string, string>, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await call(url, headers)).status);
  return out;
}

/** Waits until a gateway reports it has connected to Redis (else its limiter lets requests through). */
async function redisConnected(service: SpawnedService): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!service.output().includes('Redis connected')) {
    if (Date.now() > deadline) throw new Error(`gateway did not connect to Redis:\n${service.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const SLOW = { RATE_LIMIT_RPS: '0.001', RATE_LIMIT_COST_PER_SECOND: '0.001' };

describe('rate limiting per client', () => {
  let stack: Stack;
  let a: Record<string, string>;
  let b: Record<string, string>;

  beforeAll(async () => {
    // The stack's gateway: 3 requests per client, cost budget large enough not to matter.
    stack = await startStack({ gatewayEnv: { ...SLOW, RATE_LIMIT_BURST: '3', RATE_LIMIT_COST_BURST: '1000000', ENTITY_CACHE: 'off', RESPONSE_CACHE: 'off' } });
    a = { authorization: `Bearer ${await stack.auth.token({ sub: 'client-a' })}` };
    b = { authorization: `Bearer ${await stack.auth.token({ sub: 'client-b' })}` };
  });
  afterAll(async () => {
    await stack?.stop();
    if (redis) {
      const client = createClient({ url: REDIS_URL });
      await client.connect();
      for await (const keys of client.scanIterator({ MATCH: `${PREFIX}*`, COUNT: 500 })) if (keys.length > 0) await client.del(keys);
      await client.close();
    }
  });

  it('over its request budget a client gets 429, Retry-After and RATE_LIMITED; another client does not', async () => {
    expect(await statuses(stack.gatewayUrl, a, 3)).toEqual([200, 200, 200]);
    const refused = await call(stack.gatewayUrl, a);
    expect(refused).toMatchObject({ status: 429, code: 'RATE_LIMITED', budget: 'requests' });
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(await statuses(stack.gatewayUrl, b, 3)).toEqual([200, 200, 200]);
    expect((await call(stack.gatewayUrl, b)).status).toBe(429);
    expect((await call(stack.gatewayUrl, a)).status).toBe(429); // still refused: nothing refilled
  });

  it('over its cost budget a client gets 429 (budget cost), before any subgraph call; another client does not', async () => {
    // Cost budget 30: two operations of cost 11 pass, the third (11 > 8 left) does not.
    const gateway = await stack.startGateway({ ...SLOW, RATE_LIMIT_BURST: '1000', RATE_LIMIT_COST_BURST: '30' });
    expect(await statuses(gateway.url, a, 2)).toEqual([200, 200]);
    await stack.resetStats();
    const refused = await call(gateway.url, a);
    expect(refused).toMatchObject({ status: 429, code: 'RATE_LIMITED', budget: 'cost' });
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Object.values(await stack.stats()).every((ops) => Object.keys(ops).length === 0)).toBe(true);
    expect(await statuses(gateway.url, b, 2)).toEqual([200, 200]);
  });

  it('a batch takes one request per operation: refused whole (429, no backend call) when the budget is short; no batch may exceed the burst', async () => {
    const gateway = await stack.startGateway({ ...SLOW, RATE_LIMIT_BURST: '5', RATE_LIMIT_COST_BURST: '1000000' });
    const e = { authorization: `Bearer ${await stack.auth.token({ sub: 'client-e' })}` };
    const batch = async (n: number): Promise<{ status: number; body: unknown }> => {
      const response = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...e },
        body: JSON.stringify(Array.from({ length: n }, () => ({ query: QUERY }))),
      });
      return { status: response.status, body: await response.json() };
    };
    const first = await batch(3);
    expect(first.status).toBe(200);
    expect(first.body).toHaveLength(3);
    await stack.resetStats();
    // 2 requests left: a batch of 3 is refused as a whole, before any operation runs.
    const refused = await batch(3);
    expect(refused).toMatchObject({ status: 429, body: { errors: [{ extensions: { code: 'RATE_LIMITED', budget: 'requests' } }] } });
    expect(Object.values(await stack.stats()).every((ops) => Object.keys(ops).length === 0)).toBe(true);
    const last = await batch(2);
    expect(last.status).toBe(200);
    expect(last.body).toHaveLength(2);
    expect((await call(gateway.url, e)).status).toBe(429);
    // The burst (5) caps the batch size below LIMIT_MAX_BATCH_SIZE (10): a batch of 6 could never be covered.
    const f = { authorization: `Bearer ${await stack.auth.token({ sub: 'client-f' })}` };
    const six = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...f },
      body: JSON.stringify(Array.from({ length: 6 }, () => ({ query: QUERY }))),
    });
    expect(await six.json()).toMatchObject({ errors: [{ extensions: { code: 'BATCH_LIMIT_EXCEEDED', limit: 5, measured: 6 } }] });
    expect(six.status).toBe(400);
  });

  it('each operation of a batch is charged its cost: past the cost budget, the rest get 429 RATE_LIMITED (budget cost)', async () => {
    // Cost budget 30: of three operations of cost 11, two run and one is refused.
    const gateway = await stack.startGateway({ ...SLOW, RATE_LIMIT_BURST: '1000', RATE_LIMIT_COST_BURST: '30' });
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...a },
      body: JSON.stringify([{ query: QUERY }, { query: QUERY }, { query: QUERY }]),
    });
    const results = (await response.json()) as Array<{ data?: unknown; errors?: Array<{ extensions?: { code?: string; budget?: string } }> }>;
    expect(results.filter((result) => result.data !== undefined && result.errors === undefined)).toHaveLength(2);
    expect(results.filter((result) => result.errors?.[0]?.extensions?.code === 'RATE_LIMITED' && result.errors[0].extensions.budget === 'cost')).toHaveLength(
      1,
    );
  });

  it('tells anonymous clients apart by IP, from X-Forwarded-For only behind a trusted proxy', async () => {
    const behindProxy = await stack.startGateway({ ...SLOW, RATE_LIMIT_BURST: '2', RATE_LIMIT_COST_BURST: '1000000', TRUST_PROXY_HOPS: '1' });
    // Anonymous callers reach the endpoint (fields needing authentication are nulled, not refused).
    expect(await statuses(behindProxy.url, { 'x-forwarded-for': '203.0.113.1' }, 3)).toEqual([200, 200, 429]);
    // The entry the proxy wrote is the last one; what the client wrote before it does not count.
    expect(await statuses(behindProxy.url, { 'x-forwarded-for': '203.0.113.1, 203.0.113.2' }, 3)).toEqual([200, 200, 429]);
    // Without a trusted proxy the header is ignored: every loopback caller is one client.
    const direct = await stack.startGateway({ ...SLOW, RATE_LIMIT_BURST: '2', RATE_LIMIT_COST_BURST: '1000000' });
    expect(await statuses(direct.url, { 'x-forwarded-for': '203.0.113.3' }, 2)).toEqual([200, 200]);
    expect(await statuses(direct.url, { 'x-forwarded-for': '203.0.113.4' }, 1)).toEqual([429]);
  });

  it('with Redis configured but nothing listening, still refuses the request over the budget, from memory, and says so', async () => {
    const gateway = await stack.startGateway({
      ...SLOW,
      RATE_LIMIT_BURST: '3',
      RATE_LIMIT_COST_BURST: '1000000',
      REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
      LOG_LEVEL: 'info',
    });
    expect(await statuses(gateway.url, a, 3)).toEqual([200, 200, 200]);
    const refused = await call(gateway.url, a);
    expect(refused).toMatchObject({ status: 429, code: 'RATE_LIMITED', budget: 'requests' });
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(await statuses(gateway.url, b, 1)).toEqual([200]);
    expect(await metric(gateway.url, 'gateway_rate_limit_backend', { backend: 'memory' })).toBe(1);
    expect(await metric(gateway.url, 'gateway_rate_limit_backend', { backend: 'redis' })).toBe(0);
    // Log lines go out in batches: wait for the line, then count it (logged once, not per request).
    await until('the log line about limiting in memory', async () =>
      gateway.output().includes('limiting per replica in memory until it is back') ? true : undefined,
    );
    expect(gateway.output().split('limiting per replica in memory until it is back')).toHaveLength(2);
  });

  it.skipIf(!redis)("two gateway processes on one Redis share each client's budget", async () => {
    const env = { ...SLOW, RATE_LIMIT_BURST: '4', RATE_LIMIT_COST_BURST: '1000000', REDIS_URL, CACHE_KEY_PREFIX: PREFIX, LOG_LEVEL: 'info' };
    const [one, two] = await Promise.all([stack.startGateway(env), stack.startGateway(env)]);
    await Promise.all([redisConnected(one), redisConnected(two)]);
    const c = { authorization: `Bearer ${await stack.auth.token({ sub: 'client-c' })}` };
    const d = { authorization: `Bearer ${await stack.auth.token({ sub: 'client-d' })}` };
    // Alone, each gateway would allow 4; together they allow 4.
    expect(await statuses(one.url, c, 2)).toEqual([200, 200]);
    expect(await statuses(two.url, c, 2)).toEqual([200, 200]);
    const refused = await call(two.url, c);
    expect(refused).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect((await call(one.url, c)).status).toBe(429);
    // Another client on the same gateways still has its own budget.
    expect(await statuses(two.url, d, 4)).toEqual([200, 200, 200, 200]);
    expect((await call(one.url, d)).status).toBe(429);
    // The state is in Redis, under this run's prefix.
    const client = createClient({ url: REDIS_URL });
    await client.connect();
    const keys: string[] = [];
    for await (const batch of client.scanIterator({ MATCH: `${PREFIX}:ratelimit::*`, COUNT: 500 })) keys.push(...batch);
    await client.close();
    expect(keys.sort()).toEqual(expect.arrayContaining([`${PREFIX}:ratelimit::requests:sub:client-c`, `${PREFIX}:ratelimit::requests:sub:client-d`]));
  });
});
