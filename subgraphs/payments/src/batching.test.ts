/**
 * What one gateway `_entities` request costs the payments backend, read from the
 * sandbox's own call counters. Stripe's search takes at most 10 OR clauses, so a lookup
 * that batches into searches costs ceil(N / 10) calls for N entities (one more per
 * further 100 hits), never one per entity; the lists Stripe only offers per parent
 * (cards, refunds) cost one call per parent that has any, and say so here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readPaymentsSandboxConfig } from '../../../sandboxes/payments/src/config.js';
import { createPaymentsSandbox, type PaymentsSandbox } from '../../../sandboxes/payments/src/createPaymentsSandbox.js';
import { createPaymentsSubgraph, type PaymentsSubgraph } from './createPaymentsSubgraph.js';
import { entitiesQuery, postGraphQL, representations, sandboxOperator, stripeGet, testSubgraphConfig } from './testSupport.js';

const COMPANY_IDS = Array.from({ length: 50 }, (_, i) => String(10_000_001 + i));
const INVOICE_IDS = Array.from({ length: 50 }, (_, i) => String(i + 1));

/** The customer-360 screen's payments part. */
const CUSTOMER_SELECTION = `id
  defaultPaymentMethod { brand last4 }
  payments(first: 100) { totalCount pageInfo { hasNextPage endCursor }
    nodes { id status createdAt failureCode amount { amount currency formatted } amountRefunded { amount formatted }
      invoice { id } customer { id } paymentMethod { brand last4 } refunds { id amount { amount } status } } }`;

interface Entity {
  payments: { nodes: Array<{ amountRefunded: { amount: number } }> };
}

let dir: string;
let sandbox: PaymentsSandbox;
let sandboxUrl: string;
let subgraph: PaymentsSubgraph;
let url: string;
const ops = () => sandboxOperator(sandboxUrl);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'payments-batching-'));
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

beforeEach(async () => {
  await ops().resetStats();
});

async function costOf(typename: string, ids: readonly string[], selection: string): Promise<{ operations: Record<string, number>; entities: Entity[] }> {
  await ops().resetStats();
  const res = await postGraphQL<{ _entities: Entity[] }>(url, entitiesQuery(typename, selection), { representations: representations(typename, ids) });
  expect(res.errors).toBeUndefined();
  expect(res.data!._entities).toHaveLength(ids.length);
  return { operations: (await ops().stats()).operations, entities: res.data!._entities };
}

const refunded = (entities: Entity[]): number => entities.flatMap((e) => e.payments.nodes).filter((p) => p.amountRefunded.amount > 0).length;

describe('batching against the payments backend', () => {
  it('has fewer than 100 payments per 10 customers in this seed, so each batch is one page (a precondition of the counts below)', async () => {
    for (let i = 0; i < COMPANY_IDS.length; i += 10) {
      const query = COMPANY_IDS.slice(i, i + 10)
        .map((id) => `metadata['crm_company_id']:'${id}'`)
        .join(' OR ');
      const found = await stripeGet<{ total_count: number }>(sandboxUrl, '/v1/payment_intents/search', { query, limit: '1', 'expand[]': 'total_count' });
      expect(found.total_count).toBeGreaterThan(0);
      expect(found.total_count).toBeLessThanOrEqual(100);
    }
  });

  it('costs ceil(N/10) customer searches and ceil(N/10) payment searches for N customers: 1 + 1 for 5, 5 + 5 for 50', async () => {
    const five = await costOf('Customer', COMPANY_IDS.slice(0, 5), CUSTOMER_SELECTION);
    const fifty = await costOf('Customer', COMPANY_IDS, CUSTOMER_SELECTION);

    // Refunds have no search at Stripe: one list per payment that has any (most have none, and cost nothing).
    expect(five.operations).toEqual({
      'customers.search': 1,
      'payment_intents.search': 1,
      ...(refunded(five.entities) ? { 'refunds.list': refunded(five.entities) } : {}),
    });
    expect(fifty.operations).toEqual({
      'customers.search': 5,
      'payment_intents.search': 5,
      ...(refunded(fifty.entities) ? { 'refunds.list': refunded(fifty.entities) } : {}),
    });
    expect(refunded(fifty.entities)).toBeGreaterThan(0);

    // Without refunds, the searches are all there is: the search count per 10 customers is the same for 5 and 50.
    const selection = CUSTOMER_SELECTION.replace('refunds { id amount { amount } status }', '');
    expect((await costOf('Customer', COMPANY_IDS.slice(0, 5), selection)).operations).toEqual({ 'customers.search': 1, 'payment_intents.search': 1 });
    expect((await costOf('Customer', COMPANY_IDS, selection)).operations).toEqual({ 'customers.search': 5, 'payment_intents.search': 5 });
  });

  it("costs ceil(N/10) payment searches for N invoices' payments, and nothing else", async () => {
    const selection = 'id payments { id status amount { amount currency formatted } amountRefunded { amount } paymentMethod { last4 } customer { id } }';
    expect((await costOf('Invoice', INVOICE_IDS.slice(0, 5), selection)).operations).toEqual({ 'payment_intents.search': 1 });
    expect((await costOf('Invoice', INVOICE_IDS, selection)).operations).toEqual({ 'payment_intents.search': 5 });
  });

  it('costs one list per customer for every saved card (Stripe has no batch form), on top of the customer searches', async () => {
    expect((await costOf('Customer', COMPANY_IDS.slice(0, 5), 'paymentMethods { id last4 }')).operations).toEqual({
      'customers.search': 1,
      'customers.list_payment_methods': 5,
    });
    expect((await costOf('Customer', COMPANY_IDS, 'paymentMethods { id last4 }')).operations).toEqual({
      'customers.search': 5,
      'customers.list_payment_methods': 50,
    });
  });

  it('costs nothing for Customer and Invoice references whose fields need no lookup', async () => {
    expect((await costOf('Customer', COMPANY_IDS, 'id')).operations).toEqual({});
    expect((await costOf('Invoice', INVOICE_IDS, 'id')).operations).toEqual({});
  });
});
