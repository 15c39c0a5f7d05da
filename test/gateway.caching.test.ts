/**
 * The gateway's fetch path and caches over the whole stack on loopback (memory caches):
 * the customer-360 query is answered right, then again at no backend cost; overlapping
 * queries reuse cached entities; a payInvoice mutation and a payment made at the provider
 * (its webhook alone) each evict what they change; deferred parts go through the caches as
 * the rest; APQ; identical reads in flight share
 * one fetch, mutations never; a cache that cannot be reached leaves answers right, uncached
 * (timeouts and deadlines between gateway and subgraphs: deadlines.test.ts). Counts come from the sandboxes' call stats and
 * the gateway's own `extensions.cacheStatus`.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendClients, minor, type BackendClients } from './helpers/backends.js';
import { ask as askAs, metric, totalCalls, type AskOptions, type GatewayAnswer } from './helpers/gatewayCalls.js';
import { until } from './support.js';
import { mergeParts, readParts, type DeferPart } from './helpers/deferParts.js';
import { startStack, type Stack } from './helpers/startStack.js';

let stack: Stack;

/** Every request of these tests is made with the stack's token (every scope) unless it names its own. */
const ask = <TData = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  options: AskOptions = {},
): Promise<GatewayAnswer<TData>> => askAs<TData>(url, query, variables, { ...options, headers: { ...stack.authHeaders, ...options.headers } });

const CUSTOMERS_360 = /* GraphQL */ `
  query Customers360($first: Int!) {
    customers(first: $first) {
      nodes {
        id
        name
        contacts(first: 3) { totalCount nodes { id email } }
        orders(first: 2) { totalCount nodes { id number total { amount currency } lines { quantity product { id sku name price { amount } } } } }
        invoices(first: 3) { totalCount nodes { id number status amountDue { amount currency } payments { id status amount { amount } } } }
        outstandingBalance { amount currency }
        payments(first: 3) { nodes { id status amount { amount } invoice { id } } }
      }
    }
  }
`;

// Overlaps CUSTOMERS_360: more customers, and for each the same invoices and payments selection.
const CUSTOMERS_BILLING = /* GraphQL */ `
  query CustomersBilling($first: Int!) {
    customers(first: $first) {
      nodes {
        id
        name
        invoices(first: 3) { totalCount nodes { id number status amountDue { amount currency } payments { id status amount { amount } } } }
        payments(first: 3) { nodes { id status amount { amount } invoice { id } } }
      }
    }
  }
`;

interface Invoice {
  id: string;
  number: string;
  status: string;
  amountDue: { amount: number; currency: string };
  payments: Array<{ id: string; status: string; amount: { amount: number } }> | null;
}
interface Customer360 {
  id: string;
  name: string;
  invoices: { totalCount: number; nodes: Invoice[] } | null;
  payments: { nodes: Array<{ id: string }> } | null;
}
type Customers = { customers: { nodes: Customer360[] } };

const FIRST = 8;
const HOLD_MS = 1000;

