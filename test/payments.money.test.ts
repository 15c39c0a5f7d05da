/**
 * Money through the gateway, against the sandboxes: payInvoice charges an invoice exactly
 * up to what is left to pay however many payments race for it, refuses every payment the
 * invoice does not allow (no call reaches the payment provider), keeps doing so after the
 * payments subgraph restarts, and with two payments replicas (behind two gateways) on one
 * Redis. At the end the provider's totals agree with the ERP's residuals.
 *
 * The two-replica part needs Redis (REDIS_URL, or 127.0.0.1:6379): without it, it is
 * skipped with one line, unless REQUIRE_ALL_SUITES=1 (CI), where a missing Redis fails it.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { erpInvoices, erpInvoiceState, type ErpInvoice } from './helpers/erpInvoices.js';
import { requireOrSkip, TEST_REDIS_URL, until } from './support.js';
import { graphql, paymentsReadModelSynced, startStack, type GraphQLResponse, type Stack } from './helpers/startStack.js';

const REDIS_URL = TEST_REDIS_URL;
const reachable = await requireOrSkip('payments.money.test.ts: the two-replica case', 'redis');

const PAY = 'mutation($input: PayInvoiceInput!) { payInvoice(input: $input) { payment { id status amount { amount currency } } } }';

type Invoice = ErpInvoice;

/** Open invoices whose residual divides by 4 (four payments of a quarter pay them exactly). */
async function openInvoices(erpUrl: string): Promise<Invoice[]> {
  return (await erpInvoices(erpUrl)).filter((i) => i.residual >= 4_000 && i.residual % 4 === 0);
}

const erpResidual = erpInvoiceState;

/** The provider's succeeded payments on one invoice made through payInvoice (its metadata names the key), summed. */
async function providerPaid(paymentsUrl: string, invoiceId: string): Promise<number> {
  const url = new URL('/v1/payment_intents/search', paymentsUrl);
  url.searchParams.set('query', `metadata['erp_invoice_id']:'${invoiceId}'`);
  url.searchParams.set('limit', '100');
  const found = (await (await fetch(url, { headers: { authorization: 'Bearer sk_test_sandbox' } })).json()) as {
    data: Array<{ status: string; amount: number; metadata: Record<string, string> }>;
  };
  return found.data.filter((pi) => pi.status === 'succeeded' && pi.metadata.idempotency_key).reduce((sum, pi) => sum + pi.amount, 0);
}

const input = (invoice: Invoice, amount: number, extra: Record<string, unknown> = {}) => ({
  customerId: invoice.companyId,
  invoiceId: invoice.invoiceId,
  amount: { amount, currency: invoice.currency },
  idempotencyKey: randomUUID(),
  ...extra,
});

/** Sends `count` payments of a quarter of the residual at once, spread over `gateways`; returns the codes (PAID for a payment). */
async function race(gateways: readonly string[], headers: Record<string, string>, invoice: Invoice, count: number): Promise<string[]> {
  const results = await Promise.all(
    Array.from(
      { length: count },
      (_, i) =>
        graphql(gateways[i % gateways.length]!, PAY, { input: input(invoice, invoice.residual / 4) }, headers) as Promise<GraphQLResponse & { status: number }>,
    ),
  );
  return results.map((r) => (r.errors ? String(r.errors[0]?.extensions?.code) : 'PAID'));
}

const REFUSED = ['AMOUNT_EXCEEDS_RESIDUAL', 'INVOICE_NOT_OPEN'];

