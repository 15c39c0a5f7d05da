/**
 * Token buckets in memory (with a fake clock) and the client key; the way down to memory
 * buckets when Redis fails (a stand-in client, a closed port, and the real Redis behind a
 * proxy that is closed and opened again). Budgets shared across gateway processes are
 * exercised by test/security.rateLimit.test.ts.
 *
 * The real-Redis part needs Redis (REDIS_URL, or 127.0.0.1:6379): without it, it is
 * skipped with one line, unless REQUIRE_ALL_SUITES=1 (CI), where a missing Redis fails it.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { createClient } from '@keyv/redis';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisProxy } from '../../../test/helpers/redisProxy.js';
import { freePort } from '../../../test/helpers/startStack.js';
import { createCacheStores } from '../cache/createCacheStores.js';
import { GatewayMetrics } from '../metrics.js';
import {
  clientKey,
  createRateLimiter,
  FallbackBuckets,
  MemoryBuckets,
  RedisBuckets,
  rateLimitedError,
  readRateLimitConfig,
  requestCount,
  type Backend,
} from './index.js';
import type { ScriptClient } from './buckets.js';
import { requireOrSkip, TEST_REDIS_URL, until } from '../../../test/support.js';

describe('MemoryBuckets', () => {
  it('spends the burst, refuses with the time until a refill, and refills at the rate', async () => {
    let now = 1_000_000;
    const buckets = new MemoryBuckets(() => now);
    const rule = { perSecond: 2, burst: 3 };
    for (let i = 0; i < 3; i++) expect((await buckets.take('a', 1, rule)).allowed).toBe(true);
    expect(await buckets.take('a', 1, rule)).toEqual({ allowed: false, remaining: 0, retryAfterMs: 500 });
    expect((await buckets.take('b', 1, rule)).allowed).toBe(true); // another key has its own bucket
    now += 500;
    expect((await buckets.take('a', 1, rule)).allowed).toBe(true);
    expect((await buckets.take('a', 1, rule)).allowed).toBe(false);
    now += 60_000; // never more than the burst
    expect((await buckets.take('a', 3, rule)).remaining).toBe(0);
  });

  it('lets an amount larger than the burst take the whole full bucket', async () => {
    const buckets = new MemoryBuckets(() => 0);
    expect((await buckets.take('a', 1000, { perSecond: 1, burst: 10 })).allowed).toBe(true);
    expect(await buckets.take('a', 1000, { perSecond: 1, burst: 10 })).toEqual({ allowed: false, remaining: 0, retryAfterMs: 10_000 });
  });

  it('forgets the least recently used keys beyond its size', async () => {
    const buckets = new MemoryBuckets(() => 0, 2);
    const rule = { perSecond: 1, burst: 1 };
    await buckets.take('a', 1, rule);
    await buckets.take('b', 1, rule);
    await buckets.take('c', 1, rule);
    expect((await buckets.take('a', 1, rule)).allowed).toBe(true); // 'a' was dropped: a full bucket again
  });
});

describe('createRateLimiter', () => {
  it('takes one request per operation of a batch, all or none', async () => {
    const logger = pino({ level: 'silent' });
    const limiter = createRateLimiter({
      config: { ...readRateLimitConfig({}), requests: { perSecond: 0.001, burst: 5 } },
      redis: undefined,
      keyPrefix: 'test',
      timeoutMs: 250,
      logger,
    });
    const client = { auth: { kind: 'jwt', subject: 'batcher' } };
    expect(limiter.largestRequest).toBe(5);
    expect(await limiter.takeRequest(client, 3)).toBeUndefined();
    expect(await limiter.takeRequest(client, 3)).toMatchObject({ status: 429, code: 'RATE_LIMITED', extensions: { budget: 'requests' } }); // 2 left
    expect(await limiter.takeRequest(client, 2)).toBeUndefined();
    expect(await limiter.takeRequest(client)).toMatchObject({ status: 429 });
    expect(
      createRateLimiter({ config: { ...readRateLimitConfig({ RATE_LIMIT: 'off' }) }, redis: undefined, keyPrefix: 'test', timeoutMs: 250, logger })
        .largestRequest,
    ).toBe(Number.POSITIVE_INFINITY);
  });

  it('counts a batch as one request per operation', () => {
    const batch = (n: number): unknown[] => Array.from({ length: n }, () => ({ query: '{ a }' }));
    const count = (body: unknown, method = 'POST'): number => requestCount({ method, body, search: new URLSearchParams() }, 10);
    expect([count(batch(1)), count(batch(7)), count(batch(10))]).toEqual([1, 7, 10]);
    // One request: a single operation, a GET, a malformed request, and what is refused anyway (an oversized or empty batch).
    expect([count({ query: '{ a }' }), count(undefined, 'GET'), requestCount(undefined, 10), count(batch(11)), count([])]).toEqual([1, 1, 1, 1, 1]);
  });
});

describe('clientKey and the error', () => {
  it('keys on the subject when authenticated, else on the client IP', () => {
    expect(clientKey({ auth: { kind: 'jwt', subject: 'user-1' }, clientIp: '10.0.0.1' })).toBe('sub:user-1');
    expect(clientKey({ auth: { kind: 'anonymous', subject: 'anonymous' }, clientIp: '10.0.0.1' })).toBe('anon:10.0.0.1');
    expect(clientKey({})).toBe('anon:unknown');
  });

  it('is a 429 with Retry-After in whole seconds, at least 1', () => {
    const error = rateLimitedError(1200, 'requests');
    expect(error.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 2, http: { status: 429 } });
    expect((error.extensions.http as { headers: Map<string, string> }).headers.get('retry-after')).toBe('2');
    expect(rateLimitedError(0, 'cost').extensions.retryAfter).toBe(1);
  });
});

/** A stand-in for node-redis: ready or not, and a script reply, failure or silence on demand. */
class FakeScriptClient implements ScriptClient {
  isReady = true;
  calls = 0;
  answer: 'ok' | 'fail' | 'hang' = 'ok';
  private readonly memory = new MemoryBuckets(() => 0);

