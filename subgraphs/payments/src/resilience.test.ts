/**
 * The connector against a misbehaving backend, with faults switched on in the sandbox:
 * retries that recover, a 429's Retry-After, a breaker that opens and closes again, a
 * hung and a down backend, and credentials that never reach a client or a log line.
 * Counts come from the sandbox's own stats, not from timings.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PaymentsSubgraphConfig } from './config.js';
import { createPaymentsSubgraph, type CreatePaymentsSubgraphOptions, type PaymentsSubgraph } from './createPaymentsSubgraph.js';
import { DEADLINE_HEADER } from '../../../lib/deadlineHeader.js';
import { startMoneySandboxes, type MoneySandboxes } from './testSandboxes.js';
import { capturingLogger, entitiesQuery, postGraphQL, representations, sandboxOperator, stripeGet, testSubgraphConfig, waitFor } from './testSupport.js';

let sandboxes: MoneySandboxes;
let sandboxUrl: string;
const started: PaymentsSubgraph[] = [];
const ops = () => sandboxOperator(sandboxUrl);

beforeAll(async () => {
  sandboxes = await startMoneySandboxes({ scale: '0.1' });
  sandboxUrl = sandboxes.paymentsUrl;
});

afterEach(async () => {
  await ops().clearFaults();
  await ops().resetStats();
});

afterAll(async () => {
  for (const subgraph of started) await subgraph.server.close();
  await sandboxes?.close();
});

/** A fresh subgraph (its own breaker) with these policy settings. */
async function start(
  env: Record<string, string> = {},
  options: CreatePaymentsSubgraphOptions = {},
): Promise<{ subgraph: PaymentsSubgraph; url: string; config: PaymentsSubgraphConfig }> {
  const config = testSubgraphConfig(sandboxUrl, { ERP_URL: sandboxes.erpUrl, ...env });
  const subgraph = await createPaymentsSubgraph(config, options);
  started.push(subgraph);
  return { subgraph, url: await subgraph.server.listen(0), config };
}

describe('retries', () => {
  it('retries a read that failed with a server error, and it succeeds on the second attempt', async () => {
    const { subgraph } = await start();
    await ops().setFaults({ errorRate: 1, remaining: 1 });
    const customers = await subgraph.connector.findCustomersByCompanyIds(['10000001']);
    expect(customers.map((c) => c.companyId)).toEqual(['10000001']);
    expect(await ops().stats()).toMatchObject({ operations: { 'customers.search': 2 }, faults: { error: 1 } });
  });

  it("honours a 429's Retry-After and succeeds on the second attempt", async () => {
    const { subgraph } = await start();
    await ops().setFaults({ rateLimitRate: 1, retryAfterSeconds: 1, remaining: 1 });
    const payments = await subgraph.connector.searchPaymentsByInvoiceIds(['1', '2', '3']);
    expect(payments.length).toBeGreaterThan(0);
    expect(await ops().stats()).toMatchObject({ operations: { 'payment_intents.search': 2 }, faults: { rateLimit: 1 } });
  });

  it('gives up after PAYMENTS_MAX_ATTEMPTS and reports BACKEND_ERROR', async () => {
    const { subgraph } = await start({ PAYMENTS_MAX_ATTEMPTS: '3' });
    await ops().setFaults({ errorRate: 1 });
    await expect(subgraph.connector.findCustomersByCompanyIds(['10000001'])).rejects.toMatchObject({ code: 'BACKEND_ERROR', status: 500 });
    expect((await ops().stats()).operations).toEqual({ 'customers.search': 3 });
  });

  it('does not retry a declined payment: one create call, PAYMENT_DECLINED', async () => {
    const { url } = await start();
    const invoice = sandboxes.takeInvoice((i) => i.residual >= 5000);
    await ops().resetStats();
    const res = await postGraphQL(url, 'mutation($i: PayInvoiceInput!) { payInvoice(input: $i) { payment { id } } }', {
      i: {
        customerId: invoice.companyId,
        invoiceId: invoice.invoiceId,
        amount: { amount: 5000, currency: invoice.currency },
        paymentMethodId: 'pm_card_chargeDeclined',
        idempotencyKey: 'resilience-decline-1',
      },
    });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'PAYMENT_DECLINED', declineCode: 'generic_decline' });
    expect((await ops().stats()).operations['payment_intents.create']).toBe(1);
  });
});

