import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Stripe from 'stripe';
import { SandboxStore } from '../../kit/src/index.js';
import { IDEMPOTENCY_TTL_MS, IdempotencyKeys } from './idempotency.js';
import { startSandbox, type TestSandbox } from './testSandbox.js';

let t: TestSandbox;

beforeAll(async () => {
  t = await startSandbox();
});
afterAll(async () => {
  await t.close();
});

const countByInvoice = async (invoiceId: string): Promise<number> =>
  (await t.stripe.paymentIntents.search({ query: `metadata['erp_invoice_id']:'${invoiceId}'`, expand: ['total_count'] })).total_count!;

const params = (invoiceId: string, amount = 4_200): Stripe.PaymentIntentCreateParams => ({
  amount,
  currency: 'usd',
  payment_method: 'pm_card_visa',
  confirm: true,
  metadata: { erp_invoice_id: invoiceId },
});

describe('Idempotency-Key', () => {
  it('replays the first response for the same key and parameters, creating one object and one event', async () => {
    const first = await t.stripe.paymentIntents.create(params('700001'), { idempotencyKey: 'pay-700001' });
    const second = await t.stripe.paymentIntents.create(params('700001'), { idempotencyKey: 'pay-700001' });
    expect(second.id).toBe(first.id);
    expect(second).toEqual(first);
    expect(first.lastResponse.headers['idempotent-replayed']).toBeUndefined();
    expect(second.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(second.lastResponse.headers['original-request']).toBe(first.lastResponse.requestId);
    expect(second.lastResponse.requestId).not.toBe(first.lastResponse.requestId);
    expect(await countByInvoice('700001')).toBe(1);
    const events = await t.stripe.events.list({ type: 'payment_intent.succeeded', limit: 100 });
    expect(events.data.filter((e) => (e.data.object as Stripe.PaymentIntent).id === first.id)).toHaveLength(1);
  });

  it('replays byte for byte over plain HTTP, status and body', async () => {
    const send = () =>
      fetch(`${t.url}/v1/payment_intents`, {
        method: 'POST',
        headers: { authorization: 'Bearer sk_test_sandbox', 'content-type': 'application/x-www-form-urlencoded', 'idempotency-key': 'raw-1' },
        body: 'amount=4200&currency=usd&payment_method=pm_card_chargeDeclined&confirm=true&metadata[erp_invoice_id]=700002',
      });
    const first = await send();
    const second = await send();
    expect(first.status).toBe(402);
    expect(second.status).toBe(402);
    expect(await second.text()).toBe(await first.text());
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.headers.get('idempotency-key')).toBe('raw-1');
    expect(await countByInvoice('700002')).toBe(1);
  });

  it('refuses the same key with other parameters with an idempotency_error', async () => {
    await t.stripe.paymentIntents.create(params('700003'), { idempotencyKey: 'pay-700003' });
    const error = await t.stripe.paymentIntents.create(params('700003', 9_999), { idempotencyKey: 'pay-700003' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(error).toMatchObject({
      statusCode: 400,
      message:
        "Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than 'pay-700003' if you meant to execute a different request.",
    });
    const otherEndpoint = await t.stripe.customers.create({ name: 'x' }, { idempotencyKey: 'pay-700003' }).catch((e: unknown) => e);
    expect(otherEndpoint).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(await countByInvoice('700003')).toBe(1);
  });

  it('does not save a refused request: the same key may be used again once the request is fixed', async () => {
    const bad = await t.stripe.refunds.create({ payment_intent: 'pi_missing' }, { idempotencyKey: 'refund-fix' }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ statusCode: 400, code: 'resource_missing' });
    const pi = await t.stripe.paymentIntents.create(params('700004'));
    // The same key with other parameters is accepted: nothing was saved for the refused request.
    const refund = await t.stripe.refunds.create({ payment_intent: pi.id }, { idempotencyKey: 'refund-fix' });
    expect(refund.amount).toBe(4_200);
  });

  it('serializes two requests sent at once with the same key: one executes, the other replays', async () => {
    const [a, b] = await Promise.all([
      t.stripe.paymentIntents.create(params('700005'), { idempotencyKey: 'pay-700005' }),
      t.stripe.paymentIntents.create(params('700005'), { idempotencyKey: 'pay-700005' }),
    ]);
    expect(a.id).toBe(b.id);
    expect([a.lastResponse.headers['idempotent-replayed'], b.lastResponse.headers['idempotent-replayed']].filter(Boolean)).toEqual(['true']);
    expect(await countByInvoice('700005')).toBe(1);
  });
});

describe('IdempotencyKeys', () => {
  const response = { status: 200, body: '{"id": "pi_1"}', requestId: 'req_1' };

  it('scopes keys to the API key, and forgets them after 24 hours', () => {
    const store = SandboxStore.open({ file: ':memory:', seedKey: 'test', seed: () => ({}) });
    try {
      const keys = new IdempotencyKeys(store);
      const t0 = 1_000_000;
      keys.save('sk_test_a', 'k', 'POST', '/v1/payment_intents', 'hash', response, t0);
      expect(keys.check('sk_test_a', 'k', 'POST', '/v1/payment_intents', 'hash', t0 + 1)).toEqual({ kind: 'replay', response });
      expect(keys.check('sk_test_b', 'k', 'POST', '/v1/payment_intents', 'other', t0 + 1)).toEqual({ kind: 'new' });
      expect(keys.check('sk_test_a', 'k', 'POST', '/v1/payment_intents', 'other', t0 + IDEMPOTENCY_TTL_MS)).toEqual({ kind: 'new' });
      expect(() => keys.check('sk_test_a', 'k'.repeat(256), 'POST', '/v1/payment_intents', 'hash')).toThrow(/at most 255/);
    } finally {
      store.close();
    }
  });
});