  async evalSha(_sha: string, options: { keys: string[]; arguments: string[] }): Promise<unknown> {
    this.calls++;
    if (this.answer === 'fail') throw new Error("READONLY You can't write against a read only replica.");
    if (this.answer === 'hang') return new Promise(() => undefined);
    const taken = await this.memory.take(options.keys[0]!, Number(options.arguments[2]), {
      perSecond: Number(options.arguments[0]) * 1000,
      burst: Number(options.arguments[1]),
    });
    return [taken.allowed ? 1 : 0, taken.remaining, taken.retryAfterMs];
  }

  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown> {
    return this.evalSha(script, options);
  }
}

describe('FallbackBuckets', () => {
  const rule = { perSecond: 0.001, burst: 2 };
  const setUp = (client: FakeScriptClient, now = () => 0) => {
    const switches: Backend[] = [];
    const buckets = new FallbackBuckets({
      redis: new RedisBuckets(client, 'test'),
      timeoutMs: 20,
      probeEveryMs: 1000,
      onSwitch: (backend) => switches.push(backend),
      now,
    });
    const allowed = async (key: string, n: number) => {
      const out: boolean[] = [];
      for (let i = 0; i < n; i++) out.push((await buckets.take(key, 1, rule)).allowed);
      return out;
    };
    return { buckets, switches, allowed };
  };

  it('takes from Redis while it answers', async () => {
    const client = new FakeScriptClient();
    const { buckets, switches, allowed } = setUp(client);
    expect(await allowed('a', 3)).toEqual([true, true, false]);
    expect(client.calls).toBe(3);
    expect(buckets.backend).toBe('redis');
    expect(switches).toEqual([]);
  });

  it.each([
    ['not connected', (client: FakeScriptClient) => (client.isReady = false), 0],
    ['failing', (client: FakeScriptClient) => (client.answer = 'fail'), 1],
    ['not answering within the deadline', (client: FakeScriptClient) => (client.answer = 'hang'), 1],
  ])('limits from memory, with the same budget, while Redis is %s, and switches once', async (_, breakIt, redisCalls) => {
    const client = new FakeScriptClient();
    breakIt(client);
    const { buckets, switches, allowed } = setUp(client);
    expect(await allowed('a', 3)).toEqual([true, true, false]);
    expect(await allowed('b', 1)).toEqual([true]);
    expect(buckets.backend).toBe('memory');
    expect(switches).toEqual(['memory']);
    // Only the first take waited for Redis; the others went straight to memory until the next probe.
    expect(client.calls).toBe(redisCalls);
  });

  it('goes back to Redis at the first probe it answers, at most one probe per interval', async () => {
    let now = 0;
    const client = new FakeScriptClient();
    client.answer = 'fail';
    const { buckets, switches, allowed } = setUp(client, () => now);
    expect(await allowed('a', 3)).toEqual([true, true, false]);
    expect(client.calls).toBe(1);
    now += 1000; // a probe is due, and fails: memory again, next probe a second later
    expect(await allowed('a', 2)).toEqual([false, false]);
    expect(client.calls).toBe(2);
    client.answer = 'ok';
    now += 999;
    expect(await allowed('a', 1)).toEqual([false]);
    expect(client.calls).toBe(2);
    now += 1;
    // Redis has its own bucket for 'a' (never spent there): the probe is answered from it.
    expect(await allowed('a', 3)).toEqual([true, true, false]);
    expect(client.calls).toBe(5);
    expect(buckets.backend).toBe('redis');
    expect(switches).toEqual(['memory', 'redis']);
  });

  it('does not probe while the client is not connected', async () => {
    let now = 0;
    const client = new FakeScriptClient();
    client.isReady = false;
    const { switches, allowed } = setUp(client, () => now);
    await allowed('a', 1);
    now += 5000;
    await allowed('a', 1);
    expect(client.calls).toBe(0);
    expect(switches).toEqual(['memory']);
  });
});

