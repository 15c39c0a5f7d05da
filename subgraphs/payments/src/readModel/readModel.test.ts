/**
 * The read model against the payments sandbox, through the official stripe client:
 * - it syncs by Stripe's lists, then answers the same data the search path answers, at
 *   no backend call for 5 or for 50 customers;
 * - a payment made at Stripe directly reaches it by webhook, before the webhook's
 *   invalidation hook runs; with the webhook lost, by the catch-up from /v1/events;
 * - until it has synced, and when its catch-up has failed for longer than the lag bound,
 *   lookups search Stripe as without a read model, with the same answers.
 */
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createPaymentsSubgraph, type PaymentsSubgraph } from '../createPaymentsSubgraph.js';
import { startMoneySandboxes, type MoneySandboxes } from '../testSandboxes.js';
import { entitiesQuery, postGraphQL, representations, sandboxOperator, stripeGet, testSubgraphConfig, waitFor } from '../testSupport.js';

const COMPANY_IDS = Array.from({ length: 50 }, (_, i) => String(10_000_001 + i));
const INVOICE_IDS = Array.from({ length: 50 }, (_, i) => String(i + 1));

const CUSTOMER_SELECTION = `id
  defaultPaymentMethod { id brand last4 expMonth expYear }
  payments(first: 100) { totalCount pageInfo { hasNextPage endCursor }
    nodes { id status createdAt failureCode amount { amount currency formatted } amountRefunded { amount formatted }
      invoice { id } customer { id } paymentMethod { id brand last4 } refunds { id amount { amount } status createdAt } } }`;
const INVOICE_SELECTION =
  'id payments { id status createdAt amount { amount currency } amountRefunded { amount } paymentMethod { last4 } customer { id } failureCode }';

/** No catch-up by timer while these tests run: they call catchUp() when they mean it. */
const QUIET = { PAYMENTS_READ_MODEL: 'on', PAYMENTS_READ_MODEL_CATCHUP_MS: '600000', PAYMENTS_READ_MODEL_MAX_LAG_MS: '1200000' };

interface Health {
  readModel: { state: string; objects: Record<string, number> | null; lastEvent: { id: string; type: string } | null; syncs: number };
}

/** The payments sandbox, and the ERP sandbox payInvoice checks invoices in. */
let sandboxes: MoneySandboxes;
let sandboxUrl: string;
let stripe: Stripe;
let endpointId: string;
/** Read model on, webhooks from the sandbox. */
let modelled: PaymentsSubgraph;
let modelledUrl: string;
/** Read model off: Stripe's search, the reference. */
let searching: PaymentsSubgraph;
let searchingUrl: string;
/** What the read model held for each payment_intent event when the webhook's hook (the gateway invalidation) ran. */
const atHook: Array<{ type: string; paymentId: string; status: string | null }> = [];
let syncCalls: Record<string, number>;
const ops = () => sandboxOperator(sandboxUrl);

async function entities(url: string, typename: string, ids: readonly string[], selection: string): Promise<unknown[]> {
  const res = await postGraphQL<{ _entities: unknown[] }>(url, entitiesQuery(typename, selection), { representations: representations(typename, ids) });
  expect(res.errors).toBeUndefined();
  return res.data!._entities;
}

/** The entities and what fetching them cost the sandbox. */
async function costOf(
  url: string,
  typename: string,
  ids: readonly string[],
  selection: string,
): Promise<{ data: unknown[]; operations: Record<string, number> }> {
  await ops().resetStats();
  const data = await entities(url, typename, ids, selection);
  return { data, operations: (await ops().stats()).operations };
}

const health = async (url: string): Promise<Health> => (await fetch(url.replace('/graphql', '/health'))).json() as Promise<Health>;

async function stripeCustomerOf(companyId: string): Promise<string> {
  const found = await stripeGet<{ data: Array<{ id: string }> }>(sandboxUrl, '/v1/customers/search', { query: `metadata['crm_company_id']:'${companyId}'` });
  return found.data[0]!.id;
}

/** A payment made at the provider itself, not through the graph. */
async function payAtStripe(companyId: string, invoiceId: string, amount: number): Promise<string> {
  const intent = await stripe.paymentIntents.create({
    amount,
    currency: 'usd',
    customer: await stripeCustomerOf(companyId),
    payment_method: 'pm_card_visa',
    confirm: true,
    allowed_payment_method_types: ['card'],
    metadata: { erp_invoice_id: invoiceId, crm_company_id: companyId },
  });
  expect(intent.status).toBe('succeeded');
  return intent.id;
}