describe('payInvoice through the gateway', () => {
  let stack: Stack;
  let pool: Invoice[];
  const take = (accept: (invoice: Invoice) => boolean = () => true): Invoice => {
    const index = pool.findIndex(accept);
    if (index < 0) throw new Error('no open invoice left');
    return pool.splice(index, 1)[0]!;
  };
  const paid: Invoice[] = [];

  beforeAll(async () => {
    // Webhooks on: the ERP reconciles each payment, as in `npm start`. Caches off: every read is fresh.
    stack = await startStack({
      webhooks: true,
      redisUrl: reachable ? REDIS_URL : undefined,
      gatewayEnv: { RATE_LIMIT: 'off', RESPONSE_CACHE: 'off', ENTITY_CACHE: 'off' },
    });
    pool = await openInvoices(stack.sandboxUrls.erp);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('20 concurrent payments with different keys charge exactly the residual', async () => {
    const invoice = take();
    const codes = await race([stack.gatewayUrl], stack.authHeaders, invoice, 20);
    expect(codes.filter((c) => c === 'PAID')).toHaveLength(4);
    expect(codes.filter((c) => REFUSED.includes(c))).toHaveLength(16);
    expect(await providerPaid(stack.sandboxUrls.payments, invoice.invoiceId)).toBe(invoice.residual);
    paid.push(invoice);
  });

  const refusals = async (gatewayUrl: string): Promise<void> => {
    const invoice = take();
    const other = take((i) => i.companyId !== invoice.companyId);
    const otherCurrency = invoice.currency === 'USD' ? 'EUR' : 'USD';
    const boundToOther = { authorization: `Bearer ${await stack.auth.token({ customer_id: other.companyId })}` };
    const cases: Array<{ name: string; input: Record<string, unknown>; headers?: Record<string, string>; code: string }> = [
      { name: 'overpay', input: input(invoice, invoice.residual + 1), code: 'AMOUNT_EXCEEDS_RESIDUAL' },
      { name: 'unknown invoice', input: input(invoice, 100, { invoiceId: '987654321' }), code: 'INVOICE_NOT_FOUND' },
      { name: 'wrong currency', input: input(invoice, 100, { amount: { amount: 100, currency: otherCurrency } }), code: 'CURRENCY_MISMATCH' },
      { name: "another customer's invoice, unbound token", input: input(invoice, 100, { customerId: other.companyId }), code: 'FORBIDDEN' },
      {
        name: "another customer's invoice, token bound to the payer",
        input: input(invoice, 100, { customerId: other.companyId }),
        headers: boundToOther,
        code: 'FORBIDDEN',
      },
      { name: 'a token bound to another customer paying as the owner', input: input(invoice, 100), headers: boundToOther, code: 'FORBIDDEN' },
      { name: 'paid invoice', input: input(paid[0]!, 100), code: 'INVOICE_NOT_OPEN' },
    ];
    for (const { name, input: body, headers, code } of cases) {
      await stack.resetStats();
      const res = await graphql(gatewayUrl, PAY, { input: body }, headers ?? stack.authHeaders);
      expect({ name, data: res.data ?? null, code: res.errors?.[0]?.extensions?.code }).toEqual({ name, data: null, code });
      expect({ name, providerCalls: (await stack.stats()).payments }).toEqual({ name, providerCalls: {} });
    }
    expect((await erpResidual(stack.sandboxUrls.erp, invoice.invoiceId)).residual).toBe(invoice.residual);
  };

  it('refuses overpaying, a paid invoice, an unknown invoice, another currency and another customer’s invoice, with no provider call', async () => {
    await until(
      'the ERP to reconcile the paid invoice',
      async () => ((await erpResidual(stack.sandboxUrls.erp, paid[0]!.invoiceId)).paymentState === 'paid' ? true : undefined),
      20_000,
    );
    await refusals(stack.gatewayUrl);
  });

  it('refuses the same after the payments subgraph restarts, and still never pays more than the residual', async () => {
    const old = stack.services['payments-subgraph']!;
    const port = new URL(old.url).port;
    await old.stop();
    const restarted = await stack.startSubgraph('payments', { PAYMENTS_SUBGRAPH_PORT: port });
    // Its read model syncs from the provider first: those calls are not the payments'.
    await paymentsReadModelSynced(restarted.url);
    await refusals(stack.gatewayUrl);
    const invoice = take();
    const codes = await race([stack.gatewayUrl], stack.authHeaders, invoice, 12);
    expect(codes.filter((c) => c === 'PAID')).toHaveLength(4);
    expect(codes.filter((c) => REFUSED.includes(c))).toHaveLength(8);
    paid.push(invoice);
  });

  it.skipIf(!reachable)('two payments replicas behind two gateways on one Redis: 20 payments at once still charge exactly the residual', async () => {
    const replica = await stack.startSubgraph('payments');
    await paymentsReadModelSynced(replica.url);
    const second = await stack.startGateway({ PAYMENTS_SUBGRAPH_URL: replica.url });
    await refusals(second.url);
    const invoice = take();
    const codes = await race([stack.gatewayUrl, second.url], stack.authHeaders, invoice, 20);
    expect(codes.filter((c) => c === 'PAID')).toHaveLength(4);
    expect(codes.filter((c) => REFUSED.includes(c))).toHaveLength(16);
    paid.push(invoice);
  });

  it("the provider's totals agree with the ERP's residuals once it has reconciled", async () => {
    for (const invoice of paid) {
      expect(await providerPaid(stack.sandboxUrls.payments, invoice.invoiceId)).toBe(invoice.residual);
      await until(
        `the ERP to show invoice ${invoice.invoiceId} paid`,
        async () => {
          const state = await erpResidual(stack.sandboxUrls.erp, invoice.invoiceId);
          return state.residual === 0 && state.paymentState === 'paid' ? true : undefined;
        },
        20_000,
      );
    }
  });
});