describe('the circuit breaker', () => {
  it('opens after consecutive failures, fails fast without reaching the backend, and closes once it is healthy', async () => {
    const { subgraph, url } = await start({ PAYMENTS_MAX_ATTEMPTS: '1', PAYMENTS_BREAKER_THRESHOLD: '3', PAYMENTS_BREAKER_HALF_OPEN_MS: '200' });
    await ops().setFaults({ errorRate: 1 });
    for (let i = 0; i < 3; i++) {
      await expect(subgraph.connector.findCustomersByCompanyIds(['10000001'])).rejects.toMatchObject({ code: 'BACKEND_ERROR' });
    }
    expect(subgraph.connector.policy.breakerState).toBe('open');
    expect((await ops().stats()).total).toBe(3);

    // Open: the call fails at once, the sandbox sees nothing, and the client sees BACKEND_UNAVAILABLE.
    const res = await postGraphQL(url, entitiesQuery('Customer', 'id defaultPaymentMethod { last4 }'), {
      representations: representations('Customer', ['10000001']),
    });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BACKEND_UNAVAILABLE', serviceName: 'payments' });
    expect(res.errors?.[0]?.message).toMatch(/circuit open/);
    const health = (await (await fetch(url.replace('/graphql', '/health'))).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ status: 'ok', service: 'payments', breaker: 'open' });
    expect((await ops().stats()).total).toBe(3);

    await ops().clearFaults();
    const customers = await waitFor(
      () => subgraph.connector.findCustomersByCompanyIds(['10000001']).catch(() => undefined),
      'the breaker to let a trial call through',
    );
    expect(customers).toHaveLength(1);
    expect(subgraph.connector.policy.breakerState).toBe('closed');
  });
});

describe('an unreachable backend', () => {
  it('down: the affected field is null with BACKEND_UNAVAILABLE and serviceName, other fields still resolve', async () => {
    const { url } = await start({ PAYMENTS_MAX_ATTEMPTS: '2' });
    await ops().setFaults({ down: true });
    const res = await postGraphQL(url, entitiesQuery('Customer', 'id defaultPaymentMethod { last4 }'), {
      representations: representations('Customer', ['10000001', '10000002']),
    });
    expect(res.data).toEqual({
      _entities: [
        { id: '10000001', defaultPaymentMethod: null },
        { id: '10000002', defaultPaymentMethod: null },
      ],
    });
    expect(res.errors).toHaveLength(2);
    for (const error of res.errors!) {
      expect(error.extensions).toMatchObject({ code: 'BACKEND_UNAVAILABLE', serviceName: 'payments', backend: 'payments' });
      expect(error.path?.[2]).toBe('defaultPaymentMethod');
    }
    // Two attempts (PAYMENTS_MAX_ATTEMPTS), each sent twice: stripe-node resends once on a reset
    // connection even with maxNetworkRetries 0 (its fix for stale keep-alive sockets).
    expect((await ops().stats()).operations).toEqual({ 'customers.search': 4 });
  });

  it('hung: each attempt is abandoned at PAYMENTS_TIMEOUT_MS, and the call ends BACKEND_UNAVAILABLE', async () => {
    const { subgraph } = await start({ PAYMENTS_MAX_ATTEMPTS: '2', PAYMENTS_TIMEOUT_MS: '200' });
    await ops().setFaults({ hang: true });
    await expect(subgraph.connector.searchPaymentsByInvoiceIds(['1'])).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
    expect((await ops().stats()).operations).toEqual({ 'payment_intents.search': 2 });
  });
});

describe("the gateway's deadline", () => {
  it('a keyed payment it cuts is not abandoned silently: the client is told to resend the key, the write is followed to its end, and the resend charges once', async () => {
    const { logger, lines } = capturingLogger();
    // Attempts of 5 s (the Stripe client's own timeout too); the gateway gives 1.5 s; the create takes 2.5 s.
    const { url } = await start({ PAYMENTS_TIMEOUT_MS: '5000' }, { logger });
    await ops().setFaults({ latencyMs: 2500, operations: ['payment_intents.create'] });
    const invoice = sandboxes.takeInvoice((i) => i.residual >= 4200);
    const input = {
      customerId: invoice.companyId,
      invoiceId: invoice.invoiceId,
      amount: { amount: 4200, currency: invoice.currency },
      idempotencyKey: `deadline-${process.pid}-${Date.now()}`,
    };
    const PAY = 'mutation($i: PayInvoiceInput!) { payInvoice(input: $i) { payment { id } } }';

    const cut = await postGraphQL(url, PAY, { i: input }, { [DEADLINE_HEADER]: '1500' });
    expect(cut.data).toBeNull();
    expect(cut.errors).toHaveLength(1);
    expect(cut.errors![0]).toMatchObject({
      path: ['payInvoice'],
      extensions: { code: 'PAYMENT_OUTCOME_UNKNOWN', serviceName: 'payments', backend: 'payments', retryWithSameKey: true },
    });
    expect(cut.errors![0]!.message).toMatch(/send the same request again with the same idempotencyKey/);
    // One attempt, cut: no retry started without the time to finish it.
    expect((await ops().stats()).operations['payment_intents.create']).toBe(1);

    // The attempt went on, and its outcome is on record with the key.
    const done = await waitFor(
      () =>
        lines
          .map((line) => JSON.parse(line) as Record<string, unknown>)
          .find((line) => line.msg === 'payments write of unknown outcome has completed' && line.idempotencyKey === input.idempotencyKey),
      'the log line of the cut write completing',
    );
    expect(done.id).toMatch(/^pi_/);

    // The resend (no deadline now) gets that payment, and the sandbox holds it once.
    await ops().clearFaults();
    const resent = await postGraphQL<{ payInvoice: { payment: { id: string } } }>(url, PAY, { i: input });
    expect(resent.errors).toBeUndefined();
    expect(resent.data!.payInvoice.payment.id).toBe(done.id);
    const intents = await stripeGet<{ data: Array<{ id: string; metadata: Record<string, string> }> }>(sandboxUrl, '/v1/payment_intents', { limit: '100' });
    expect(intents.data.filter((pi) => pi.metadata.idempotency_key === input.idempotencyKey).map((pi) => pi.id)).toEqual([done.id]);
  });
});