const invoicePaymentIds = async (url: string, invoiceId: string): Promise<string[]> =>
  ((await entities(url, 'Invoice', [invoiceId], 'payments { id }'))[0] as { payments: Array<{ id: string }> }).payments.map((p) => p.id);

/**
 * The ERP sandbox (in this process) gets every payment's webhook too, and warns when one is
 * for an invoice it does not have, as the payments made here for made-up invoices are:
 * the warning is captured, and `seen` waits for it and checks it is the only one.
 */
function ignoredByTheErp(invoiceId: string): { seen: () => Promise<void>; restore: () => void } {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  const messages = () => warn.mock.calls.map(([message]) => String(message));
  return {
    seen: async () => {
      const ignored = `(payment_intent.succeeded) ignored: account.move ${invoiceId} does not exist`;
      await waitFor(() => (messages().some((m) => m.endsWith(ignored)) ? true : undefined), "the ERP sandbox's warning");
      expect(messages()).toEqual([
        expect.stringMatching(
          new RegExp(`^\\[erp sandbox\\] stripe event evt_\\w+ \\(payment_intent\\.succeeded\\) ignored: account\\.move ${invoiceId} does not exist$`),
        ),
      ]);
    },
    restore: () => warn.mockRestore(),
  };
}

beforeAll(async () => {
  sandboxes = await startMoneySandboxes({ scale: '0.1' });
  sandboxUrl = sandboxes.paymentsUrl;
  stripe = new Stripe('sk_test_sandbox', {
    host: '127.0.0.1',
    port: Number(new URL(sandboxUrl).port),
    protocol: 'http',
    maxNetworkRetries: 0,
    telemetry: false,
  });
  // The endpoint's secret is needed before the subgraph starts; its URL is set once the subgraph listens.
  const endpoint = await stripe.webhookEndpoints.create({ url: 'http://127.0.0.1:9/not-yet', enabled_events: ['*'] });
  endpointId = endpoint.id;

  searching = await createPaymentsSubgraph(testSubgraphConfig(sandboxUrl, { ERP_URL: sandboxes.erpUrl }));
  searchingUrl = await searching.server.listen(0);

  await ops().resetStats();
  modelled = await createPaymentsSubgraph(testSubgraphConfig(sandboxUrl, { ...QUIET, ERP_URL: sandboxes.erpUrl, STRIPE_WEBHOOK_SECRET: endpoint.secret! }), {
    onEvent: (event) => {
      const object = event.data.object as { object?: string; id: string };
      if (object.object === 'payment_intent')
        atHook.push({ type: event.type, paymentId: object.id, status: modelled.readModel!.serving()?.payment(object.id)?.status ?? null });
    },
  });
  modelledUrl = await modelled.server.listen(0);
  await waitFor(async () => ((await health(modelledUrl)).readModel.state === 'ready' ? true : undefined), 'the read model to sync');
  syncCalls = (await ops().stats()).operations;
  await stripe.webhookEndpoints.update(endpointId, { url: modelledUrl.replace('/graphql', '/webhooks/stripe') });
}, 60_000);

afterAll(async () => {
  await modelled?.server.close();
  await searching?.server.close();
  await sandboxes?.close();
});

