/**
 * HubSpot's burst limit: per token, over a rolling 10 s window, answered with its 429 body
 * and X-HubSpot-RateLimit-* headers; another token is not affected.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RollingRateLimiter } from './rateLimiter.js';
import { startTestSandbox, TEST_TOKEN, UUID, type TestSandbox } from './testSandbox.js';

describe('RollingRateLimiter', () => {
  it('admits max requests per rolling window and frees a slot as the oldest ages out', () => {
    let now = 1_000;
    const limiter = new RollingRateLimiter(3, 10_000, () => now);
    expect([1, 2, 3].map(() => limiter.take('a').headers['x-hubspot-ratelimit-remaining'])).toEqual(['2', '1', '0']);
    expect(limiter.take('a').allowed).toBe(false);
    now = 5_000;
    expect(limiter.take('a').allowed).toBe(false);
    expect(limiter.take('b').allowed).toBe(true);
    now = 10_999;
    expect(limiter.take('a').allowed).toBe(false);
    // The three requests of t=1000 leave the window at t=11000; refused ones never entered it.
    now = 11_000;
    expect(limiter.take('a')).toEqual({
      allowed: true,
      headers: { 'x-hubspot-ratelimit-interval-milliseconds': '10000', 'x-hubspot-ratelimit-max': '3', 'x-hubspot-ratelimit-remaining': '2' },
    });
  });

  it('is off at 0: everything admitted, no headers', () => {
    const limiter = new RollingRateLimiter(0);
    expect(Array.from({ length: 500 }, () => limiter.take('a')).every((d) => d.allowed && Object.keys(d.headers).length === 0)).toBe(true);
  });
});

describe('CRM sandbox burst limit', () => {
  let t: TestSandbox | undefined;
  afterEach(async () => {
    await t?.stop();
    t = undefined;
  });

  it('answers the sixth request of a token with HubSpot 429, while another token goes on', async () => {
    t = await startTestSandbox({ CRM_SANDBOX_RATE_LIMIT: '5', CRM_SANDBOX_TOKENS: 'second-app-token' });
    const path = '/crm/v3/objects/companies/10000001';
    const remaining: Array<string | null> = [];
    for (let i = 0; i < 5; i++) {
      const response = await t.call('GET', path);
      expect(response.status).toBe(200);
      remaining.push(response.headers.get('x-hubspot-ratelimit-remaining'));
    }
    expect(remaining).toEqual(['4', '3', '2', '1', '0']);

    const limited = await t.call('GET', path);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('x-hubspot-ratelimit-max')).toBe('5');
    expect(limited.headers.get('x-hubspot-ratelimit-remaining')).toBe('0');
    expect(limited.headers.get('x-hubspot-ratelimit-interval-milliseconds')).toBe('10000');
    const body = limited.body as Record<string, unknown>;
    expect(body).toEqual({
      status: 'error',
      message: 'You have reached your ten_secondly_rolling limit.',
      correlationId: body.correlationId,
      errorType: 'RATE_LIMIT',
      policyName: 'TEN_SECONDLY_ROLLING',
      category: 'RATE_LIMITS',
    });
    expect(body.correlationId).toMatch(UUID);

    const other = await t.call('GET', path, undefined, 'second-app-token');
    expect(other.status).toBe(200);
    expect(other.headers.get('x-hubspot-ratelimit-remaining')).toBe('4');
    // The refused call is counted apart from the calls that were served.
    expect(t.sandbox.stats().operations).toEqual({ 'companies.getById': 6, 'rateLimit.rejected': 1 });
    // Operator endpoints are not product calls: never limited.
    expect((await fetch(`${t.url}/__sandbox/health`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } })).status).toBe(200);
  });

  it('does not limit when CRM_SANDBOX_RATE_LIMIT is 0', async () => {
    t = await startTestSandbox({ CRM_SANDBOX_RATE_LIMIT: '0' });
    const statuses = await Promise.all(Array.from({ length: 30 }, () => t!.call('GET', '/crm/v3/objects/deals?limit=1').then((r) => r.status)));
    expect(statuses.every((status) => status === 200)).toBe(true);
  });
});
