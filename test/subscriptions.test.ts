/**
 * Subscriptions end to end, over the three sandboxes with the provider's webhooks wired
 * as `npm start` wires them: a payment made through the gateway is published by the
 * payments subgraph and reaches subscribers through the gateway, completed through the
 * plan with the invoice's ERP fields and the customer's CRM fields, over graphql-ws and
 * over HTTP multipart (read by Apollo Client 4's HttpLink). Then the rules: the same
 * authorization as queries (scopes, customer binding), authentication at connection time,
 * the end of a subscription when its token expires, limits per connection, message size,
 * heartbeats, one subgraph subscription shared by identical subscribers, a subgraph
 * restart that the gateway rides out, and shutdown that tells clients to reconnect.
 */
import { randomUUID } from 'node:crypto';
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { erpInvoices, type ErpInvoice } from './helpers/erpInvoices.js';
import { metric } from './helpers/gatewayCalls.js';
import { until } from './support.js';
import { graphql, paymentsReadModelSynced, startStack, type Stack } from './helpers/startStack.js';

const EVENTS = /* GraphQL */ `
  subscription InvoiceEvents($customerId: ID!, $invoiceId: ID) {
    paymentEvents(customerId: $customerId, invoiceId: $invoiceId) {
      type
      payment { id status amount { amount currency } }
      invoice { id number status amountDue { amount } }
      customer { id name }
    }
  }
`;
const PAY = 'mutation($input: PayInvoiceInput!) { payInvoice(input: $input) { payment { id status } } }';

