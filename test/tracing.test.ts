/**
 * OpenTelemetry tracing across the stack (lib/tracing.ts), as real processes: every
 * service exports to an OTLP/HTTP receiver in this process, and one customer-360 query
 * sent with a W3C traceparent gives one trace, the client's, with the tree
 *   gateway server span → parse, validate, plan, execute → a fetch span per subgraph
 *   → that subgraph's server span → its DataLoader batches and backend calls → attempts,
 * while each sandbox logs the trace id of the calls it served. A gateway without an OTLP
 * endpoint exports nothing. A subscription over graphql-ws has a span for its life, child
 * of the WebSocket's traceparent, and one per event, with the event's fetches under it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { erpInvoices } from './helpers/erpInvoices.js';
import { until } from './support.js';
import { startOtlpReceiver, SPAN_KIND, type OtlpReceiver, type ReceivedSpan } from './helpers/otlpReceiver.js';
import { graphql, startStack, type SandboxName, type Stack } from './helpers/startStack.js';

const CUSTOMERS_360 = /* GraphQL */ `
  query Customers360($first: Int!) {
    customers(first: $first) {
      nodes {
        id
        name
        contacts(first: 5) { totalCount nodes { id email } }
        deals(first: 5) { totalCount nodes { id name amount { amount currency } } }
        orders(first: 3) { totalCount nodes { id number status lines { quantity product { id sku name } } } }
        invoices(first: 3) { totalCount nodes { id number status amountDue { amount currency } payments { id status } } }
        outstandingBalance { amount currency }
        payments(first: 3) { nodes { id status amount { amount } invoice { id } } }
      }
    }
  }
`;

