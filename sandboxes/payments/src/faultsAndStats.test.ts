import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import Stripe from 'stripe';
import { generateWorld } from '../../kit/src/index.js';
import { startSandbox, TEST_SCALE, type TestSandbox } from './testSandbox.js';

const world = generateWorld({ seed: 1, scale: Number(TEST_SCALE) });
let t: TestSandbox;

beforeAll(async () => {
  t = await startSandbox();
});
afterAll(async () => {
  await t.close();
});

const setFaults = async (faults: Record<string, unknown>): Promise<void> => {
  const response = await fetch(`${t.url}/__sandbox/faults`, { method: 'POST', body: JSON.stringify(faults) });
  expect(response.status).toBe(200);
};
const clearFaults = async (): Promise<void> => {
  expect((await fetch(`${t.url}/__sandbox/faults`, { method: 'DELETE' })).status).toBe(200);
};

describe('injected faults, in Stripe terms', () => {
  beforeEach(clearFaults);

  it('answers a server error with a 500 api_error', async () => {
    await setFaults({ errorRate: 1 });
    const error = await t.stripe.customers.retrieve(world.customers[0]!.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeAPIError);
    expect(error).toMatchObject({ statusCode: 500, rawType: 'api_error', message: 'An unknown error occurred', requestId: expect.stringMatching(/^req_/) });
  });

  it('answers a rate limit with a 429 and Retry-After', async () => {
    await setFaults({ rateLimitRate: 1, retryAfterSeconds: 3 });
    const error = await t.stripe.paymentIntents.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
    expect(error).toMatchObject({ statusCode: 429, code: 'rate_limit' });
    expect((error as Stripe.errors.StripeError).headers?.['retry-after']).toBe('3');
  });

  it('drops the connection when down, and recovers once the faults are cleared', async () => {
    await setFaults({ down: true });
    const error = await t.stripe.customers.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeConnectionError);
    await clearFaults();
    expect((await t.stripe.customers.list({ limit: 1 })).data).toHaveLength(1);
  });

  it('creates one payment when the client retries a POST answered by an injected 500 (answered before the request runs)', async () => {
    await setFaults({ errorRate: 1, remaining: 1, operations: ['payment_intents.create'] });
    const client = t.client({ maxNetworkRetries: 2 });
    const pi = await client.paymentIntents.create({
      amount: 5_000,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      confirm: true,
      metadata: { erp_invoice_id: '820001' },
    });
    expect(pi.status).toBe('succeeded');
    const found = await t.stripe.paymentIntents.search({ query: "metadata['erp_invoice_id']:'820001'" });
    expect(found.data.map((p) => p.id)).toEqual([pi.id]);
    expect((t.sandbox.stats().faults as Record<string, number>).error).toBeGreaterThanOrEqual(1);
  });
});

describe('stats', () => {
  it('counts calls per operation exactly, auth failures apart, and resets', async () => {
    await clearFaults();
    expect((await fetch(`${t.url}/__sandbox/stats/reset`, { method: 'POST' })).status).toBe(200);
    await t.stripe.customers.retrieve(world.customers[0]!.id);
    await t.stripe.customers.retrieve(world.customers[1]!.id);
    await t.stripe.paymentIntents.search({ query: "status:'succeeded'" });
    await t.stripe.refunds.list({ limit: 1 });
    await t
      .client({}, 'sk_test_wrong')
      .customers.list()
      .catch(() => undefined);
    await fetch(`${t.url}/v1/unknown`, { headers: { authorization: 'Bearer sk_test_sandbox' } });
    const stats = (await (await fetch(`${t.url}/__sandbox/stats`)).json()) as { total: number; operations: Record<string, number> };
    expect(stats).toMatchObject({
      total: 5,
      operations: { 'auth.rejected': 1, 'customers.retrieve': 2, 'payment_intents.search': 1, 'refunds.list': 1 },
    });
    expect(Object.keys(stats.operations)).toHaveLength(4);
    expect(t.sandbox.stats().total).toBe(5);
    await fetch(`${t.url}/__sandbox/stats/reset`, { method: 'POST' });
    expect(t.sandbox.stats()).toMatchObject({ total: 0, operations: {} });
  });
});
