/**
 * POST /webhooks/stripe: signed events are handed to onEvent once; a tampered, unsigned,
 * stale or wrongly signed body is refused with a 400. End to end, the sandbox's webhook
 * endpoint is pointed at the subgraph and a paid invoice's payment_intent.succeeded
 * arrives at the hook.
 */
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPaymentsSubgraph, type PaymentsSubgraph } from '../createPaymentsSubgraph.js';
import { startMoneySandboxes, type MoneySandboxes } from '../testSandboxes.js';
import { postGraphQL, testSubgraphConfig, waitFor } from '../testSupport.js';

const SECRET = 'whsec_route_test_secret';

function eventPayload(id: string, type = 'payment_intent.succeeded'): string {
  return JSON.stringify({
    id,
    object: 'event',
    api_version: Stripe.API_VERSION,
    created: Math.floor(Date.now() / 1000),
    data: { object: { id: 'pi_RouteTest000000000000000', object: 'payment_intent' } },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
  });
}

function post(url: string, body: string, signature?: string): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(signature ? { 'stripe-signature': signature } : {}) }, body });
}

describe('the webhook route', () => {
  const received: Stripe.Event[] = [];
  let failNext = false;
  let subgraph: PaymentsSubgraph;
  let hookUrl: string;

  beforeAll(async () => {
    // The route needs no API calls: the API URL points nowhere.
    subgraph = await createPaymentsSubgraph(testSubgraphConfig('http://127.0.0.1:9', { STRIPE_WEBHOOK_SECRET: SECRET }), {
      onEvent: (event) => {
        if (failNext) {
          failNext = false;
          throw new Error('cache unavailable');
        }
        received.push(event);
      },
    });
    hookUrl = (await subgraph.server.listen(0)).replace('/graphql', '/webhooks/stripe');
  });

  afterAll(async () => {
    await subgraph?.server.close();
  });

  it('accepts a correctly signed event once and acknowledges a redelivery without handling it again', async () => {
    const payload = eventPayload('evt_RouteTestOnce');
    const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET });
    const first = await post(hookUrl, payload, signature);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ received: true });
    const again = await post(hookUrl, payload, Stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET }));
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ received: true, duplicate: true });
    expect(received.filter((e) => e.id === 'evt_RouteTestOnce').map((e) => e.type)).toEqual(['payment_intent.succeeded']);
  });

  it('refuses a tampered body, a missing signature, a wrong secret and a stale timestamp with 400', async () => {
    const payload = eventPayload('evt_RouteTestTampered');
    const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET });
    const cases = [
      post(hookUrl, payload.replace('payment_intent.succeeded', 'payment_intent.canceled'), signature),
      post(hookUrl, payload),
      post(hookUrl, payload, Stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_someone_else' })),
      post(hookUrl, payload, Stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET, timestamp: Math.floor(Date.now() / 1000) - 3600 })),
    ];
    for (const response of await Promise.all(cases)) {
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: expect.stringMatching(/signature/i) });
    }
    expect(received.map((e) => e.id)).not.toContain('evt_RouteTestTampered');
  });

  it('answers 500 when the hook fails, so that Stripe delivers again, and handles the redelivery', async () => {
    const payload = eventPayload('evt_RouteTestRetry', 'charge.refunded');
    failNext = true;
    const failed = await post(hookUrl, payload, Stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET }));
    expect(failed.status).toBe(500);
    const retried = await post(hookUrl, payload, Stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET }));
    expect(await retried.json()).toEqual({ received: true });
    expect(received.filter((e) => e.id === 'evt_RouteTestRetry')).toHaveLength(1);
  });
});

describe('webhooks from the sandbox', () => {
  let sandboxes: MoneySandboxes;
  let subgraph: PaymentsSubgraph;
  const received: Stripe.Event[] = [];

  beforeAll(async () => {
    sandboxes = await startMoneySandboxes();
  });

  afterAll(async () => {
    await subgraph?.server.close();
    await sandboxes?.close();
  });

  it("delivers a paid invoice's payment_intent.succeeded to the hook, signed with the endpoint's secret", async () => {
    const port = Number(new URL(sandboxes.paymentsUrl).port);
    const stripe = new Stripe('sk_test_sandbox', { host: '127.0.0.1', port, protocol: 'http', maxNetworkRetries: 0 });
    // Stripe shows an endpoint's signing secret when it is made; the subgraph needs it before it listens,
    // so the endpoint is made first and pointed at the subgraph once its port is known.
    const endpoint = await stripe.webhookEndpoints.create({
      url: 'http://127.0.0.1:9/not-yet',
      enabled_events: ['payment_intent.succeeded', 'payment_intent.payment_failed'],
    });
    subgraph = await createPaymentsSubgraph(testSubgraphConfig(sandboxes.paymentsUrl, { ERP_URL: sandboxes.erpUrl, STRIPE_WEBHOOK_SECRET: endpoint.secret! }), {
      onEvent: (event) => void received.push(event),
    });
    const url = await subgraph.server.listen(0);
    await stripe.webhookEndpoints.update(endpoint.id, { url: url.replace('/graphql', '/webhooks/stripe') });

    const invoice = sandboxes.takeInvoice((i) => i.residual >= 4200);
    const res = await postGraphQL<{ payInvoice: { payment: { id: string } } }>(
      url,
      'mutation($i: PayInvoiceInput!) { payInvoice(input: $i) { payment { id } } }',
      {
        i: {
          customerId: invoice.companyId,
          invoiceId: invoice.invoiceId,
          amount: { amount: 4200, currency: invoice.currency },
          idempotencyKey: 'webhook-e2e-payment-1',
        },
      },
    );
    expect(res.errors).toBeUndefined();
    const paymentId = res.data!.payInvoice.payment.id;

    const event = await waitFor(
      () => received.find((e) => e.type === 'payment_intent.succeeded' && (e.data.object as { id: string }).id === paymentId),
      `payment_intent.succeeded for ${paymentId}`,
    );
    expect(event.data.object).toMatchObject({
      id: paymentId,
      amount: 4200,
      currency: invoice.currency.toLowerCase(),
      metadata: { erp_invoice_id: invoice.invoiceId, crm_company_id: invoice.companyId },
    });
    expect(event.request).toMatchObject({ idempotency_key: 'webhook-e2e-payment-1' });
  });
});