interface Event {
  type: string;
  payment: { id: string; status: string; amount: { amount: number; currency: string } };
  invoice: { id: string; number: string; status: string; amountDue: { amount: number } } | null;
  customer: { id: string; name: string };
}
interface Result {
  data?: { paymentEvents: Event } | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

let stack: Stack;
let invoices: ErpInvoice[];
let wsUrl: string;

/** An invoice nobody has paid in this file yet. */
const nextInvoice = (): ErpInvoice => {
  const invoice = invoices.shift();
  if (!invoice) throw new Error('no open invoice left');
  return invoice;
};

async function pay(invoice: ErpInvoice): Promise<string> {
  const response = await graphql<{ payInvoice: { payment: { id: string } } }>(
    stack.gatewayUrl,
    PAY,
    {
      input: {
        customerId: invoice.companyId,
        invoiceId: invoice.invoiceId,
        amount: { amount: invoice.residual, currency: invoice.currency },
        idempotencyKey: randomUUID(),
      },
    },
    stack.authHeaders,
  );
  expect(response.errors).toBeUndefined();
  return response.data!.payInvoice.payment.id;
}

/** Subscriptions the payments subgraph is serving (its /health), so that a test pays only once the subscription is in place. */
async function subgraphSubscriptions(): Promise<number> {
  const health = (await (await fetch(stack.subgraphUrls.payments.replace('/graphql', '/health'))).json()) as { subscriptions?: { active?: number } };
  return health.subscriptions?.active ?? 0;
}

const wsClient = (connectionParams: Record<string, unknown>, url = wsUrl): Client =>
  createClient({ url, webSocketImpl: WebSocket, connectionParams, retryAttempts: 0, lazy: true });

/** Subscribes and collects results until the subscription ends; `done` resolves with all of them, or the error. */
function collect(client: Client, query: string, variables: Record<string, unknown>) {
  const results: Result[] = [];
  let stop!: () => void;
  const done = new Promise<{ results: Result[]; error?: unknown }>((resolve) => {
    stop = client.subscribe<Result['data']>(
      { query, variables },
      {
        next: (result) => results.push(result as Result),
        error: (error) => resolve({ results, error }),
        complete: () => resolve({ results }),
      },
    );
  });
  return { results, done, stop: () => stop() };
}

beforeAll(async () => {
  stack = await startStack({
    webhooks: true,
    gatewayEnv: { SUBSCRIPTIONS_HEARTBEAT_MS: '300', SUBSCRIPTIONS_MAX_PER_CONNECTION: '3', MAX_BODY_BYTES: '4096' },
  });
  invoices = (await erpInvoices(stack.sandboxUrls.erp)).filter((invoice) => invoice.residual > 0);
  wsUrl = stack.gatewayUrl.replace(/^http/, 'ws');
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

// A subscription a test has stopped ends at the subgraph a moment later (the gateway
// completes its upstream subscription asynchronously). Tests that count the subgraph's
// subscriptions start once the previous test's have ended, or its count would be off by one.
beforeEach(async () => {
  if (stack) await until('the subgraph has no subscription left from an earlier test', async () => ((await subgraphSubscriptions()) === 0 ? true : undefined));
});

describe('a payment, as subscribers see it', () => {
  it("over graphql-ws: PAYMENT_SUCCEEDED then INVOICE_RECONCILED, with the invoice's ERP fields and the customer's CRM fields", async () => {
    const invoice = nextInvoice();
    const client = wsClient({ Authorization: `Bearer ${stack.token}` });
    try {
      const before = await subgraphSubscriptions();
      const subscription = collect(client, EVENTS, { customerId: invoice.companyId, invoiceId: invoice.invoiceId });
      await until('the subgraph serves the subscription', async () => ((await subgraphSubscriptions()) > before ? true : undefined));
      const paymentId = await pay(invoice);
      await until('two events', async () => (subscription.results.length >= 2 ? true : undefined), 30_000);
      subscription.stop();
      const [succeeded, reconciled] = subscription.results;
      expect(succeeded?.errors).toBeUndefined();
      expect(succeeded?.data?.paymentEvents).toMatchObject({
        type: 'PAYMENT_SUCCEEDED',
        payment: { id: paymentId, status: 'SUCCEEDED', amount: { amount: invoice.residual, currency: invoice.currency } },
        invoice: { id: invoice.invoiceId },
        customer: { id: invoice.companyId },
      });
      expect(succeeded?.data?.paymentEvents.customer.name).toMatch(/\S/);
      expect(succeeded?.data?.paymentEvents.invoice?.number).toMatch(/\S/);
      expect(reconciled?.errors).toBeUndefined();
      expect(reconciled?.data?.paymentEvents).toMatchObject({
        type: 'INVOICE_RECONCILED',
        payment: { id: paymentId },
        invoice: { id: invoice.invoiceId, status: 'PAID', amountDue: { amount: 0 } },
      });
    } finally {
      await client.dispose();
    }
  }, 60_000);

  it("over HTTP multipart, read by Apollo Client 4's HttpLink", async () => {
    const invoice = nextInvoice();
    const client = new ApolloClient({ link: new HttpLink({ uri: stack.gatewayUrl, headers: stack.authHeaders }), cache: new InMemoryCache() });
    const events: Event[] = [];
    const errors: unknown[] = [];
    const before = await subgraphSubscriptions();
    const subscription = client
      .subscribe<{ paymentEvents: Event }>({ query: gql(EVENTS), variables: { customerId: invoice.companyId, invoiceId: invoice.invoiceId } })
      .subscribe({
        next: (result) => {
          if (result.data) events.push(result.data.paymentEvents);
          if (result.error) errors.push(result.error);
        },
        error: (error: unknown) => errors.push(error),
      });
    try {
      await until('the subgraph serves the subscription', async () => ((await subgraphSubscriptions()) > before ? true : undefined));
      const paymentId = await pay(invoice);
      await until('two events', async () => (events.length >= 2 ? true : undefined), 30_000);
      expect(errors).toEqual([]);
      expect(events.map((event) => [event.type, event.payment.id, event.invoice?.status])).toEqual([
        ['PAYMENT_SUCCEEDED', paymentId, expect.any(String)],
        ['INVOICE_RECONCILED', paymentId, 'PAID'],
      ]);
      expect(events[0]!.customer.name).toMatch(/\S/);
    } finally {
      subscription.unsubscribe();
    }
  }, 60_000);

  it('identical subscribers share one subscription to the subgraph; each gets every event', async () => {
    const invoice = nextInvoice();
    const client = wsClient({ Authorization: `Bearer ${stack.token}` });
    try {
      const before = await subgraphSubscriptions();
      const sourcesBefore = await metric(stack.gatewayUrl, 'gateway_subscription_sources_active', {});
      const subscribers = [0, 1, 2].map(() => collect(client, EVENTS, { customerId: invoice.companyId, invoiceId: invoice.invoiceId }));
      await until('the subgraph serves the subscription', async () => ((await subgraphSubscriptions()) > before ? true : undefined));
      expect(await metric(stack.gatewayUrl, 'gateway_subscription_sources_active', {})).toBe(sourcesBefore + 1);
      expect(await subgraphSubscriptions()).toBe(before + 1);
      await pay(invoice);
      await until('every subscriber has both events', async () => (subscribers.every((s) => s.results.length >= 2) ? true : undefined), 30_000);
      expect(subscribers.map((s) => s.results.map((r) => r.data?.paymentEvents.type))).toEqual(
        [0, 1, 2].map(() => ['PAYMENT_SUCCEEDED', 'INVOICE_RECONCILED']),
      );
      for (const s of subscribers) s.stop();
      await until('the subgraph subscription ends with its last subscriber', async () => ((await subgraphSubscriptions()) === before ? true : undefined));
    } finally {
      await client.dispose();
    }
  }, 60_000);
});

describe('the rules', () => {
  const refusalOf = async (params: Record<string, unknown>, variables: Record<string, unknown>): Promise<{ results: Result[]; error?: unknown }> => {
    const client = wsClient(params);
    try {
      return await collect(client, EVENTS, variables).done;
    } finally {
      await client.dispose();
    }
  };

  it('authorization as for queries: no payments:read scope, anonymous, or a token bound to another customer are refused with their codes', async () => {
    const [customer, other] = [invoices[0]!, invoices.find((i) => i.companyId !== invoices[0]!.companyId)!];
    const noScope = await refusalOf({ Authorization: `Bearer ${await stack.auth.token({ scope: ['invoices:read'] })}` }, { customerId: customer.companyId });
    const anonymous = await refusalOf({}, { customerId: customer.companyId });
    const bound = await refusalOf({ Authorization: `Bearer ${await stack.auth.token({ customer_id: customer.companyId })}` }, { customerId: other.companyId });
    const codes = (outcome: { results: Result[]; error?: unknown }): unknown[] => {
      const errors = Array.isArray(outcome.error) ? (outcome.error as Result['errors'])! : outcome.results.flatMap((r) => r.errors ?? []);
      return errors.map((e) => e.extensions?.code);
    };
    expect(codes(noScope)).toEqual(['FORBIDDEN']);
    expect(codes(anonymous)).toContain('UNAUTHENTICATED');
    expect(codes(bound)).toEqual(['FORBIDDEN']);
  });

  it('a bad token at connection time closes the socket with 4403 and the code', async () => {
    const closed = await new Promise<{ code: number; reason: string }>((resolve) => {
      const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
      socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: 'Bearer not-a-token' } })));
      socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    expect(closed.code).toBe(4403);
    expect(closed.reason).toMatch(/^UNAUTHENTICATED: /);
  });

  it("the token may come in the upgrade request's headers instead of connection_init", async () => {
    const token = stack.token;
    const client = createClient({
      url: wsUrl,
      webSocketImpl: class extends WebSocket {
        constructor(address: string, protocols?: string | string[]) {
          super(address, protocols, { headers: { authorization: `Bearer ${token}` } });
        }
      },
      retryAttempts: 0,
    });
    try {
      const outcome = await collect(client, '{ payment(id: "pi_none") { id } }', {}).done;
      // Anonymous, this would be refused (UNAUTHENTICATED); with the header's token, the payment is simply not found.
      expect(outcome.results.map((result) => [result.data, result.errors])).toEqual([[{ payment: null }, undefined]]);
    } finally {
      await client.dispose();
    }
  });

  it('a subscription ends with UNAUTHENTICATED when its token expires', async () => {
    const token = await stack.auth.token({ expiresIn: 3 });
    const outcome = await refusalOf({ Authorization: `Bearer ${token}` }, { customerId: invoices[0]!.companyId });
    expect(outcome.error).toBeUndefined();
    expect(outcome.results.map((r) => r.errors?.[0]?.extensions?.code)).toEqual(['UNAUTHENTICATED']);
  }, 20_000);

  it('limits subscriptions per connection (SUBSCRIPTIONS_MAX_PER_CONNECTION=3)', async () => {
    const client = wsClient({ Authorization: `Bearer ${stack.token}` });
    try {
      const open = [0, 1, 2].map((i) => collect(client, EVENTS, { customerId: String(900 + i) }));
      const fourth = await collect(client, EVENTS, { customerId: '999' }).done;
      expect((fourth.error as Result['errors'])?.map((e) => e.extensions?.code)).toEqual(['SUBSCRIPTION_LIMIT_EXCEEDED']);
      for (const s of open) s.stop();
    } finally {
      await client.dispose();
    }
  });

  it('each subscribe message goes through the limits checked before parsing, like an HTTP request', async () => {
    const client = wsClient({ Authorization: `Bearer ${stack.token}` });
    try {
      const name = 'N'.repeat(200);
      const outcome = await collect(client, `subscription ${name} { paymentEvents(customerId: "1") { id } }`, {}).done;
      expect((outcome.error as Result['errors'])?.map((e) => e.extensions?.code)).toEqual(['OPERATION_NAME_TOO_LONG']);
    } finally {
      await client.dispose();
    }
  });

  it('a message larger than MAX_BODY_BYTES closes the socket (1009)', async () => {
    const closed = await new Promise<number>((resolve) => {
      const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
      socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { pad: 'x'.repeat(10_000) } })));
      socket.on('close', (code) => resolve(code));
    });
    expect(closed).toBe(1009);
  });

  it('heartbeats: WebSocket pings, and empty parts on a multipart subscription', async () => {
    const pinged = await new Promise<boolean>((resolve) => {
      const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
      socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: `Bearer ${stack.token}` } })));
      socket.on('ping', () => {
        socket.close();
        resolve(true);
      });
    });
    expect(pinged).toBe(true);
    const controller = new AbortController();
    const response = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { ...stack.authHeaders, 'content-type': 'application/json', accept: 'multipart/mixed;subscriptionSpec=1.0' },
      body: JSON.stringify({ query: EVENTS, variables: { customerId: invoices[0]!.companyId } }),
      signal: controller.signal,
    });
    expect(response.headers.get('content-type')).toBe('multipart/mixed;boundary="graphql";subscriptionSpec="1.0"');
    const reader = response.body!.getReader();
    let body = '';
    while ((body.match(/\r\n\r\n\{\}/g) ?? []).length < 3) body += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    expect(body.startsWith('\r\n--graphql\r\nContent-Type: application/json\r\n\r\n{}\r\n--graphql')).toBe(true);
  });

  it('over multipart, a subscription refused before it starts is answered in JSON with its code', async () => {
    const response = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await stack.auth.token({ customer_id: '1' })}`,
        'content-type': 'application/json',
        accept: 'multipart/mixed;boundary=graphql;subscriptionSpec=1.0',
      },
      body: JSON.stringify({ query: EVENTS, variables: { customerId: '2' } }),
    });
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await response.json()) as Result;
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
  });

  it('a subscription without a streaming transport: 406 SUBSCRIPTION_TRANSPORT_REQUIRED', async () => {
    const response = await graphql(stack.gatewayUrl, EVENTS, { customerId: '1' }, stack.authHeaders);
    expect([response.status, response.errors?.[0]?.extensions?.code]).toEqual([406, 'SUBSCRIPTION_TRANSPORT_REQUIRED']);
  });

  it('queries run over the socket too', async () => {
    const client = wsClient({ Authorization: `Bearer ${stack.token}` });
    try {
      const outcome = await collect(client, '{ customers(first: 1) { nodes { id } } }', {}).done;
      expect(outcome.results).toHaveLength(1);
      expect((outcome.results[0]!.data as unknown as { customers: { nodes: unknown[] } }).customers.nodes).toHaveLength(1);
    } finally {
      await client.dispose();
    }
  });
});

describe('resilience', () => {
  it("the payments subgraph restarts: the gateway subscribes again by itself, and the next payment's events arrive", async () => {
    const invoice = nextInvoice();
    const client = wsClient({ Authorization: `Bearer ${stack.token}` });
    try {
      const subscription = collect(client, EVENTS, { customerId: invoice.companyId, invoiceId: invoice.invoiceId });
      await until('the subgraph serves the subscription', async () => ((await subgraphSubscriptions()) > 0 ? true : undefined));
      const old = stack.services['payments-subgraph']!;
      const port = new URL(old.url).port;
      await old.stop();
      const restarted = await stack.startSubgraph('payments', { PAYMENTS_SUBGRAPH_PORT: port });
      await paymentsReadModelSynced(restarted.url);
      await until('the gateway subscribed again', async () => ((await subgraphSubscriptions()) > 0 ? true : undefined), 30_000);
      const paymentId = await pay(invoice);
      await until("the payment's events", async () => (subscription.results.length >= 2 ? true : undefined), 30_000);
      expect(subscription.results.map((r) => [r.data?.paymentEvents.type, r.data?.paymentEvents.payment.id])).toEqual([
        ['PAYMENT_SUCCEEDED', paymentId],
        ['INVOICE_RECONCILED', paymentId],
      ]);
      subscription.stop();
    } finally {
      await client.dispose();
    }
  }, 90_000);
});

describe('shutdown', () => {
  it('WebSocket subscribers are told to reconnect (1012), multipart ones get SHUTTING_DOWN', async () => {
    const gateway = await stack.startGateway({ SUBSCRIPTIONS_HEARTBEAT_MS: '300' });
    const url = gateway.url.replace(/^http/, 'ws');
    const closed = new Promise<number>((resolve) => {
      const socket = new WebSocket(url, 'graphql-transport-ws');
      socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: `Bearer ${stack.token}` } })));
      socket.on('message', (message) => {
        if ((JSON.parse(message.toString()) as { type: string }).type !== 'connection_ack') return;
        socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: EVENTS, variables: { customerId: invoices[0]!.companyId } } }));
      });
      socket.on('close', (code) => resolve(code));
    });
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { ...stack.authHeaders, 'content-type': 'application/json', accept: 'multipart/mixed;subscriptionSpec=1.0' },
      body: JSON.stringify({ query: EVENTS, variables: { customerId: invoices[0]!.companyId } }),
    });
    const reading = response.text();
    await until('both subscriptions are served', async () =>
      (await metric(gateway.url, 'gateway_subscriptions_active', { transport: 'websocket' })) === 1 &&
      (await metric(gateway.url, 'gateway_subscriptions_active', { transport: 'multipart' })) === 1
        ? true
        : undefined,
    );
    await gateway.stop();
    expect(await closed).toBe(1012);
    const body = await reading;
    expect(body).toContain('"code":"SHUTTING_DOWN"');
    expect(body.endsWith('\r\n--graphql--\r\n')).toBe(true);
  }, 30_000);
});