describe('credentials', () => {
  it('a rejected key gives UNAUTHENTICATED without the key in the response or the log', async () => {
    const secretKey = 'sk_test_leakCheckZq9xW7';
    const { logger, lines } = capturingLogger();
    const { url } = await start({ STRIPE_SECRET_KEY: secretKey }, { logger });
    const res = await postGraphQL(url, entitiesQuery('Customer', 'id defaultPaymentMethod { last4 }'), {
      representations: representations('Customer', ['10000001']),
    });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', serviceName: 'payments' });
    const text = [JSON.stringify(res), ...lines].join('\n');
    expect(lines.some((line) => line.includes('UNAUTHENTICATED'))).toBe(true);
    for (const fragment of [secretKey, 'leakCheck', 'Zq9xW7', 'sk_test_']) expect(text).not.toContain(fragment);
    // A rejected key is our mistake, not an unwell backend: the breaker stays closed.
    expect((await ops().stats()).operations).toEqual({ 'auth.rejected': 1 });
  });

  it('no log line or error holds the API key or the webhook secret, through failures, declines and bad input', async () => {
    const { logger, lines } = capturingLogger();
    const { url } = await start({ STRIPE_SECRET_KEY: 'sk_test_sandbox', STRIPE_WEBHOOK_SECRET: 'whsec_sandbox', PAYMENTS_MAX_ATTEMPTS: '2' }, { logger });
    const responses: unknown[] = [];
    await ops().setFaults({ errorRate: 1, remaining: 1 });
    responses.push(
      await postGraphQL(url, entitiesQuery('Customer', 'payments { totalCount } paymentMethods { id }'), {
        representations: representations('Customer', ['10000001']),
      }),
    );
    const invoice = sandboxes.takeInvoice((i) => i.residual >= 5000);
    responses.push(
      await postGraphQL(url, 'mutation($i: PayInvoiceInput!) { payInvoice(input: $i) { payment { id } } }', {
        i: {
          customerId: invoice.companyId,
          invoiceId: invoice.invoiceId,
          amount: { amount: 5000, currency: invoice.currency },
          paymentMethodId: 'pm_card_chargeDeclined',
          idempotencyKey: 'resilience-leak-1',
        },
      }),
    );
    expect(JSON.stringify(responses.at(-1))).toContain('PAYMENT_DECLINED');
    responses.push(await postGraphQL(url, 'query { payment(id: "pi_NoSuchPaymentIntent0000") { id } }'));
    responses.push(
      await (await fetch(url.replace('/graphql', '/webhooks/stripe'), { method: 'POST', headers: { 'stripe-signature': 't=1,v1=00' }, body: '{}' })).text(),
    );
    await ops().setFaults({ down: true });
    responses.push(await postGraphQL(url, entitiesQuery('Invoice', 'payments { id }'), { representations: representations('Invoice', ['1']) }));

    expect(lines.some((line) => line.includes('"secretKey":"[redacted]"') && line.includes('"webhookSecret":"[redacted]"'))).toBe(true);
    expect(lines.filter((line) => line.includes('payments call failed')).length).toBeGreaterThan(1);
    const text = [JSON.stringify(responses), ...lines].join('\n');
    for (const secret of ['sk_test_sandbox', 'whsec_sandbox']) expect(text).not.toContain(secret);
  });
});