const SUBGRAPHS: readonly SandboxName[] = ['crm', 'erp', 'payments'];

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** Waits until `done` holds of the spans received, then a little more for stragglers. */
async function spansWhen(receiver: OtlpReceiver, done: (spans: ReceivedSpan[]) => boolean, timeoutMs = 15_000): Promise<ReceivedSpan[]> {
  const deadline = Date.now() + timeoutMs;
  while (!done(receiver.spans)) {
    if (Date.now() > deadline) throw new Error(`spans not received in ${timeoutMs} ms; got ${receiver.spans.map((s) => `${s.service}:${s.name}`).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  return [...receiver.spans];
}

describe('tracing through the gateway, the subgraphs and the sandboxes', () => {
  let receiver: OtlpReceiver;
  let stack: Stack;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    stack = await startStack({
      scale: 0.1,
      // Payments' webhooks wired, so that a payment makes subscription events.
      webhooks: true,
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        // OTLP's JSON encoding, which the receiver reads (the default is http/protobuf).
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        // Exported within 100 ms of ending, not 5 s.
        OTEL_BSP_SCHEDULE_DELAY: '100',
        // Info: the gateway's line per operation, read below.
        LOG_LEVEL: 'info',
        // Payments through Stripe's search (the sandbox), not the read model: a backend call to trace.
        PAYMENTS_READ_MODEL: 'off',
      },
      // Caches off: every fetch reaches its subgraph and every subgraph its backend.
      gatewayEnv: { ENTITY_CACHE: 'off', RESPONSE_CACHE: 'off', SUBGRAPH_TIMEOUT_MS: '60000' },
    });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
  });

  it('says at start that tracing is on, in each service it is on in', () => {
    expect(stack.services.gateway!.output()).toContain(`tracing on: spans of graph360-gateway to ${receiver.url}/v1/traces`);
    for (const name of SUBGRAPHS) expect(stack.services[`${name}-subgraph`]!.output()).toContain(`spans of graph360-${name}-subgraph`);
  });

  it("gives one customer-360 query one trace, the client's, from the gateway down to the backend calls", async () => {
    const traceId = hex(16);
    const clientSpanId = hex(8);
    receiver.clear();
    const result = await graphql(stack.gatewayUrl, CUSTOMERS_360, { first: 5 }, { ...stack.authHeaders, traceparent: `00-${traceId}-${clientSpanId}-01` });
    expect(result.errors).toBeUndefined();
    expect(result.status).toBe(200);

    const byId = new Map<string, ReceivedSpan>();
    const ancestors = (span: ReceivedSpan): ReceivedSpan[] => {
      const chain: ReceivedSpan[] = [];
      for (let parent = span.parentSpanId && byId.get(span.parentSpanId); parent; parent = parent.parentSpanId && byId.get(parent.parentSpanId))
        chain.push(parent);
      return chain;
    };
    const spans = await spansWhen(receiver, (received) => {
      const gatewayServer = received.some((s) => s.service === 'graph360-gateway' && s.kind === SPAN_KIND.SERVER);
      const attempts = new Set(received.filter((s) => s.name.startsWith('backend.attempt')).map((s) => s.service));
      return gatewayServer && SUBGRAPHS.every((name) => attempts.has(`graph360-${name}-subgraph`));
    });
    for (const span of spans) byId.set(span.spanId, span);

    // One trace: the client's.
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([traceId]));

    // The gateway's server span, child of the client's span.
    const servers = spans.filter((s) => s.service === 'graph360-gateway' && s.kind === SPAN_KIND.SERVER);
    expect(servers).toHaveLength(1);
    const server = servers[0]!;
    expect(server).toMatchObject({ name: 'POST /graphql', parentSpanId: clientSpanId });
    expect(server.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.response.status_code': 200,
      'graphql.operation.name': 'Customers360',
      'graphql.operation.type': 'query',
    });

    // Parse, validate, plan (a miss: the first time this query runs), execute: children of the server span.
    const child = (name: string): ReceivedSpan => {
      const found = spans.filter((s) => s.name === name && s.parentSpanId === server.spanId);
      expect(found, name).toHaveLength(1);
      return found[0]!;
    };
    child('graphql.parse');
    child('graphql.validate');
    expect(child('graphql.plan').attributes['graph360.plan.cache']).toBe('miss');
    const execute = child('graphql.execute');

    for (const name of SUBGRAPHS) {
      // The gateway's fetches to this subgraph, under execute, client spans.
      const fetches = spans.filter((s) => s.service === 'graph360-gateway' && s.name === `subgraph.fetch ${name}`);
      expect(fetches.length, `fetches to ${name}`).toBeGreaterThan(0);
      for (const fetch of fetches) {
        expect(fetch.kind).toBe(SPAN_KIND.CLIENT);
        expect(ancestors(fetch)).toContain(execute);
        expect(fetch.attributes).toMatchObject({
          'graph360.subgraph.name': name,
          'graph360.cache.status': 'none',
          'graph360.dedup.shared': false,
          'graph360.subgraph.sent': 1,
        });
      }
      // An entity fetch says how many entities it asked for (crm's is the root fetch, customers).
      if (name !== 'crm')
        expect(
          fetches.some((fetch) => Number(fetch.attributes['graph360.subgraph.entities']) > 0),
          `entity fetches to ${name}`,
        ).toBe(true);

      // The subgraph's server span per fetch, its child.
      const service = `graph360-${name}-subgraph`;
      const subgraphServers = spans.filter((s) => s.service === service && s.kind === SPAN_KIND.SERVER);
      expect(subgraphServers.map((s) => s.parentSpanId).sort()).toEqual(fetches.map((f) => f.spanId).sort());
      expect(subgraphServers.every((s) => s.name === 'POST /graphql' && s.attributes['http.response.status_code'] === 200)).toBe(true);

      // Its DataLoader batches, under the request.
      const batches = spans.filter((s) => s.service === service && s.name.startsWith('dataloader.batch '));
      expect(batches.length, `batches of ${name}`).toBeGreaterThan(0);
      for (const batch of batches) {
        expect(batch.attributes['graph360.dataloader.size']).toBeGreaterThan(0);
        expect(ancestors(batch).some((s) => subgraphServers.includes(s))).toBe(true);
      }

      // Its backend calls, each with its attempt (a client span), under the request.
      const calls = spans.filter((s) => s.service === service && s.name.startsWith(`backend ${name}`));
      expect(calls.length, `backend calls of ${name}`).toBeGreaterThan(0);
      for (const call of calls) {
        expect(ancestors(call).some((s) => subgraphServers.includes(s))).toBe(true);
        expect(call.attributes).toMatchObject({
          'graph360.backend.name': name,
          'graph360.backend.attempts': 1,
          'graph360.backend.retries': 0,
          'graph360.breaker.state': 'closed',
        });
        expect(call.status).not.toBe(2);
        const attempts = spans.filter((s) => s.parentSpanId === call.spanId);
        expect(attempts.map((s) => [s.name, s.kind, s.attributes['graph360.backend.attempt']])).toEqual([[`backend.attempt ${name}`, SPAN_KIND.CLIENT, 1]]);
      }
    }

    // The sandboxes log the calls they served with the client's trace id (log lines go out in batches: waited for).
    for (const name of SUBGRAPHS) {
      const served = (): Array<{ trace_id?: string; operation?: string }> =>
        stack.services[`${name}-sandbox`]!.output()
          .split('\n')
          .filter((line) => line.includes('"request served"'))
          .map((line) => JSON.parse(line) as { trace_id?: string; operation?: string });
      await until(`the ${name} sandbox's lines with the trace id`, () => served().some((line) => line.trace_id === traceId));
    }
    // The gateway's line for the operation carries the trace id and a span id of the trace.
    const operationLines = (): string[] =>
      stack.services
        .gateway!.output()
        .split('\n')
        .filter((line) => line.includes('"graphql operation"') && line.includes(traceId));
    await until("the gateway's operation line with the trace id", () => operationLines().length > 0);
    const operationLine = operationLines();
    expect(operationLine).toHaveLength(1);
    const { span_id: spanId } = JSON.parse(operationLine[0]!) as { span_id: string };
    expect(byId.has(spanId)).toBe(true);
  });

  it("traces a subscription over graphql-ws: its life under the WebSocket's traceparent, each event a child with its fetches", async () => {
    const traceId = hex(16);
    const clientSpanId = hex(8);
    const invoice = (await erpInvoices(stack.sandboxUrls.erp)).find((candidate) => candidate.residual > 0);
    expect(invoice).toBeDefined();
    const traceparent = `00-${traceId}-${clientSpanId}-01`;
    // The upgrade request carries the client's traceparent.
    class TracedWebSocket extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, { headers: { traceparent } });
      }
    }
    const client = createClient({
      url: stack.gatewayUrl.replace(/^http/, 'ws'),
      webSocketImpl: TracedWebSocket,
      connectionParams: { headers: stack.authHeaders },
      retryAttempts: 0,
      lazy: true,
    });
    const events: unknown[] = [];
    receiver.clear();
    const stop = client.subscribe(
      {
        query:
          'subscription Events($customerId: ID!, $invoiceId: ID) { paymentEvents(customerId: $customerId, invoiceId: $invoiceId) { type invoice { id status } customer { id name } } }',
        variables: { customerId: invoice!.companyId, invoiceId: invoice!.invoiceId },
      },
      { next: (event) => events.push(event), error: () => {}, complete: () => {} },
    );
    try {
      const subscribed = async (): Promise<true | undefined> => {
        const health = (await (await fetch(stack.subgraphUrls.payments.replace('/graphql', '/health'))).json()) as { subscriptions?: { active?: number } };
        return (health.subscriptions?.active ?? 0) > 0 ? true : undefined;
      };
      await until('the subgraph serves the subscription', subscribed);
      const paid = await graphql(
        stack.gatewayUrl,
        'mutation($input: PayInvoiceInput!) { payInvoice(input: $input) { payment { id } } }',
        {
          input: {
            customerId: invoice!.companyId,
            invoiceId: invoice!.invoiceId,
            amount: { amount: invoice!.residual, currency: invoice!.currency },
            idempotencyKey: randomUUID(),
          },
        },
        stack.authHeaders,
      );
      expect(paid.errors).toBeUndefined();
      await until('two events', async () => (events.length >= 2 ? true : undefined), 30_000);
    } finally {
      stop();
      await client.dispose();
    }
    const spans = await spansWhen(receiver, (received) => received.some((s) => s.name === 'graphql.subscription payments' && s.traceId === traceId));
    const lives = spans.filter((s) => s.name === 'graphql.subscription payments' && s.traceId === traceId);
    expect(lives).toHaveLength(1);
    const life = lives[0]!;
    expect(life).toMatchObject({ service: 'graph360-gateway', parentSpanId: clientSpanId });
    expect(life.attributes).toMatchObject({
      'graph360.subgraph.name': 'payments',
      'graphql.operation.name': 'Events',
      'graph360.subscription.events': events.length,
    });
    const eventSpans = spans.filter((s) => s.name === 'graphql.subscription.event' && s.parentSpanId === life.spanId);
    expect(eventSpans.map((s) => s.attributes['graph360.subscription.event']).sort()).toEqual(events.map((_, i) => i + 1));
    // Each event's fetches (the invoice's ERP fields, the customer's CRM fields) under its span.
    for (const event of eventSpans) {
      const fetches = spans.filter((s) => s.name.startsWith('subgraph.fetch ') && s.parentSpanId === event.spanId);
      expect(fetches.map((s) => s.name).sort(), 'fetches of an event').toEqual(['subgraph.fetch crm', 'subgraph.fetch erp']);
    }
  }, 60_000);

  it('exports nothing from a gateway started without an OTLP endpoint', async () => {
    const untraced = await stack.startGateway({ OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '' });
    expect(untraced.output()).not.toContain('tracing on');
    const traceId = hex(16);
    receiver.clear();
    const result = await graphql(untraced.url, CUSTOMERS_360, { first: 2 }, { ...stack.authHeaders, traceparent: `00-${traceId}-${hex(8)}-01` });
    expect(result.errors).toBeUndefined();
    // The subgraphs still trace their requests (each the root of its own trace: the gateway sent no traceparent).
    const spans = await spansWhen(receiver, (received) => received.some((s) => s.service === 'graph360-crm-subgraph' && s.kind === SPAN_KIND.SERVER));
    expect(spans.filter((s) => s.service === 'graph360-gateway')).toEqual([]);
    expect(spans.filter((s) => s.traceId === traceId)).toEqual([]);
    expect(spans.filter((s) => s.kind === SPAN_KIND.SERVER).every((s) => s.parentSpanId === undefined)).toBe(true);
    // Nor do its log lines carry trace ids.
    expect(untraced.output()).not.toContain('"trace_id"');
  });

  it('shows a Retry-After wait on the backend call: the refused attempt, the retry event with its wait, the attempt that worked', async () => {
    await stack.setFaults('crm', { rateLimitRate: 1, retryAfterSeconds: 1, remaining: 1 });
    try {
      receiver.clear();
      const result = await graphql(stack.gatewayUrl, CUSTOMERS_360, { first: 2 }, { ...stack.authHeaders, traceparent: `00-${hex(16)}-${hex(8)}-01` });
      expect(result.errors).toBeUndefined();
      const spans = await spansWhen(receiver, (received) => received.some((s) => s.service === 'graph360-gateway' && s.kind === SPAN_KIND.SERVER));
      const retried = spans.filter(
        (s) => s.service === 'graph360-crm-subgraph' && s.name.startsWith('backend crm') && s.attributes['graph360.backend.attempts'] === 2,
      );
      expect(retried).toHaveLength(1);
      const call = retried[0]!;
      expect(call.status).not.toBe(2);
      expect(call.attributes['graph360.backend.retries']).toBe(1);
      expect(call.events.filter((e) => e.name === 'retry').map((e) => e.attributes)).toEqual([
        { 'graph360.backend.attempt': 1, 'graph360.retry.wait_ms': 1000, 'graph360.retry.retry_after_ms': 1000, 'graph360.breaker.state': 'closed' },
      ]);
      const attempts = spans
        .filter((s) => s.parentSpanId === call.spanId)
        .sort((a, b) => Number(a.attributes['graph360.backend.attempt']) - Number(b.attributes['graph360.backend.attempt']));
      expect(attempts.map((s) => [s.attributes['graph360.backend.attempt'], s.status])).toEqual([
        [1, 2],
        [2, 0],
      ]);
    } finally {
      await stack.clearFaults();
    }
  });

  it('records a backend that fails on the spans: each attempt failed, the retries with their waits, the errors up the tree', async () => {
    await stack.setFaults('crm', { errorRate: 1 });
    try {
      const traceId = hex(16);
      receiver.clear();
      const result = await graphql(stack.gatewayUrl, CUSTOMERS_360, { first: 2 }, { ...stack.authHeaders, traceparent: `00-${traceId}-${hex(8)}-01` });
      expect(result.errors?.length).toBeGreaterThan(0);
      const spans = await spansWhen(receiver, (received) => received.some((s) => s.service === 'graph360-gateway' && s.kind === SPAN_KIND.SERVER));
      const crmCalls = spans.filter((s) => s.service === 'graph360-crm-subgraph' && s.name.startsWith('backend crm'));
      expect(crmCalls.length).toBeGreaterThan(0);
      for (const call of crmCalls) {
        expect(call.status).toBe(2);
        const attempts = spans.filter((s) => s.parentSpanId === call.spanId);
        expect(attempts.length).toBe(call.attributes['graph360.backend.attempts']);
        expect(attempts.every((s) => s.status === 2 && s.events.some((e) => e.name === 'exception'))).toBe(true);
        expect(call.events.filter((e) => e.name === 'retry')).toHaveLength(attempts.length - 1);
      }
      // A read is retried: its call made all its attempts.
      expect(crmCalls.some((call) => call.attributes['graph360.backend.attempts'] === 3 && call.attributes['graph360.backend.retries'] === 2)).toBe(true);
      // The fetch to crm answered with errors: its span says so.
      expect(spans.some((s) => s.name === 'subgraph.fetch crm' && s.status === 2)).toBe(true);
    } finally {
      await stack.clearFaults();
    }
  });
});
