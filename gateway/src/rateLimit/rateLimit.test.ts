/**
 * Token buckets in memory (with a fake clock) and the client key; the Redis store is
 * exercised against the real Redis by test/security.rateLimit.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { clientKey, createRateLimiter, MemoryBuckets, rateLimitedError, readRateLimitConfig } from './index.js';

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
    const limiter = createRateLimiter({ config: { ...readRateLimitConfig({}), requests: { perSecond: 0.001, burst: 5 } }, redis: undefined, keyPrefix: 'test', logger });
    const client = { auth: { kind: 'jwt', subject: 'batcher' } };
    expect(limiter.largestRequest).toBe(5);
    expect(await limiter.takeRequest(client, 3)).toBeUndefined();
    expect(await limiter.takeRequest(client, 3)).toMatchObject({ status: 429, code: 'RATE_LIMITED', extensions: { budget: 'requests' } }); // 2 left
    expect(await limiter.takeRequest(client, 2)).toBeUndefined();
    expect(await limiter.takeRequest(client)).toMatchObject({ status: 429 });
    expect(createRateLimiter({ config: { ...readRateLimitConfig({ RATE_LIMIT: 'off' }) }, redis: undefined, keyPrefix: 'test', logger }).largestRequest).toBe(Number.POSITIVE_INFINITY);
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