describe('the payments read model', () => {
  it("syncs with Stripe's lists, 100 objects a page, and says so in /health", async () => {
    const { readModel } = await health(modelledUrl);
    expect(readModel.state).toBe('ready');
    const objects = readModel.objects as { customers: number; payments: number; refunds: number };
    expect(objects.customers).toBeGreaterThanOrEqual(100);
    expect(objects.payments).toBeGreaterThan(300);
    expect(objects.refunds).toBeGreaterThan(0);
    const pages = (n: number): number => Math.max(1, Math.ceil(n / 100));
    // The newest event (where the catch-up starts), every customer, payment and refund, then the events since.
    expect(syncCalls).toEqual({
      'events.list': 2,
      'customers.list': pages(objects.customers),
      'payment_intents.list': pages(objects.payments),
      'refunds.list': pages(objects.refunds),
    });
  });

  it('answers what the search path answers, for customers and invoices, at no backend call for 5 or for 50', async () => {
    for (const n of [5, 50]) {
      const fromModel = await costOf(modelledUrl, 'Customer', COMPANY_IDS.slice(0, n), CUSTOMER_SELECTION);
      const fromSearch = await costOf(searchingUrl, 'Customer', COMPANY_IDS.slice(0, n), CUSTOMER_SELECTION);
      expect(fromModel.operations).toEqual({});
      expect(fromSearch.operations['customers.search']).toBe(Math.ceil(n / 10));
      expect(fromModel.data).toEqual(fromSearch.data);

      const invoicesFromModel = await costOf(modelledUrl, 'Invoice', INVOICE_IDS.slice(0, n), INVOICE_SELECTION);
      const invoicesFromSearch = await costOf(searchingUrl, 'Invoice', INVOICE_IDS.slice(0, n), INVOICE_SELECTION);
      expect(invoicesFromModel.operations).toEqual({});
      expect(invoicesFromSearch.operations).toEqual({ 'payment_intents.search': Math.ceil(n / 10) });
      expect(invoicesFromModel.data).toEqual(invoicesFromSearch.data);
    }
    // The comparison had refunds, cards and failures to compare.
    const all = JSON.stringify(await entities(modelledUrl, 'Customer', COMPANY_IDS, CUSTOMER_SELECTION));
    expect(all).toMatch(/"refunds":\[\{/);
    expect(all).toMatch(/"status":"FAILED"/);
    expect(all).toMatch(/"defaultPaymentMethod":\{"id":"pm_/);
  });

  it('takes in a payment made at Stripe directly from its webhook, before the invalidation hook runs', async () => {
    const erpWarnings = ignoredByTheErp('990001');
    try {
      const paymentId = await payAtStripe('10000031', '990001', 4_200);
      await waitFor(
        async () => ((await invoicePaymentIds(modelledUrl, '990001')).includes(paymentId) ? true : undefined),
        'the webhook to reach the read model',
      );
      const [company] = (await costOf(modelledUrl, 'Customer', ['10000031'], CUSTOMER_SELECTION)).data as Array<{
        payments: { nodes: Array<{ id: string; amount: { amount: number } }> };
      }>;
      expect(company!.payments.nodes[0]).toMatchObject({ id: paymentId, amount: { amount: 4_200 } });
      expect(await entities(modelledUrl, 'Customer', ['10000031'], CUSTOMER_SELECTION)).toEqual(
        await entities(searchingUrl, 'Customer', ['10000031'], CUSTOMER_SELECTION),
      );
      const succeeded = await waitFor(
        () => atHook.find((h) => h.paymentId === paymentId && h.type === 'payment_intent.succeeded'),
        'payment_intent.succeeded at the hook',
      );
      expect(succeeded.status).toBe('SUCCEEDED');
      await erpWarnings.seen();
    } finally {
      erpWarnings.restore();
    }
  });

  it('takes in a payment whose webhook was lost at the next catch-up from /v1/events', async () => {
    await stripe.webhookEndpoints.update(endpointId, { disabled: true });
    const erpWarnings = ignoredByTheErp('990002');
    try {
      const paymentId = await payAtStripe('10000032', '990002', 1_500);
      expect(await invoicePaymentIds(modelledUrl, '990002')).toEqual([]);
      await ops().resetStats();
      await modelled.readModel!.catchUp();
      const calls = (await ops().stats()).operations;
      expect(calls['events.list']).toBeGreaterThanOrEqual(1);
      expect(await invoicePaymentIds(modelledUrl, '990002')).toEqual([paymentId]);
      expect(await entities(modelledUrl, 'Invoice', ['990002'], INVOICE_SELECTION)).toEqual(
        await entities(searchingUrl, 'Invoice', ['990002'], INVOICE_SELECTION),
      );
      expect((await health(modelledUrl)).readModel.lastEvent).toMatchObject({ type: expect.stringMatching(/^(payment_intent|charge)\./) });
      await erpWarnings.seen();
    } finally {
      erpWarnings.restore();
      await stripe.webhookEndpoints.update(endpointId, { disabled: false });
    }
  });
});

describe("the read model and this subgraph's own writes", () => {
  it('holds a payment, a declined attempt and a refund made through the graph before the mutations answer, with no webhook', async () => {
    await stripe.webhookEndpoints.update(endpointId, { disabled: true });
    try {
      const invoice = sandboxes.takeInvoice((i) => i.residual >= 2_500);
      const pay = (key: string, paymentMethodId?: string) =>
        postGraphQL<{ payInvoice: { payment: { id: string } } }>(
          modelledUrl,
          'mutation($i: PayInvoiceInput!) { payInvoice(input: $i) { payment { id status } } }',
          {
            i: {
              customerId: invoice.companyId,
              invoiceId: invoice.invoiceId,
              amount: { amount: 2_500, currency: invoice.currency },
              idempotencyKey: key,
              ...(paymentMethodId ? { paymentMethodId } : {}),
            },
          },
        );
      const declined = await pay(`read-model-declined-${Date.now()}`, 'pm_card_chargeDeclined');
      expect(declined.errors?.[0]?.extensions).toMatchObject({ code: 'PAYMENT_DECLINED' });
      const declinedId = declined.errors?.[0]?.extensions?.paymentId;
      const paid = await pay(`read-model-paid-${Date.now()}`);
      expect(paid.errors).toBeUndefined();
      const paymentId = paid.data!.payInvoice.payment.id;
      const refunded = await postGraphQL(
        modelledUrl,
        'mutation($i: RefundPaymentInput!) { refundPayment(input: $i) { payment { amountRefunded { amount } } } }',
        {
          i: { paymentId, amount: { amount: 1_000, currency: invoice.currency }, idempotencyKey: `read-model-refund-${Date.now()}` },
        },
      );
      expect(refunded.errors).toBeUndefined();
      expect(refunded.data).toEqual({ refundPayment: { payment: { amountRefunded: { amount: 1_000 } } } });

      const fromModel = await costOf(modelledUrl, 'Invoice', [invoice.invoiceId], INVOICE_SELECTION);
      expect(fromModel.operations).toEqual({});
      expect(fromModel.data).toEqual(await entities(searchingUrl, 'Invoice', [invoice.invoiceId], INVOICE_SELECTION));
      const payments = (fromModel.data[0] as { payments: Array<{ id: string; status: string; amountRefunded: { amount: number } }> }).payments;
      // The invoice's earlier (seeded) payments aside, the two this test made: newest first.
      expect(payments.filter((p) => p.id === paymentId || p.id === declinedId).map((p) => [p.status, p.amountRefunded.amount])).toEqual([
        ['SUCCEEDED', 1_000],
        ['FAILED', 0],
      ]);
    } finally {
      await stripe.webhookEndpoints.update(endpointId, { disabled: false });
    }
  });
});

describe('falling back to search', () => {
  it('searches Stripe until the model has synced, and again when its catch-up fails for longer than the lag bound', async () => {
    // Events unreachable: the model cannot start.
    await ops().setFaults({ down: true, operations: ['events.'] });
    const fallback = await createPaymentsSubgraph(
      testSubgraphConfig(sandboxUrl, {
        PAYMENTS_READ_MODEL: 'on',
        PAYMENTS_READ_MODEL_CATCHUP_MS: '100',
        PAYMENTS_READ_MODEL_MAX_LAG_MS: '1000',
        PAYMENTS_MAX_ATTEMPTS: '1',
        PAYMENTS_BREAKER_HALF_OPEN_MS: '200',
      }),
    );
    try {
      const url = await fallback.server.listen(0);
      const reference = await entities(searchingUrl, 'Invoice', INVOICE_IDS, INVOICE_SELECTION);
      // The model's own calls (events.list every 100 ms) run beside the query: only the lookups are compared.
      const lookups = (operations: Record<string, number>): Record<string, number> =>
        Object.fromEntries(
          Object.entries(operations).filter(([name]) => !['events.list', 'customers.list', 'payment_intents.list', 'refunds.list'].includes(name)),
        );

      expect((await health(url)).readModel.state).toBe('syncing');
      const unsynced = await costOf(url, 'Invoice', INVOICE_IDS, INVOICE_SELECTION);
      expect(lookups(unsynced.operations)).toEqual({ 'payment_intents.search': 5 });
      expect(unsynced.data).toEqual(reference);

      await ops().clearFaults();
      await waitFor(async () => ((await health(url)).readModel.state === 'ready' ? true : undefined), 'the read model to sync');
      const ready = await costOf(url, 'Invoice', INVOICE_IDS, INVOICE_SELECTION);
      expect(lookups(ready.operations)).toEqual({});
      expect(ready.data).toEqual(reference);

      // The catch-up fails from now on: once it is more than a second behind, the model is stale and not served.
      await ops().setFaults({ errorRate: 1, operations: ['events.'] });
      await waitFor(async () => ((await health(url)).readModel.state === 'stale' ? true : undefined), 'the read model to go stale');
      const stale = await costOf(url, 'Invoice', INVOICE_IDS, INVOICE_SELECTION);
      expect(lookups(stale.operations)).toEqual({ 'payment_intents.search': 5 });
      expect(stale.data).toEqual(reference);

      await ops().clearFaults();
      await waitFor(async () => ((await health(url)).readModel.state === 'ready' ? true : undefined), 'the read model to catch up');
      expect(lookups((await costOf(url, 'Invoice', INVOICE_IDS, INVOICE_SELECTION)).operations)).toEqual({});
    } finally {
      await ops().clearFaults();
      await fallback.server.close();
    }
  }, 30_000);
});
