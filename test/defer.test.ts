/**
 * @defer through the gateway, over the three sandboxes: a client that takes
 * `multipart/mixed; deferSpec=20220824` gets the CRM's fields first and each deferred
 * fragment in its own part (paths with list indexes, labels, its own errors); the first
 * part is sent before the slow ERP has answered (counted by the gateway's own fetch
 * metrics, not timed); a client that does not take multipart, and an operation with a
 * field refused by authorization, get the whole answer at once; Apollo Client 4 reads it.
 */
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { Defer20220824Handler } from '@apollo/client/incremental';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from './support.js';
import { readParts, type DeferPart } from './helpers/deferParts.js';
import { graphql, startStack, type Stack } from './helpers/startStack.js';

const MULTIPART = 'multipart/mixed;deferSpec=20220824,application/graphql-response+json,application/json;q=0.9';

const CUSTOMER = /* GraphQL */ `
  query DeferredCustomer($id: ID!) {
    customer(id: $id) {
      id
      name
      ... @defer(label: "balance") {
        outstandingBalance { amount currency }
        ... @defer(label: "orders") {
          orders(first: 2) { totalCount nodes { id number } }
        }
      }
    }
  }
`;
const CUSTOMER_WHOLE = CUSTOMER.replace(/\.\.\. @defer\(label: "\w+"\) \{/g, '... {');

const CUSTOMERS = /* GraphQL */ `
  query DeferredCustomers {
    customers(first: 3) {
      nodes {
        id
        name
        ... @defer(label: "erp") { outstandingBalance { amount currency } }
      }
    }
  }
`;

type Part = DeferPart;

/** A part without `extensions` (cacheStatus, shown in development): what the assertions compare. */
function bare(part: Part | undefined): Part | undefined {
  if (!part) return part;
  const { extensions: _extensions, ...rest } = part;
  return rest;
}

let stack: Stack;

/** Completed gateway fetches to a subgraph so far (the fetch-duration histogram's count). */
async function completedFetches(subgraph: string): Promise<number> {
  const text = await (await fetch(stack.gatewayUrl.replace(/\/graphql$/, '/metrics'))).text();
  const line = text.split('\n').find((l) => l.startsWith(`subgraph_fetch_duration_seconds_count{subgraph="${subgraph}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

function post(query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(stack.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...stack.authHeaders, ...headers },
    body: JSON.stringify({ query, variables }),
  });
}

beforeAll(async () => {
  // No entity or response cache: every request fetches, so fetch counts tell what happened.
  stack = await startStack({ gatewayEnv: { ENTITY_CACHE: 'off', RESPONSE_CACHE: 'off' } });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('@defer', () => {
  it('sends the CRM fields before the slow ERP has answered, then each deferred fragment in its own part', async () => {
    const whole = await graphql(stack.gatewayUrl, CUSTOMER_WHOLE, { id: '10000004' }, stack.authHeaders);
    expect(whole.errors).toBeUndefined();
    await stack.setFaults('erp', { latencyMs: 1500 });
    try {
      const before = await completedFetches('erp');
      const response = await post(CUSTOMER, { id: '10000004' }, { accept: MULTIPART });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('multipart/mixed; boundary="-"; deferSpec=20220824');
      expect(response.headers.get('cache-control')).toBe('no-store');
      const erpDoneAtFirstPart: number[] = [];
      const parts = await readParts(response, async (_part, index) => {
        if (index === 0) erpDoneAtFirstPart.push(await completedFetches('erp'));
      });
      // When the first part arrived, no ERP fetch of this request had completed.
      expect(erpDoneAtFirstPart).toEqual([before]);
      expect(await completedFetches('erp')).toBe(before + 2);

      const customer = whole.data!.customer as Record<string, unknown>;
      expect(bare(parts[0])).toEqual({ hasNext: true, data: { customer: { id: '10000004', name: customer.name } } });
      expect(parts.slice(1)).toEqual([
        { hasNext: true, incremental: [{ data: { outstandingBalance: customer.outstandingBalance }, path: ['customer'], label: 'balance' }] },
        { hasNext: false, incremental: [{ data: { orders: customer.orders }, path: ['customer'], label: 'orders' }] },
      ]);
    } finally {
      await stack.clearFaults();
    }
  });

  it('delivers a fragment deferred in a list once per element, at its index', async () => {
    const response = await post(CUSTOMERS, {}, { accept: MULTIPART });
    const parts = await readParts(response);
    const whole = await graphql(stack.gatewayUrl, CUSTOMERS.replace('... @defer(label: "erp") {', '... {'), {}, stack.authHeaders);
    const nodes = (whole.data!.customers as { nodes: Array<Record<string, unknown>> }).nodes;
    expect(nodes).toHaveLength(3);
    expect(parts.map(bare)).toEqual([
      { hasNext: true, data: { customers: { nodes: nodes.map(({ id, name }) => ({ id, name })) } } },
      {
        hasNext: false,
        incremental: nodes.map((node, i) => ({ data: { outstandingBalance: node.outstandingBalance }, path: ['customers', 'nodes', i], label: 'erp' })),
      },
    ]);
  });

  it('answers at once, with every deferred field in place, a client that does not take multipart', async () => {
    const response = await post(CUSTOMER, { id: '10000005' }, { accept: 'application/graphql-response+json' });
    expect(response.headers.get('content-type')).toMatch(/^application\/graphql-response\+json/);
    const body = (await response.json()) as Record<string, unknown>;
    const whole = await graphql(stack.gatewayUrl, CUSTOMER_WHOLE, { id: '10000005' }, stack.authHeaders);
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual(whole.data);
  });

  it('answers whole when a deferred field is refused by authorization: null there, with its error', async () => {
    // Every scope but invoices:read, which outstandingBalance needs; orders need none.
    const token = await stack.auth.token({ scope: 'payments:read customers:write orders:write payments:write' });
    const response = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: MULTIPART, authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: CUSTOMER, variables: { id: '10000004' } }),
    });
    expect(response.headers.get('content-type')).toMatch(/^application\/(graphql-response\+)?json/);
    const body = (await response.json()) as { data: { customer: Record<string, unknown> }; errors: Array<{ path: unknown; extensions: { code: string } }> };
    expect(body.data.customer.outstandingBalance).toBeNull();
    expect(body.data.customer.orders).toMatchObject({ nodes: expect.any(Array) });
    expect(body.errors).toEqual([
      expect.objectContaining({ path: ['customer', 'outstandingBalance'], extensions: expect.objectContaining({ code: 'FORBIDDEN' }) }),
    ]);
  });

  it('is read by Apollo Client 4 as a partial result, then the whole one', async () => {
    const client = new ApolloClient({
      cache: new InMemoryCache(),
      link: new HttpLink({ uri: stack.gatewayUrl, headers: stack.authHeaders }),
      incrementalHandler: new Defer20220824Handler(),
    });
    const whole = await graphql(stack.gatewayUrl, CUSTOMER_WHOLE, { id: '10000004' }, stack.authHeaders);
    const seen: Array<Record<string, unknown>> = [];
    await new Promise<void>((resolve, reject) => {
      const subscription = client.watchQuery({ query: gql(CUSTOMER), variables: { id: '10000004' }, fetchPolicy: 'no-cache' }).subscribe({
        next: (result) => {
          if (result.error) return reject(result.error);
          if (result.data) seen.push(result.data as Record<string, unknown>);
          if (result.dataState === 'complete') {
            subscription.unsubscribe();
            resolve();
          }
        },
        error: reject,
      });
    });
    client.stop();
    const customer = whole.data!.customer as Record<string, unknown>;
    expect(seen[0]).toEqual({ customer: { __typename: 'Customer', id: '10000004', name: customer.name } });
    // The client adds __typename to every selection; the rest is the whole answer.
    expect(seen.at(-1)).toMatchObject({ customer });
  });

  it("starts a deferred fragment's fetches with the primary part's: one that depends on nothing is fetched while the primary part still waits", async () => {
    const query = 'query Early($id: ID!) { customer(id: $id) { id name } ... @defer(label: "products") { products(first: 2) { nodes { id } } } }';
    await stack.setFaults('crm', { hang: true });
    const aborted = new AbortController();
    try {
      const before = await completedFetches('erp');
      const response = fetch(stack.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: MULTIPART, ...stack.authHeaders },
        body: JSON.stringify({ query, variables: { id: '10000007' } }),
        signal: aborted.signal,
      });
      // The CRM never answers, so the primary part cannot be sent; the ERP's products are fetched all the same.
      await until('the deferred ERP fetch', async () => ((await completedFetches('erp')) > before ? true : undefined), 10_000);
      aborted.abort();
      await response.catch(() => undefined);
    } finally {
      await stack.clearFaults();
    }
  });

  // Last: it opens the subgraph's circuit breaker to the ERP for the tests after it.
  it("gives a failing subgraph's errors to its own part; the primary part has none", async () => {
    await stack.setFaults('erp', { down: true });
    try {
      const parts = await readParts(await post(CUSTOMER, { id: '10000006' }, { accept: MULTIPART }));
      expect(parts).toHaveLength(3);
      expect(parts[0]!.errors).toBeUndefined();
      expect((parts[0]!.data!.customer as Record<string, unknown>).id).toBe('10000006');
      const [balance, orders] = [parts[1]!.incremental![0]!, parts[2]!.incremental![0]!];
      expect(balance).toMatchObject({ data: { outstandingBalance: null }, path: ['customer'], label: 'balance' });
      expect(balance.errors).toEqual([
        expect.objectContaining({
          path: ['customer', 'outstandingBalance'],
          extensions: expect.objectContaining({ code: 'BACKEND_UNAVAILABLE', serviceName: 'erp' }),
        }),
      ]);
      expect(orders).toMatchObject({ data: { orders: null }, path: ['customer'], label: 'orders' });
      expect(orders.errors).toEqual([
        expect.objectContaining({ path: ['customer', 'orders'], extensions: expect.objectContaining({ code: 'BACKEND_UNAVAILABLE' }) }),
      ]);
    } finally {
      await stack.clearFaults();
    }
  });
});
