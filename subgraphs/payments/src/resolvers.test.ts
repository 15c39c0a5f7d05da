/**
 * The subgraph answers with the sandbox's own data: every expectation is read from the
 * sandbox over its Stripe API (list endpoints, plain HTTP), not copied into the test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPaymentsSandboxConfig } from '../../../sandboxes/payments/src/config.js';
import { createPaymentsSandbox, type PaymentsSandbox } from '../../../sandboxes/payments/src/createPaymentsSandbox.js';
import { createPaymentsSubgraph, type PaymentsSubgraph } from './createPaymentsSubgraph.js';
import { entitiesQuery, postGraphQL, representations, sandboxOperator, stripeGet, testSubgraphConfig } from './testSupport.js';

interface StripeList<T> {
  data: T[];
  has_more: boolean;
}
interface RawCustomer {
  id: string;
  metadata: Record<string, string>;
  invoice_settings: { default_payment_method: string | null };
}
interface RawCard {
  id: string;
  card: { brand: string; last4: string; exp_month: number; exp_year: number };
}
interface RawIntent {
  id: string;
  amount: number;
  currency: string;
  status: string;
  created: number;
  customer: string | null;
  metadata: Record<string, string>;
  payment_method: string | null;
  last_payment_error: { code: string; decline_code?: string; payment_method?: { id: string } } | null;
  latest_charge: { amount_refunded: number } | null;
}
interface RawRefund {
  id: string;
  amount: number;
  status: string;
  created: number;
  payment_intent: string;
}

const STATUS: Record<string, string> = { succeeded: 'SUCCEEDED', requires_payment_method: 'FAILED', processing: 'PROCESSING', canceled: 'CANCELED' };

let dir: string;
let sandbox: PaymentsSandbox;
let sandboxUrl: string;
let subgraph: PaymentsSubgraph;
let url: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'payments-resolvers-'));
  sandbox = await createPaymentsSandbox(readPaymentsSandboxConfig({ SANDBOX_DATA_DIR: dir, SANDBOX_SCALE: '0.1' }));
  sandboxUrl = await sandbox.listen(0);
  subgraph = await createPaymentsSubgraph(testSubgraphConfig(sandboxUrl));
  url = await subgraph.server.listen(0);
});

afterAll(async () => {
  await subgraph?.server.close();
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function stripeCustomerOf(companyId: string): Promise<RawCustomer> {
  const found = await stripeGet<StripeList<RawCustomer>>(sandboxUrl, '/v1/customers/search', { query: `metadata['crm_company_id']:'${companyId}'` });
  expect(found.data).toHaveLength(1);
  return found.data[0]!;
}

async function intentsOf(customerId: string): Promise<RawIntent[]> {
  const list = await stripeGet<StripeList<RawIntent>>(sandboxUrl, '/v1/payment_intents', {
    customer: customerId,
    limit: '100',
    'expand[]': 'data.latest_charge',
  });
  expect(list.has_more).toBe(false);
  return list.data;
}

function expectedPayment(pi: RawIntent) {
  return {
    id: pi.id,
    amount: { amount: pi.amount, currency: pi.currency.toUpperCase() },
    amountRefunded: { amount: pi.latest_charge?.amount_refunded ?? 0 },
    status: STATUS[pi.status],
    createdAt: new Date(pi.created * 1000).toISOString(),
    invoice: { id: pi.metadata.erp_invoice_id },
    customer: { id: pi.metadata.crm_company_id },
    paymentMethod: { id: pi.payment_method ?? pi.last_payment_error?.payment_method?.id },
    failureCode: pi.last_payment_error ? (pi.last_payment_error.decline_code ?? pi.last_payment_error.code) : null,
  };
}

const PAYMENT_FIELDS =
  'id amount { amount currency } amountRefunded { amount } status createdAt invoice { id } customer { id } paymentMethod { id } failureCode';

describe('Customer', () => {
  it("lists the company's payment intents, newest first, as the sandbox has them", async () => {
    const companyId = '10000003';
    const intents = await intentsOf((await stripeCustomerOf(companyId)).id);
    expect(intents.length).toBeGreaterThan(1);
    const res = await postGraphQL<{ _entities: Array<{ id: string; payments: { totalCount: number; nodes: unknown[] } }> }>(
      url,
      entitiesQuery('Customer', `id payments(first: 100) { totalCount nodes { ${PAYMENT_FIELDS} } }`),
      { representations: representations('Customer', [companyId]) },
    );
    expect(res.errors).toBeUndefined();
    const customer = res.data!._entities[0]!;
    expect(customer.id).toBe(companyId);
    expect(customer.payments.totalCount).toBe(intents.length);
    expect(customer.payments.nodes).toEqual(intents.map(expectedPayment));
  });

  it('pages with opaque cursors: two pages of two are the first four payments', async () => {
    const companyId = '10000005';
    const intents = await intentsOf((await stripeCustomerOf(companyId)).id);
    expect(intents.length).toBeGreaterThan(3);
    const query = entitiesQuery('Customer', 'payments(first: 2, after: $after) { pageInfo { hasNextPage endCursor } edges { cursor node { id } } }').replace(
      'query($representations:[_Any!]!)',
      'query($representations:[_Any!]!, $after: String)',
    );
    type Page = {
      _entities: Array<{ payments: { pageInfo: { hasNextPage: boolean; endCursor: string }; edges: Array<{ cursor: string; node: { id: string } }> } }>;
    };
    const first = await postGraphQL<Page>(url, query, { representations: representations('Customer', [companyId]), after: null });
    const page1 = first.data!._entities[0]!.payments;
    expect(page1.pageInfo.hasNextPage).toBe(true);
    expect(page1.pageInfo.endCursor).toBe(page1.edges[1]!.cursor);
    const second = await postGraphQL<Page>(url, query, { representations: representations('Customer', [companyId]), after: page1.pageInfo.endCursor });
    const page2 = second.data!._entities[0]!.payments;
    expect([...page1.edges, ...page2.edges].map((e) => e.node.id)).toEqual(intents.slice(0, 4).map((pi) => pi.id));
    expect(page2.pageInfo.hasNextPage).toBe(intents.length > 4);
  });

  it('refuses a bad cursor and a page size outside 1..100 with BAD_USER_INPUT, before calling the backend', async () => {
    const ops = sandboxOperator(sandboxUrl);
    await ops.resetStats();
    for (const args of ['after: "not-a-cursor"', `after: "${Buffer.from('payment:nope!').toString('base64url')}"`, 'first: 0', 'first: 101']) {
      const res = await postGraphQL(url, entitiesQuery('Customer', `id payments(${args}) { totalCount }`), {
        representations: representations('Customer', ['10000001']),
      });
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', serviceName: 'payments' });
    }
    expect((await ops.stats()).total).toBe(0);
  });

  it("gives the saved cards and the default card from the customer's record", async () => {
    const companyId = '10000002';
    const customer = await stripeCustomerOf(companyId);
    const cards = await stripeGet<StripeList<RawCard>>(sandboxUrl, `/v1/customers/${customer.id}/payment_methods`, { limit: '100' });
    expect(cards.data.length).toBeGreaterThan(0);
    const res = await postGraphQL<{ _entities: Array<{ paymentMethods: unknown[]; defaultPaymentMethod: { id: string } | null }> }>(
      url,
      entitiesQuery('Customer', 'paymentMethods { id brand last4 expMonth expYear } defaultPaymentMethod { id }'),
      { representations: representations('Customer', [companyId]) },
    );
    expect(res.errors).toBeUndefined();
    const entity = res.data!._entities[0]!;
    expect(entity.paymentMethods).toEqual(
      cards.data.map((pm) => ({ id: pm.id, brand: pm.card.brand, last4: pm.card.last4, expMonth: pm.card.exp_month, expYear: pm.card.exp_year })),
    );
    expect(entity.defaultPaymentMethod).toEqual({ id: customer.invoice_settings.default_payment_method });
  });

  it('answers a company the provider does not know with no payments and no cards', async () => {
    const res = await postGraphQL(url, entitiesQuery('Customer', 'id payments { totalCount nodes { id } } paymentMethods { id } defaultPaymentMethod { id }'), {
      representations: representations('Customer', ['99999999']),
    });
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ _entities: [{ id: '99999999', payments: { totalCount: 0, nodes: [] }, paymentMethods: [], defaultPaymentMethod: null }] });
  });
});

describe('Invoice and Payment', () => {
  it('lists the payments against an invoice, a declined attempt included, with its decline code', async () => {
    const failed = await stripeGet<StripeList<RawIntent>>(sandboxUrl, '/v1/payment_intents/search', { query: "status:'requires_payment_method'", limit: '1' });
    const invoiceId = failed.data[0]!.metadata.erp_invoice_id!;
    const expected = await stripeGet<StripeList<RawIntent>>(sandboxUrl, '/v1/payment_intents/search', {
      query: `metadata['erp_invoice_id']:'${invoiceId}'`,
      'expand[]': 'data.latest_charge',
    });
    const res = await postGraphQL<{ _entities: Array<{ id: string; payments: unknown[] }> }>(
      url,
      entitiesQuery('Invoice', `id payments { ${PAYMENT_FIELDS} }`),
      {
        representations: representations('Invoice', [invoiceId]),
      },
    );
    expect(res.errors).toBeUndefined();
    const payments = res.data!._entities[0]!.payments;
    expect(payments).toEqual([...expected.data].sort((a, b) => b.created - a.created).map(expectedPayment));
    expect(payments).toContainEqual(expect.objectContaining({ status: 'FAILED', failureCode: expect.any(String) }));
  });

  it('finds a payment by id with its refunds, oldest first; an unknown id is null', async () => {
    const refunds = await stripeGet<StripeList<RawRefund>>(sandboxUrl, '/v1/refunds', { limit: '1' });
    const paymentId = refunds.data[0]!.payment_intent;
    const all = await stripeGet<StripeList<RawRefund>>(sandboxUrl, '/v1/refunds', { payment_intent: paymentId });
    const pi = await stripeGet<RawIntent>(sandboxUrl, `/v1/payment_intents/${paymentId}`, { 'expand[]': 'latest_charge' });
    const res = await postGraphQL(
      url,
      `query($id: ID!) {
        payment(id: $id) { ${PAYMENT_FIELDS} refunds { id amount { amount currency } status createdAt } }
        unknown: payment(id: "pi_NoSuchPaymentIntent0000") { id }
        malformed: payment(id: "12345") { id }
      }`,
      { id: paymentId },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({
      payment: {
        ...expectedPayment(pi),
        refunds: [...all.data].reverse().map((r) => ({
          id: r.id,
          amount: { amount: r.amount, currency: pi.currency.toUpperCase() },
          status: 'SUCCEEDED',
          createdAt: new Date(r.created * 1000).toISOString(),
        })),
      },
      unknown: null,
      malformed: null,
    });
    expect(pi.latest_charge!.amount_refunded).toBe(all.data.reduce((sum, r) => sum + r.amount, 0));
  });

  it('resolves Payment references the way the gateway sends them', async () => {
    const some = await stripeGet<StripeList<RawIntent>>(sandboxUrl, '/v1/payment_intents', { limit: '3', 'expand[]': 'data.latest_charge' });
    const res = await postGraphQL(url, entitiesQuery('Payment', PAYMENT_FIELDS), {
      representations: [
        ...representations(
          'Payment',
          some.data.map((pi) => pi.id),
        ),
        { __typename: 'Payment', id: 'pi_NoSuchPaymentIntent0000' },
      ],
    });
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ _entities: [...some.data.map(expectedPayment), null] });
  });
});