/** A pino logger whose lines are kept, parsed. */
function capturingLogger(): { logger: pino.Logger; lines: Array<{ level: number; msg: string }> } {
  const lines: Array<{ level: number; msg: string }> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as { level: number; msg: string });
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines };
}

const SWITCHED_TO_MEMORY = 'rate limit store (Redis) unavailable; limiting per replica in memory until it is back';
const BACK_TO_REDIS = 'rate limit store (Redis) back; budgets shared through it again';
const BUDGET = { enabled: true, requests: { perSecond: 0.001, burst: 3 }, cost: { perSecond: 0.001, burst: 1_000_000 } };

async function backendGauge(metrics: GatewayMetrics): Promise<Record<string, number>> {
  return Object.fromEntries((await metrics.rateLimitBackend.get()).values.map((v) => [String(v.labels.backend), v.value]));
}

describe('createRateLimiter with Redis unreachable', () => {
  it('refuses the request over the budget with 429 RATE_LIMITED from memory buckets, shows it in the gauge and logs it once', async () => {
    const { logger, lines } = capturingLogger();
    const metrics = new GatewayMetrics({ defaultMetrics: false });
    const stores = createCacheStores({ redisUrl: `redis://127.0.0.1:${await freePort()}`, logger, metrics });
    try {
      const limiter = createRateLimiter({ config: BUDGET, redis: stores.redis, keyPrefix: 'test', timeoutMs: 250, logger, metrics });
      const client = { auth: { kind: 'jwt', subject: 'user-1' } };
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push(await limiter.takeRequest(client));
      expect(answers.slice(0, 3)).toEqual([undefined, undefined, undefined]);
      expect(answers[3]).toMatchObject({ status: 429, code: 'RATE_LIMITED', extensions: { budget: 'requests' } });
      expect(await limiter.takeRequest({ auth: { kind: 'jwt', subject: 'user-2' } })).toBeUndefined(); // another client has its own bucket
      expect(await backendGauge(metrics)).toEqual({ redis: 0, memory: 1 });
      expect(lines.filter((line) => line.msg === SWITCHED_TO_MEMORY)).toHaveLength(1);
    } finally {
      await stores.close();
    }
  });
});

const REDIS_URL = TEST_REDIS_URL;
const redis = await requireOrSkip('rateLimit.test.ts: the Redis outage test', 'redis');

describe.skipIf(!redis)('createRateLimiter through a Redis that goes away and comes back', () => {
  const prefix = `graph360-test-rlfb-${randomUUID().slice(0, 8)}`;
  afterAll(async () => {
    const client = createClient({ url: REDIS_URL });
    await client.connect();
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) if (keys.length > 0) await client.del(keys);
    await client.close();
  });

  it('limits from memory during the outage and from Redis again once it is back, without a restart', async () => {
    const proxy = new RedisProxy(new URL(REDIS_URL));
    await proxy.open();
    const { logger, lines } = capturingLogger();
    const metrics = new GatewayMetrics({ defaultMetrics: false });
    const stores = createCacheStores({ redisUrl: proxy.url, keyPrefix: prefix, logger, metrics });
    try {
      const limiter = createRateLimiter({ config: BUDGET, redis: stores.redis, keyPrefix: prefix, timeoutMs: 250, probeEveryMs: 50, logger, metrics });
      const x = { auth: { kind: 'jwt', subject: 'x' } };
      const statuses = async (context: typeof x, n: number) => {
        const out: number[] = [];
        for (let i = 0; i < n; i++) out.push((await limiter.takeRequest(context))?.status ?? 200);
        return out;
      };
      await until('Redis connected through the proxy', () => stores.redis!.isReady);

      // Two of x's three requests spent in Redis.
      expect(await statuses(x, 2)).toEqual([200, 200]);
      expect(await backendGauge(metrics)).toEqual({ redis: 1, memory: 0 });

      await proxy.close();
      // Redis is gone: x is limited by a full bucket in memory, not let through.
      expect(await statuses(x, 4)).toEqual([200, 200, 200, 429]);
      expect(await backendGauge(metrics)).toEqual({ redis: 0, memory: 1 });

      await proxy.open();
      let probes = 0;
      await until('the limiter back on Redis', async () => {
        await limiter.takeRequest({ auth: { kind: 'jwt', subject: `probe-${probes++}` } });
        return (await backendGauge(metrics)).redis === 1;
      });
      expect(await backendGauge(metrics)).toEqual({ redis: 1, memory: 0 });
      // x's bucket is Redis's again: one request left there (its memory bucket is empty).
      expect(await statuses(x, 2)).toEqual([200, 429]);
      expect(lines.filter((line) => line.msg === SWITCHED_TO_MEMORY)).toHaveLength(1);
      expect(lines.filter((line) => line.msg === BACK_TO_REDIS)).toHaveLength(1);
    } finally {
      await stores.close();
      await proxy.close();
    }
  });
});