describe('gateway caching over the whole stack (memory caches)', () => {
  let backends: BackendClients;
  /** A replica with every cache off: what the answers must equal. */
  let reference: string;

  beforeAll(async () => {
    // Payments lookups through Stripe's search: what the entity cache saves is counted in backend calls, and
    // the payments read model (on by default, test/customer360.test.ts) makes those lookups cost none to begin with.
    stack = await startStack({ scale: 0.1, webhooks: true, env: { PAYMENTS_READ_MODEL: 'off' }, gatewayEnv: { INVALIDATION_HOLD_MS: String(HOLD_MS) } });
    backends = backendClients(stack.sandboxUrls);
    reference = (await stack.startGateway({ ENTITY_CACHE: 'off', RESPONSE_CACHE: 'off' })).url;
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const customers = async (url: string, query = CUSTOMERS_360, first = FIRST): Promise<{ answer: GatewayAnswer<Customers>; calls: number }> => {
    await stack.resetStats();
    const answer = await ask<Customers>(url, query, { first });
    expect(answer.status).toBe(200);
    expect(answer.errors).toBeUndefined();
    return { answer, calls: totalCalls(await stack.stats()) };
  };

  it('answers the customer-360 query right, and the same query again costs zero backend calls', async () => {
    const truth = await customers(reference);
    const cold = await customers(stack.gatewayUrl);
    expect(cold.answer.data).toEqual(truth.answer.data);
    expect(cold.answer.headers.get('x-cache')).toBe('MISS');
    expect(cold.calls).toBeGreaterThan(0);

    // Independent of any gateway: names from the CRM, what is due from the ERP.
    const nodes = cold.answer.data!.customers.nodes;
    const page = await backends.crm<{ results: Array<{ id: string; properties: { name: string } }> }>(
      `/crm/v3/objects/companies?limit=${FIRST}&properties=name`,
    );
    expect(nodes.map((c) => [c.id, c.name])).toEqual(page.results.map((r) => [r.id, r.properties.name]));
    const invoiceIds = nodes.flatMap((c) => c.invoices!.nodes.map((i) => Number(i.id)));
    expect(invoiceIds.length).toBeGreaterThan(FIRST);
    const moves = await backends.odoo<Array<{ id: number; amount_residual: number }>>('account.move', 'read', [invoiceIds], { fields: ['amount_residual'] });
    const residual = new Map(moves.map((m) => [String(m.id), minor(m.amount_residual)]));
    for (const invoice of nodes.flatMap((c) => c.invoices!.nodes)) expect(invoice.amountDue.amount).toBe(residual.get(invoice.id));

    const warm = await customers(stack.gatewayUrl);
    expect(warm.answer.data).toEqual(truth.answer.data);
    expect(warm.calls).toBe(0);
    expect(warm.answer.headers.get('x-cache')).toBe('HIT');
    expect(warm.answer.cacheStatus).toMatchObject({ status: 'HIT', response: 'HIT', subgraphFetches: 0 });
    console.log(
      'customer-360: cold',
      JSON.stringify(cold.answer.cacheStatus),
      `${cold.calls} backend calls; warm`,
      JSON.stringify(warm.answer.cacheStatus),
      `${warm.calls} backend calls`,
    );
  });

  it('answers from entity and root caches alone when the response cache is off: zero backend calls, zero subgraph fetches', async () => {
    const replica = (await stack.startGateway({ RESPONSE_CACHE: 'off' })).url;
    const cold = await customers(replica);
    const warm = await customers(replica);
    expect(warm.answer.data).toEqual(cold.answer.data);
    expect(cold.answer.cacheStatus.subgraphFetches).toBeGreaterThan(0);
    expect(warm.calls).toBe(0);
    expect(warm.answer.cacheStatus).toMatchObject({
      status: 'HIT',
      response: 'BYPASS',
      subgraphFetches: 0,
      entities: { misses: 0 },
      rootFields: { misses: 0 },
    });
    expect(warm.answer.cacheStatus.entities.hits).toBe(cold.answer.cacheStatus.entities.misses);
    expect(await metric(replica, 'gateway_cache_requests_total', { layer: 'entity', result: 'hit' })).toBe(warm.answer.cacheStatus.entities.hits);
  });

  it('serves deferred parts through the entity and root caches as the rest: the same @defer query again costs zero backend calls and zero subgraph fetches', async () => {
    const replica = (await stack.startGateway({ RESPONSE_CACHE: 'off' })).url;
    const whole = await customers(replica);
    // The ERP's orders and the invoices of each customer in deferred fragments. The planner splits their entity
    // fetches from the primary part's, and the entity cache keys entities by selection, so the first run misses.
    const deferred = CUSTOMERS_360.replace('query Customers360', 'query Customers360Deferred')
      .replace(/(\n\s*)(orders\(first: 2\)[^\n]*)/, '$1... @defer(label: "orders") { $2 }')
      .replace(/(\n\s*)(invoices\(first: 3\)[^\n]*)/, '$1... @defer(label: "billing") { $2 }');
    expect(deferred.match(/@defer/g)).toHaveLength(2);
    const subgraphFetches = async (): Promise<number[]> =>
      Promise.all(['crm', 'erp', 'payments'].map((subgraph) => metric(replica, 'subgraph_fetch_duration_seconds_count', { subgraph })));
    const streamed = async (): Promise<{ parts: DeferPart[]; calls: number; fetches: number[]; entityHits: number; entityMisses: number }> => {
      await stack.resetStats();
      const fetchesBefore = await subgraphFetches();
      const entityCounts = async (): Promise<[number, number]> => [
        await metric(replica, 'gateway_cache_requests_total', { layer: 'entity', result: 'hit' }),
        await metric(replica, 'gateway_cache_requests_total', { layer: 'entity', result: 'miss' }),
      ];
      const [hitsBefore, missesBefore] = await entityCounts();
      const response = await fetch(replica, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'multipart/mixed;deferSpec=20220824,application/json;q=0.9', ...stack.authHeaders },
        body: JSON.stringify({ query: deferred, variables: { first: FIRST } }),
      });
      expect(response.headers.get('content-type')).toBe('multipart/mixed; boundary="-"; deferSpec=20220824');
      const parts = await readParts(response);
      // The primary part, then each customer's two deferred fragments, without an error.
      expect(parts.at(-1)!.hasNext).toBe(false);
      expect(
        parts
          .flatMap((part) => part.incremental ?? [])
          .map((item) => item.label)
          .sort(),
      ).toEqual([...Array<string>(FIRST).fill('billing'), ...Array<string>(FIRST).fill('orders')]);
      expect(parts.flatMap((part) => [...(part.errors ?? []), ...(part.incremental ?? []).flatMap((item) => item.errors ?? [])])).toEqual([]);
      expect(mergeParts(parts)).toEqual(whole.answer.data);
      const fetchesAfter = await subgraphFetches();
      const [hitsAfter, missesAfter] = await entityCounts();
      return {
        parts,
        calls: totalCalls(await stack.stats()),
        fetches: fetchesAfter.map((n, i) => n - fetchesBefore[i]!),
        entityHits: hitsAfter - hitsBefore,
        entityMisses: missesAfter - missesBefore,
      };
    };
    const cold = await streamed();
    expect(cold.calls).toBeGreaterThan(0);
    const warm = await streamed();
    expect(warm.calls).toBe(0);
    expect(warm.fetches).toEqual([0, 0, 0]);
    // Every entity the first run fetched, the deferred fragments' included, is a hit the second time.
    expect(cold.entityMisses).toBeGreaterThan(0);
    expect(warm.entityMisses).toBe(0);
    expect(warm.entityHits).toBe(cold.entityMisses + cold.entityHits);
  });

  it('reuses entities that another query cached: an overlapping query costs fewer subgraph fetches and backend calls than cold', async () => {
    // A gateway of its own, its caches filled by CUSTOMERS_360 just now: what the tests above
    // cached may be older than the payments' 30 s TTL by the time this test runs.
    const gateway = (await stack.startGateway({ INVALIDATION_HOLD_MS: String(HOLD_MS) })).url;
    await customers(gateway, CUSTOMERS_360, FIRST);
    // Same customers, another selection: the payments subgraph's entities (each customer's
    // payments, each invoice's payments) were cached by CUSTOMERS_360 with this very selection.
    const cold = await customers(reference, CUSTOMERS_BILLING, FIRST);
    const overlapping = await customers(gateway, CUSTOMERS_BILLING, FIRST);
    expect(overlapping.answer.data).toEqual(cold.answer.data);
    const status = overlapping.answer.cacheStatus;
    expect(status.status).toBe('PARTIAL');
    expect(status.entities.hits).toBeGreaterThanOrEqual(2 * FIRST);
    expect(status.subgraphFetches).toBeLessThan(cold.answer.cacheStatus.subgraphFetches);
    expect(overlapping.calls).toBeLessThan(cold.calls);
    expect(totalCalls(await stack.stats(), 'payments')).toBe(0);
    console.log(
      `overlapping query: ${status.subgraphFetches} subgraph fetches, ${overlapping.calls} backend calls, ${status.entities.hits} entity hits; cold: ${cold.answer.cacheStatus.subgraphFetches} fetches, ${cold.calls} calls`,
    );

    // More customers than were cached: only the new ones are fetched.
    const coldMore = await customers(reference, CUSTOMERS_BILLING, FIRST + 4);
    const more = await customers(gateway, CUSTOMERS_BILLING, FIRST + 4);
    expect(more.answer.data).toEqual(coldMore.answer.data);
    expect(more.answer.cacheStatus.entities.hits).toBeGreaterThanOrEqual(2 * FIRST);
    expect(more.calls).toBeLessThan(coldMore.calls);
  });

  it('keeps PRIVATE data per user: another user reuses the PUBLIC customer list but none of the PRIVATE billing entities', async () => {
    const as = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
    const [aliceToken, bobToken] = await Promise.all([stack.auth.token({ sub: 'alice' }), stack.auth.token({ sub: 'bob' })]);
    const first = 5;
    const alice = await ask<Customers>(stack.gatewayUrl, CUSTOMERS_BILLING, { first }, as(aliceToken));
    expect(alice.errors).toBeUndefined();
    const aliceAgain = await ask<Customers>(stack.gatewayUrl, CUSTOMERS_BILLING, { first }, as(aliceToken));
    expect(aliceAgain.headers.get('x-cache')).toBe('HIT');
    const bob = await ask<Customers>(stack.gatewayUrl, CUSTOMERS_BILLING, { first }, as(bobToken));
    expect(bob.data).toEqual(alice.data);
    // crm's customer names are PUBLIC (shared); erp's invoices and the payments are PRIVATE (per user).
    expect(bob.cacheStatus).toMatchObject({ status: 'PARTIAL', response: 'MISS', rootFields: { hits: 1, misses: 0 }, entities: { hits: 0 } });
    expect(bob.cacheStatus.entities.misses).toBeGreaterThan(0);
  });

  const invoiceIn = (answer: GatewayAnswer<Customers>, invoiceId: string): Invoice | undefined =>
    answer.data?.customers.nodes.flatMap((c) => c.invoices?.nodes ?? []).find((i) => i.id === invoiceId);

  /** A customer of the first page with an unpaid invoice and a saved card, and that invoice. */
  const unpaidInvoice = async (skip: Set<string>): Promise<{ customer: Customer360; invoice: Invoice }> => {
    const { answer } = await customers(stack.gatewayUrl);
    for (const customer of answer.data!.customers.nodes) {
      const invoice = customer.invoices!.nodes.find((i) => i.amountDue.amount > 0 && !skip.has(i.id));
      if (!invoice) continue;
      const [stripeCustomer] = (await backends.stripe.customers.search({ query: `metadata['crm_company_id']:'${customer.id}'` })).data;
      const cards = stripeCustomer ? await backends.stripe.paymentMethods.list({ customer: stripeCustomer.id, type: 'card' }) : undefined;
      if (cards && cards.data.length > 0) return { customer, invoice };
    }
    throw new Error('no unpaid invoice with a saved card on the first page');
  };

  /** Queries twice: the second must come from the caches, so the test starts from cached (stale-able) data. */
  const warmUp = async (): Promise<void> => {
    await until('a fully cached customer-360 answer', async () =>
      (await customers(stack.gatewayUrl)).answer.headers.get('x-cache') === 'HIT' ? true : undefined,
    );
  };

  const paid = new Set<string>();

  it('payInvoice evicts what it changes: the next query shows the payment, and the paid invoice once the ERP has it', async () => {
    const { customer, invoice } = await unpaidInvoice(paid);
    paid.add(invoice.id);
    await warmUp();
    const pay = /* GraphQL */ `
      mutation Pay($input: PayInvoiceInput!) { payInvoice(input: $input) { payment { id status } } }
    `;
    const input = { customerId: customer.id, invoiceId: invoice.id, amount: invoice.amountDue, idempotencyKey: randomUUID() };
    const result = await ask<{ payInvoice: { payment: { id: string; status: string } } }>(stack.gatewayUrl, pay, { input });
    expect(result.errors).toBeUndefined();
    expect(result.headers.get('x-cache')).toBe('BYPASS');
    const payment = result.data!.payInvoice.payment;
    expect(payment.status).toBe('SUCCEEDED');

    // The payments subgraph reported Payment, Invoice and Customer changed: the very next query shows the payment.
    const next = (await customers(stack.gatewayUrl)).answer;
    expect(next.headers.get('x-cache')).not.toBe('HIT');
    expect(invoiceIn(next, invoice.id)!.payments!.map((p) => p.id)).toContain(payment.id);
    // The ERP reconciles the invoice from the provider's webhook, which may land a moment later.
    const settled = await until('the paid invoice in the graph', async () => {
      const now = invoiceIn((await customers(stack.gatewayUrl)).answer, invoice.id)!;
      return now.amountDue.amount === 0 ? now : undefined;
    });
    expect(settled.status).toBe('PAID');
    // And it stays right once cached again (the hold kept the stale read out of the caches).
    await warmUp();
    expect(invoiceIn((await customers(stack.gatewayUrl)).answer, invoice.id)).toEqual(settled);
  });

  it('a payment made at the provider alone (its webhook) evicts what it changes, long before the TTL', async () => {
    const { customer, invoice } = await unpaidInvoice(paid);
    paid.add(invoice.id);
    await warmUp();
    const [stripeCustomer] = (await backends.stripe.customers.search({ query: `metadata['crm_company_id']:'${customer.id}'` })).data;
    const [card] = (await backends.stripe.paymentMethods.list({ customer: stripeCustomer!.id, type: 'card' })).data;
    const intent = await backends.stripe.paymentIntents.create({
      amount: invoice.amountDue.amount,
      currency: invoice.amountDue.currency.toLowerCase(),
      customer: stripeCustomer!.id,
      payment_method: card!.id,
      allowed_payment_method_types: ['card'],
      confirm: true,
      metadata: { erp_invoice_id: invoice.id, crm_company_id: customer.id },
    });
    expect(intent.status).toBe('succeeded');
    // Cached values have about 30 s left (payments' TTL); the webhook must evict them well before.
    const started = Date.now();
    const seen = await until(
      'the provider-side payment in the graph',
      async () => {
        const now = invoiceIn((await customers(stack.gatewayUrl)).answer, invoice.id)!;
        return now.amountDue.amount === 0 && now.payments!.some((p) => p.id === intent.id) ? now : undefined;
      },
      10_000,
    );
    expect(seen.status).toBe('PAID');
    console.log(`webhook eviction visible after ${Date.now() - started} ms`);
  });

  it('serves automatic persisted queries: unknown hash, then registered, then by hash alone', async () => {
    const query = `query ApqProbe { customers(first: 2) { nodes { id name } } } # ${randomUUID()}`;
    const unknown = await ask(stack.gatewayUrl, query, {}, { hashOnly: true });
    expect(unknown.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const registered = await ask(stack.gatewayUrl, query, {}, { withHash: true });
    expect(registered.errors).toBeUndefined();
    const hits = await metric(stack.gatewayUrl, 'gateway_cache_requests_total', { layer: 'apq', result: 'hit' });
    const byHash = await ask(stack.gatewayUrl, query, {}, { hashOnly: true });
    expect(byHash.errors).toBeUndefined();
    expect(byHash.data).toEqual(registered.data);
    expect(await metric(stack.gatewayUrl, 'gateway_cache_requests_total', { layer: 'apq', result: 'hit' })).toBe(hits + 1);
  });

  it('sends one subgraph fetch for two identical reads in flight, and never shares a mutation', async () => {
    const { answer } = await customers(reference, CUSTOMERS_BILLING, 30);
    const id = answer.data!.customers.nodes[29]!.id;
    const one = /* GraphQL */ `query One($id: ID!) { customer(id: $id) { id name domain } }`;
    await stack.setFaults('crm', { latencyMs: 300 });
    try {
      await stack.resetStats();
      const [a, b] = await Promise.all([ask(stack.gatewayUrl, one, { id }), ask(stack.gatewayUrl, one, { id })]);
      expect(a.data).toEqual(b.data);
      expect(a.cacheStatus.subgraphFetches + b.cacheStatus.subgraphFetches).toBe(1);
      expect(a.cacheStatus.sharedFetches + b.cacheStatus.sharedFetches).toBe(1);
      expect(totalCalls(await stack.stats(), 'crm')).toBe(1);

      const update = /* GraphQL */ `mutation Update($input: UpdateCustomerInput!) { updateCustomer(input: $input) { customer { id phone } } }`;
      const input = { id, phone: '+1 555 0100' };
      await stack.resetStats();
      const [m1, m2] = await Promise.all([ask(stack.gatewayUrl, update, { input }), ask(stack.gatewayUrl, update, { input })]);
      expect(m1.errors).toBeUndefined();
      expect(m2.errors).toBeUndefined();
      expect([m1.cacheStatus.sharedFetches, m2.cacheStatus.sharedFetches]).toEqual([0, 0]);
      expect(m1.cacheStatus.subgraphFetches + m2.cacheStatus.subgraphFetches).toBe(2);
      const crm = (await stack.stats()).crm;
      expect(
        Object.entries(crm)
          .filter(([op]) => /update/.test(op))
          .reduce((n, [, c]) => n + c, 0),
      ).toBe(2);
    } finally {
      await stack.clearFaults();
    }
  });

  it('answers right, uncached, when its Redis cannot be reached', async () => {
    const replica = (await stack.startGateway({ REDIS_URL: 'redis://127.0.0.1:1', CACHE_TIMEOUT_MS: '100' })).url;
    const truth = await customers(reference);
    for (let i = 0; i < 2; i++) {
      const { answer, calls } = await customers(replica);
      expect(answer.data).toEqual(truth.answer.data);
      expect(answer.headers.get('x-cache')).toBe('MISS');
      expect(calls).toBeGreaterThan(0);
    }
    expect(await metric(replica, 'gateway_cache_requests_total', { layer: 'entity', result: 'error' })).toBeGreaterThan(0);
  });
});
