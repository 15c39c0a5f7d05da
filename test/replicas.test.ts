/**
 * graph360 scaled out, as real processes on this machine: two gateway replicas and two
 * replicas of each subgraph, each service behind HAProxy (Debian's package), over one
 * of each sandbox and a redis-server of this file's own. Every process reaches the others
 * through the balancer, as in a deployment: clients and the payment provider's webhooks
 * reach the gateways and the payments subgraph through it, and the gateways their
 * subgraphs. Each claim is a count:
 *
 * 1. Under a constant load, every gateway and subgraph replica is restarted in turn
 *    (SIGTERM, exit, start, back in rotation): zero failed client requests. This is the
 *    graceful drain (lib/drain.ts): /ready turns 503, HAProxy's check takes the replica
 *    out, requests in flight finish, keep-alive connections are closed politely, and a
 *    WebSocket subscriber is told to reconnect (1012) and subscribes again elsewhere.
 * 2. State is shared across replicas through Redis: a value cached by one gateway is a hit
 *    on the other; a mutation through one gateway and a payment webhook evict on both;
 *    a client's rate-limit budget is one budget; a subscription on gateway A receives an
 *    event that reached payments replica B; a webhook's change to the payments read
 *    model, and its de-duplication, reach the other payments replica at once.
 * 3. Redis killed and started again mid-run: requests keep succeeding (uncached, rate
 *    limits per replica), and caching comes back without a restart of any of ours.
 *
 * Needs haproxy and redis-server: without either, the suite is skipped with one line,
 * unless REQUIRE_ALL_SUITES=1 (CI), where that is a failure.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'graphql-ws';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createTestAuth, type TestAuth } from './helpers/auth.js';
import { erpInvoices, type ErpInvoice } from './helpers/erpInvoices.js';
import { backendClients } from './helpers/backends.js';
import { ask, metric, totalCalls } from './helpers/gatewayCalls.js';
import { findExecutable, HAProxy } from './helpers/haproxy.js';
import { RedisServer } from './helpers/redisServer.js';
import { spawnService, type SpawnedService } from './helpers/spawnService.js';
import { freePort, paymentsReadModelSynced, type SandboxName } from './helpers/startStack.js';
import { requireOrSkip, until } from './support.js';

const HAPROXY = findExecutable('haproxy');
const REDIS_SERVER = findExecutable('redis-server');
const hasTools = (await requireOrSkip('replicas.test.ts', 'haproxy', 'redis-server')) && HAPROXY !== undefined && REDIS_SERVER !== undefined;

const SUBGRAPHS: readonly SandboxName[] = ['crm', 'erp', 'payments'];
/**
 * How long a replica keeps serving with /ready at 503 after SIGTERM: well above the time
 * the balancer needs to see it (3 failed checks 100 ms apart), on a machine that may be busy.
 */
const DRAIN_MS = 2000;
/** Each load client's request budget: never reached by the load (each client sends at most LOAD_PER_CLIENT), reached on purpose by the rate-limit case. */
const BURST = 200;
const LOAD_CLIENTS = 60;
const LOAD_PER_CLIENT = 180;

const CUSTOMERS_360 = /* GraphQL */ `
  query Customers360($first: Int!) {
    customers(first: $first) {
      nodes {
        id
        name
        contacts(first: 5) { totalCount nodes { id email } }
        deals(first: 5) { totalCount nodes { id name amount { amount currency } } }
        orders(first: 3) { totalCount nodes { id number status total { amount currency } lines { quantity product { id sku name price { amount currency } } } } }
        invoices(first: 3) { totalCount nodes { id number status amountDue { amount currency } payments { id status amount { amount currency } } } }
        outstandingBalance { amount currency }
        payments(first: 3) { nodes { id status amount { amount } invoice { id } } }
      }
    }
  }
`;
const CRM_READ = 'query Crm($first: Int!) { customers(first: $first) { nodes { id name deals(first: 2) { nodes { id name } } } } }';
const ERP_READ = 'query Erp($first: Int!) { products(first: $first) { nodes { id sku name price { amount currency } } } }';
const PAYMENT_READ = 'query Pay($id: ID!) { payment(id: $id) { id status amount { amount currency } } }';
const CUSTOMER_READ = 'query One($id: ID!) { customer(id: $id) { id name invoices(first: 2) { nodes { id status amountDue { amount } } } } }';
const INVOICE_READ = 'query Invoice($id: ID!) { invoice(id: $id) { id status amountDue { amount } } }';
const RENAME = 'mutation Rename($input: UpdateCustomerInput!) { updateCustomer(input: $input) { customer { id name } } }';
const PAY = 'mutation Pay($input: PayInvoiceInput!) { payInvoice(input: $input) { payment { id status } } }';
const PAYMENT_EVENTS =
  'subscription Events($customerId: ID!, $invoiceId: ID) { paymentEvents(customerId: $customerId, invoiceId: $invoiceId) { type payment { id status } invoice { id } } }';

interface Replica {
  /** HAProxy backend and server: "gateway"/"gw1", "crm"/"crm2". */
  backend: string;
  server: string;
  port: number;
  entry: string;
  env: Record<string, string>;
  service: SpawnedService;
}

interface LoadRequest {
  kind: string;
  query: string;
  variables: Record<string, unknown>;
  /** The data every answer must carry. */
  expected: string;
}

interface LoadResult {
  sent: number;
  ok: number;
  failed: number;
  /** The first failures, described. */
  failures: string[];
  /** Failures counted by kind and the start of their description. */
  failureKinds: Record<string, number>;
  byKind: Record<string, number>;
}

/**
 * A constant load on `url`: `rps` requests a second, at most `maxRequests` and `maxMs`,
 * spread over the clients' tokens round robin, at most 64 in flight. Every answer must be
 * 200 with the expected data and no errors.
 */
function startLoad(url: string, requests: readonly LoadRequest[], tokens: readonly string[], options: { rps: number; maxRequests: number; maxMs: number }) {
  const result: LoadResult = { sent: 0, ok: 0, failed: 0, failures: [], failureKinds: {}, byKind: {} };
  const inFlight = new Set<Promise<void>>();
  let stopped = false;
  const fail = (what: string): void => {
    result.failed++;
    if (result.failures.length < 20) result.failures.push(what);
    const kind = what.slice(0, 90);
    result.failureKinds[kind] = (result.failureKinds[kind] ?? 0) + 1;
  };
  const one = async (i: number): Promise<void> => {
    const request = requests[i % requests.length]!;
    const token = tokens[Math.floor(i / requests.length) % tokens.length]!;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: request.query, variables: request.variables }),
      });
      const text = await response.text();
      if (response.status !== 200) return fail(`${request.kind}: ${response.status} ${text.slice(0, 300)}`);
      const body = JSON.parse(text) as { data?: unknown; errors?: unknown };
      if (body.errors) return fail(`${request.kind}: errors ${JSON.stringify(body.errors).slice(0, 300)}`);
      if (JSON.stringify(body.data) !== request.expected) return fail(`${request.kind}: unexpected data ${JSON.stringify(body.data).slice(0, 300)}`);
      result.ok++;
      result.byKind[request.kind] = (result.byKind[request.kind] ?? 0) + 1;
    } catch (error) {
      fail(`${request.kind}: ${(error as Error).message} ${String((error as { cause?: unknown }).cause ?? '')}`);
    }
  };
  const started = Date.now();
  const running = (async () => {
    for (let i = 0; !stopped && i < options.maxRequests && Date.now() - started < options.maxMs; i++) {
      const due = started + (i * 1000) / options.rps;
      if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
      while (inFlight.size >= 64) await Promise.race(inFlight);
      const pending = one(i).finally(() => inFlight.delete(pending));
      inFlight.add(pending);
      result.sent++;
    }
    await Promise.all(inFlight);
  })();
  return {
    result,
    async stop(): Promise<LoadResult> {
      stopped = true;
      await running;
      return result;
    },
  };
}

describe.runIf(hasTools)('replicas behind HAProxy, sharing Redis', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'graph360-replicas-'));
  const prefix = `graph360-replicas-${randomUUID().slice(0, 8)}`;
  let auth: TestAuth;
  let redis: RedisServer;
  let haproxy: HAProxy;
  const sandboxes: Partial<Record<SandboxName, SpawnedService>> = {};
  const replicas: Replica[] = [];
  /** The balancer's frontends: the gateway's /graphql, each subgraph's. */
  let gatewayUrl: string;
  let authHeaders: Record<string, string>;
  let loadTokens: string[];
  let loadRequests: LoadRequest[];
  let loadShapes: Array<Omit<LoadRequest, 'expected'>>;
  let openInvoices: ErpInvoice[];
  /** Pays an invoice through a gateway (payInvoice, its whole residual, a fresh idempotency key). */
  const payThrough = (url: string, invoice: ErpInvoice) =>
    ask<{ payInvoice: { payment: { id: string } } }>(
      url,
      PAY,
      {
        input: {
          customerId: invoice.companyId,
          invoiceId: invoice.invoiceId,
          amount: { amount: invoice.residual, currency: invoice.currency },
          idempotencyKey: randomUUID(),
        },
      },
      { headers: authHeaders },
    );
  /** Pays an invoice at the provider itself (a confirmed PaymentIntent on the customer's card), not through the graph. */
  const payAtProvider = async (invoice: ErpInvoice): Promise<Stripe.PaymentIntent> => {
    const { stripe } = backendClients({ crm: sandboxes.crm!.url, erp: sandboxes.erp!.url, payments: sandboxes.payments!.url });
    const [customer] = (
      await stripe.customers.search({ query: `metadata['crm_company_id']:'${invoice.companyId}'`, expand: ['data.invoice_settings.default_payment_method'] })
    ).data;
    const method = customer!.invoice_settings.default_payment_method;
    return stripe.paymentIntents.create({
      amount: invoice.residual,
      currency: invoice.currency.toLowerCase(),
      customer: customer!.id,
      payment_method: typeof method === 'string' ? method : method!.id,
      allowed_payment_method_types: ['card'],
      confirm: true,
      metadata: { erp_invoice_id: invoice.invoiceId, crm_company_id: invoice.companyId },
    });
  };
  /** Customers the load does not read: each case that needs a cold one takes the next. */
  let spareCustomers: string[];

  const replica = (server: string): Replica => replicas.find((r) => r.server === server)!;
  const urlOf = (r: Replica): string => `http://127.0.0.1:${r.port}/graphql`;
  const sandboxCalls = async (): Promise<Record<SandboxName, Record<string, number>>> => {
    const all = await Promise.all(
      SUBGRAPHS.map(
        async (name) => ((await (await fetch(`${sandboxes[name]!.url}/__sandbox/stats`)).json()) as { operations: Record<string, number> }).operations,
      ),
    );
    return Object.fromEntries(SUBGRAPHS.map((name, i) => [name, all[i]!])) as Record<SandboxName, Record<string, number>>;
  };

  /** Subscriptions the payments replicas serve (their /health), together. */
  const paymentsSubscriptions = async (): Promise<number> => {
    const counts = await Promise.all(
      replicas
        .filter((r) => r.backend === 'payments')
        .map(
          async (r) =>
            ((await (await fetch(`http://127.0.0.1:${r.port}/health`)).json()) as { subscriptions?: { active?: number } }).subscriptions?.active ?? 0,
        ),
    );
    return counts.reduce((a, b) => a + b, 0);
  };

  /** Distinct free ports (the OS may hand the same one out twice once released). */
  const ports = async (n: number): Promise<number[]> => {
    const out = new Set<number>();
    while (out.size < n) out.add(await freePort());
    return [...out];
  };

  beforeAll(async () => {
    auth = createTestAuth();
    authHeaders = { authorization: `Bearer ${await auth.token()}` };
    const [redisPort, gatewayFront, crmFront, erpFront, paymentsFront, erpSandboxPort, ...replicaPorts] = await ports(6 + 8);
    redis = new RedisServer(REDIS_SERVER!, redisPort!);
    await redis.start();

    const front = (port: number): string => `http://127.0.0.1:${port}`;
    gatewayUrl = `${front(gatewayFront!)}/graphql`;
    const env = {
      SANDBOX_DATA_DIR: dataDir,
      SANDBOX_SCALE: '0.1',
      CRM_SANDBOX_PORT: '0',
      ERP_SANDBOX_PORT: String(erpSandboxPort),
      PAYMENTS_SANDBOX_PORT: '0',
      LOG_LEVEL: 'warn',
      // The provider's webhooks reach the ERP, and the payments subgraph through the balancer.
      PAYMENTS_SANDBOX_WEBHOOK_URLS: `${front(erpSandboxPort!)}/payment/stripe/webhook,${front(paymentsFront!)}/webhooks/stripe`,
      PAYMENTS_SANDBOX_WEBHOOK_RETRY_BASE_MS: '200',
      // The CRM account's own limit (HubSpot's 190 a 10 s) is not what this file measures: off.
      CRM_SANDBOX_RATE_LIMIT: '0',
    };
    const started = await Promise.all(SUBGRAPHS.map((name) => spawnService({ entry: `sandboxes/${name}/src/index.ts`, env })));
    SUBGRAPHS.forEach((name, i) => (sandboxes[name] = started[i]!));

    const servers = (backend: string, from: number): Record<string, number> => ({
      [`${backend}1`]: replicaPorts[from]!,
      [`${backend}2`]: replicaPorts[from + 1]!,
    });
    const backends = [
      { name: 'gateway', port: gatewayFront!, servers: servers('gw', 0) },
      { name: 'crm', port: crmFront!, servers: servers('crm', 2) },
      { name: 'erp', port: erpFront!, servers: servers('erp', 4) },
      { name: 'payments', port: paymentsFront!, servers: servers('payments', 6) },
    ];
    haproxy = new HAProxy(HAPROXY!, backends);
    await haproxy.start();

    const common = { LOG_LEVEL: 'warn', REDIS_URL: redis.url, SHUTDOWN_DRAIN_MS: String(DRAIN_MS) };
    const subgraphEnv = {
      ...common,
      ...auth.subgraphEnv,
      CRM_API_URL: sandboxes.crm!.url,
      ERP_URL: sandboxes.erp!.url,
      STRIPE_API_URL: sandboxes.payments!.url,
      // Webhooks' invalidations go to the gateways through the balancer.
      GATEWAY_URL: front(gatewayFront!),
      PAYMENTS_READ_MODEL_CATCHUP_MS: '600000',
      PAYMENTS_READ_MODEL_MAX_LAG_MS: '1200000',
    };
    const subgraphDefs = SUBGRAPHS.flatMap((name) =>
      Object.entries(backends.find((b) => b.name === name)!.servers).map(([server, port]) => ({
        backend: name,
        server,
        port,
        entry: `subgraphs/${name}/src/index.ts`,
        env: { ...subgraphEnv, [`${name.toUpperCase()}_SUBGRAPH_PORT`]: String(port) },
      })),
    );
    const subgraphServices = await Promise.all(subgraphDefs.map((def) => spawnService({ entry: def.entry, env: def.env })));
    subgraphDefs.forEach((def, i) => replicas.push({ ...def, service: subgraphServices[i]! }));
    await Promise.all(replicas.filter((r) => r.backend === 'payments').map((r) => paymentsReadModelSynced(urlOf(r))));

    const gatewayEnv = {
      ...common,
      ...auth.gatewayEnv,
      CRM_SUBGRAPH_URL: `${front(crmFront!)}/graphql`,
      ERP_SUBGRAPH_URL: `${front(erpFront!)}/graphql`,
      PAYMENTS_SUBGRAPH_URL: `${front(paymentsFront!)}/graphql`,
      CACHE_KEY_PREFIX: prefix,
      // Budgets that do not refill during the run: every rate-limit assertion is a count.
      RATE_LIMIT_BURST: String(BURST),
      RATE_LIMIT_RPS: '0.001',
      // A Redis call slower than this falls back to memory (a miss; a rate limit per replica): on a
      // starved machine 250 ms is not enough, and a shared budget would be counted twice.
      CACHE_TIMEOUT_MS: '2000',
    };
    const gatewayDefs = Object.entries(backends[0]!.servers).map(([server, port]) => ({
      backend: 'gateway',
      server,
      port,
      entry: 'gateway/src/index.ts',
      env: { ...gatewayEnv, GATEWAY_PORT: String(port) },
    }));
    const gatewayServices = await Promise.all(gatewayDefs.map((def) => spawnService({ entry: def.entry, env: def.env })));
    gatewayDefs.forEach((def, i) => replicas.push({ ...def, service: gatewayServices[i]! }));
    await Promise.all(replicas.map((r) => haproxy.waitUp(r.backend, r.server)));

    // The load: customer-360 pages and reads of each subgraph, answered once now for their expected data.
    loadTokens = await Promise.all(Array.from({ length: LOAD_CLIENTS }, (_, i) => auth.token({ sub: `load-${i}` })));
    const shapes: Array<Omit<LoadRequest, 'expected'>> = [
      { kind: 'customer360', query: CUSTOMERS_360, variables: { first: 2 } },
      { kind: 'customer360', query: CUSTOMERS_360, variables: { first: 3 } },
      { kind: 'crm', query: CRM_READ, variables: { first: 5 } },
      { kind: 'erp', query: ERP_READ, variables: { first: 5 } },
    ];
    const first = await ask<{ customers: { nodes: Array<{ payments: { nodes: Array<{ id: string }> } }> } }>(
      gatewayUrl,
      CUSTOMERS_360,
      { first: 3 },
      { headers: authHeaders },
    );
    const paymentIds = first.data!.customers.nodes.flatMap((c) => c.payments.nodes.map((p) => p.id)).slice(0, 2);
    for (const id of paymentIds) shapes.push({ kind: 'payments', query: PAYMENT_READ, variables: { id } });
    loadShapes = shapes;
    loadRequests = await expectedAnswers(shapes);
    openInvoices = (await erpInvoices(sandboxes.erp!.url)).filter((invoice) => invoice.residual > 0);
    const all = await ask<{ customers: { nodes: Array<{ id: string }> } }>(
      gatewayUrl,
      'query All { customers(first: 40) { nodes { id } } }',
      {},
      { headers: authHeaders },
    );
    // The load reads the first five customers; invoices being paid here belong to others.
    const busy = new Set([...all.data!.customers.nodes.slice(0, 5).map((c) => c.id), ...openInvoices.map((i) => i.companyId)]);
    spareCustomers = all.data!.customers.nodes.map((c) => c.id).filter((id) => !busy.has(id));
  }, 150_000);

  /** Each request with the data it answers now (through the balancer), as the load's expectation. */
  const expectedAnswers = (shapes: ReadonlyArray<Omit<LoadRequest, 'expected'>>): Promise<LoadRequest[]> =>
    Promise.all(
      shapes.map(async (shape) => {
        const answer = await ask(gatewayUrl, shape.query, shape.variables, { headers: authHeaders });
        if (answer.status !== 200 || answer.errors || !answer.data) throw new Error(`${shape.kind}: ${answer.status} ${JSON.stringify(answer.errors)}`);
        return { ...shape, expected: JSON.stringify(answer.data) };
      }),
    );

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.service.stop()));
    await Promise.all(Object.values(sandboxes).map((s) => s.stop()));
    await haproxy?.stop();
    await redis?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('restarts every gateway and subgraph replica, one by one, under load, without one failed request', async () => {
    const callsBefore = await sandboxCalls();
    const callsSince = async (): Promise<Record<SandboxName, number>> => {
      const now = await sandboxCalls();
      return Object.fromEntries(SUBGRAPHS.map((s) => [s, totalCalls(now, s) - totalCalls(callsBefore, s)])) as Record<SandboxName, number>;
    };
    // A subscriber through the balancer, on one gateway or the other: told to reconnect (1012) when its gateway stops, it subscribes again on the other.
    const invoice = openInvoices.shift()!;
    const closeCodes: number[] = [];
    const events: Array<{ type: string; payment: { id: string } }> = [];
    const subscriber = createClient({
      url: gatewayUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: authHeaders,
      lazy: true,
      retryAttempts: 20,
      shouldRetry: () => true,
      retryWait: () => new Promise((resolve) => setTimeout(resolve, 100)),
      on: { closed: (event) => void closeCodes.push((event as { code: number }).code) },
    });
    const unsubscribe = subscriber.subscribe<{ paymentEvents: { type: string; payment: { id: string } } }>(
      { query: PAYMENT_EVENTS, variables: { customerId: invoice.companyId, invoiceId: invoice.invoiceId } },
      { next: (result) => void (result.data && events.push(result.data.paymentEvents)), error: () => undefined, complete: () => undefined },
    );
    await until('the subscription to be served by a payments replica', async () => ((await paymentsSubscriptions()) > 0 ? true : undefined));

    const load = startLoad(gatewayUrl, loadRequests, loadTokens, { rps: 100, maxRequests: LOAD_CLIENTS * LOAD_PER_CLIENT, maxMs: 120_000 });
    const restarted: string[] = [];
    try {
      for (const r of [...replicas.filter((x) => x.backend !== 'gateway'), ...replicas.filter((x) => x.backend === 'gateway')]) {
        const before = load.result.sent;
        // SIGTERM, then the process drains and exits on its own (exit code 0, not killed).
        const exited = new Promise<number | null>((resolve) => r.service.child.once('exit', (code) => resolve(code)));
        r.service.child.kill('SIGTERM');
        expect({ replica: r.server, code: await exited }).toEqual({ replica: r.server, code: 0 });
        r.service = await spawnService({ entry: r.entry, env: r.env });
        if (r.backend === 'payments') await paymentsReadModelSynced(urlOf(r));
        await haproxy.waitUp(r.backend, r.server);
        // The load ran through the restart.
        expect(load.result.sent).toBeGreaterThan(before);
        restarted.push(r.server);
      }
    } finally {
      await load.stop();
    }
    const result = load.result;
    const calls = await callsSince();
    console.log(
      `rolling restart of ${restarted.join(', ')}: ${result.sent} requests, ${result.ok} ok, ${result.failed} failed (${JSON.stringify(result.byKind)}); backend calls meanwhile: ${JSON.stringify(calls)}`,
    );
    expect(restarted).toHaveLength(8);
    expect(result.failureKinds).toEqual({});
    expect(result.failures).toEqual([]);
    expect(result.ok).toBe(result.sent);
    expect(result.sent).toBeGreaterThan(2000);
    // Requests reached every subgraph during the run (not all answered from the gateways' caches).
    for (const s of SUBGRAPHS) expect(calls[s]).toBeGreaterThan(0);

    // The subscriber was told to reconnect each time its gateway stopped, and nothing else closed it;
    // subscribed again, it receives the event of a payment made now.
    try {
      expect(closeCodes.length).toBeGreaterThan(0);
      expect(closeCodes.filter((code) => code !== 1012)).toEqual([]);
      const paid = await payThrough(gatewayUrl, invoice);
      expect(paid.errors).toBeUndefined();
      await until(
        'the subscriber to receive the payment',
        async () => (events.some((e) => e.type === 'PAYMENT_SUCCEEDED' && e.payment.id === paid.data!.payInvoice.payment.id) ? true : undefined),
        20_000,
      );
    } finally {
      unsubscribe();
      await subscriber.dispose();
    }
  }, 170_000);

  describe('state shared through Redis', () => {
    const gw = (n: 1 | 2): string => urlOf(replica(`gw${n}`));

    it('a value cached by gateway 1 is a hit on gateway 2', async () => {
      const id = spareCustomers.shift()!;
      const first = await ask(gw(1), CUSTOMER_READ, { id }, { headers: authHeaders });
      expect(first.errors).toBeUndefined();
      expect(first.cacheStatus.subgraphFetches).toBeGreaterThan(0);
      // Stored by gateway 1 (at once, or once the hold after an earlier case's invalidation is over); never asked of gateway 2 before.
      await until('gateway 1 to answer it from the cache', async () =>
        (await ask(gw(1), CUSTOMER_READ, { id }, { headers: authHeaders })).cacheStatus.status === 'HIT' ? true : undefined,
      );
      const second = await ask(gw(2), CUSTOMER_READ, { id }, { headers: authHeaders });
      expect(second.data).toEqual(first.data);
      expect(second.cacheStatus).toMatchObject({ status: 'HIT', subgraphFetches: 0 });
    });

    it('a mutation through gateway 1 evicts the entity on gateway 2', async () => {
      const id = spareCustomers.shift()!;
      await ask(gw(1), CUSTOMER_READ, { id }, { headers: authHeaders });
      await until('gateway 2 to answer it from the cache', async () =>
        (await ask(gw(2), CUSTOMER_READ, { id }, { headers: authHeaders })).cacheStatus.status === 'HIT' ? true : undefined,
      );
      const name = `Renamed ${randomUUID().slice(0, 8)}`;
      const renamed = await ask(gw(1), RENAME, { input: { id, name } }, { headers: authHeaders });
      expect(renamed.errors).toBeUndefined();
      const after = await ask<{ customer: { name: string } }>(gw(2), CUSTOMER_READ, { id }, { headers: authHeaders });
      expect(after.data!.customer.name).toBe(name);
      expect(after.cacheStatus.entities.misses).toBeGreaterThan(0);
    });

    it('a payment webhook evicts the invoice on both gateways', async () => {
      const invoice = openInvoices.shift()!;
      // Cached (once the hold of the previous case's invalidation is over, root fields are stored again).
      for (const n of [1, 2] as const) {
        const cached = await until(`gateway ${n} to answer the invoice from its cache`, async () => {
          const answer = await ask<{ invoice: { status: string } }>(gw(n), INVOICE_READ, { id: invoice.invoiceId }, { headers: authHeaders });
          return answer.cacheStatus.status === 'HIT' ? answer : undefined;
        });
        expect(cached.data!.invoice.status).not.toBe('PAID');
      }
      // Paid at the provider itself, not through the graph: only its webhook (to the ERP, and
      // through the balancer to one payments replica, which tells one gateway) can evict it.
      await payAtProvider(invoice);
      // Within 15 s, while the values cached above would live 30 s.
      for (const n of [1, 2] as const) {
        await until(`gateway ${n} to answer the invoice paid`, async () => {
          const answer = await ask<{ invoice: { status: string; amountDue: { amount: number } } }>(
            gw(n),
            INVOICE_READ,
            { id: invoice.invoiceId },
            { headers: authHeaders },
          );
          return answer.data?.invoice.status === 'PAID' && answer.data.invoice.amountDue.amount === 0 ? true : undefined;
        });
      }
    });

    it("one client's rate-limit budget is shared by the gateways", async () => {
      const headers = { authorization: `Bearer ${await auth.token({ sub: `budget-${randomUUID().slice(0, 8)}` })}`, 'content-type': 'application/json' };
      for (const n of [1, 2] as const) expect(await metric(gw(n), 'gateway_rate_limit_backend', { backend: 'redis' })).toBe(1);
      const statuses: number[] = [];
      // BURST + 10 requests, alternately to each gateway, 8 at a time: one budget lets exactly BURST through.
      const total = BURST + 10;
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          for (let i = next++; i < total; i = next++) {
            const response = await fetch(gw(i % 2 === 0 ? 1 : 2), { method: 'POST', headers, body: JSON.stringify({ query: '{ __typename }' }) });
            await response.arrayBuffer();
            statuses.push(response.status);
          }
        }),
      );
      expect(statuses.filter((s) => s === 200)).toHaveLength(BURST);
      expect(statuses.filter((s) => s === 429)).toHaveLength(10);
    });

    it('a subscription on gateway 1 receives an event that reached the other payments replica', async () => {
      const invoice = openInvoices.shift()!;
      const health = async (server: string): Promise<number> =>
        ((await (await fetch(`http://127.0.0.1:${replica(server).port}/health`)).json()) as { subscriptions?: { active?: number } }).subscriptions?.active ?? 0;
      const client = createClient({ url: gw(1).replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams: authHeaders, retryAttempts: 0, lazy: true });
      const events: Array<{ type: string; payment: { id: string } }> = [];
      const dispose = client.subscribe<{ paymentEvents: { type: string; payment: { id: string } } }>(
        { query: PAYMENT_EVENTS, variables: { customerId: invoice.companyId, invoiceId: invoice.invoiceId } },
        { next: (result) => result.data && events.push(result.data.paymentEvents), error: () => undefined, complete: () => undefined },
      );
      let drained: string | undefined;
      try {
        // The payments replica gateway 1's subscription went to; the other one gets everything else.
        const holder = await until('a payments replica to serve the subscription', async () => {
          const [one, two] = [await health('payments1'), await health('payments2')];
          return one > 0 ? 'payments1' : two > 0 ? 'payments2' : undefined;
        });
        const other = holder === 'payments1' ? 'payments2' : 'payments1';
        drained = holder;
        await haproxy.setState('payments', holder, 'drain');
        const before = await haproxy.stats();
        const paid = await payThrough(gw(2), invoice);
        expect(paid.errors).toBeUndefined();
        const paymentId = paid.data!.payInvoice.payment.id;
        await until(
          'the PAYMENT_SUCCEEDED event on gateway 1',
          async () => (events.some((e) => e.type === 'PAYMENT_SUCCEEDED' && e.payment.id === paymentId) ? true : undefined),
          20_000,
        );
        const after = await haproxy.stats();
        // The payment and its webhook went to the other replica only; the subscription stayed where it was.
        expect(after[`payments/${holder}`]!.requests - before[`payments/${holder}`]!.requests).toBe(0);
        expect(after[`payments/${other}`]!.requests - before[`payments/${other}`]!.requests).toBeGreaterThan(0);
        expect(await health(holder)).toBeGreaterThan(0);
      } finally {
        dispose();
        await client.dispose();
        if (drained) await haproxy.setState('payments', drained, 'ready');
      }
    });

    it("the payments replicas share a webhook's change and its de-duplication at once", async () => {
      const invoice = openInvoices.shift()!;
      const { stripe } = backendClients({ crm: sandboxes.crm!.url, erp: sandboxes.erp!.url, payments: sandboxes.payments!.url });
      const webhook = async (server: string, event: unknown): Promise<{ received?: boolean; duplicate?: boolean }> => {
        const payload = JSON.stringify(event);
        const response = await fetch(`http://127.0.0.1:${replica(server).port}/webhooks/stripe`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_sandbox' }) },
          body: payload,
        });
        expect(response.status).toBe(200);
        return (await response.json()) as { received?: boolean; duplicate?: boolean };
      };
      // The invoice's payments, which a replica answers from its read model alone; as a client of its own, so no gateway cache holds them.
      const reader = { authorization: `Bearer ${await auth.token({ sub: `reader-${randomUUID().slice(0, 8)}` })}` };
      const invoicePayments = async (): Promise<Array<{ id: string; status: string }>> =>
        (
          await ask<{ invoice: { payments: Array<{ id: string; status: string }> } }>(
            gw(1),
            'query P($id: ID!) { invoice(id: $id) { id payments { id status } } }',
            { id: invoice.invoiceId },
            { headers: reader },
          )
        ).data!.invoice.payments;
      // Everything (the provider's webhook included) goes to payments2; payments1 has its next catch-up minutes away.
      await haproxy.setState('payments', 'payments1', 'drain');
      try {
        const intent = await payAtProvider(invoice);
        const events = await stripe.events.list({ type: 'payment_intent.succeeded', limit: 20 });
        const event = events.data.find((e) => (e.data.object as { id?: string }).id === intent.id)!;
        expect(event).toBeDefined();
        // payments2 has the event once this returns (by this delivery, or the provider's before it).
        await webhook('payments2', event);
        // Now only payments1 serves the gateways: it has the payment already.
        await haproxy.setState('payments', 'payments1', 'ready');
        await haproxy.setState('payments', 'payments2', 'drain');
        expect(await invoicePayments()).toContainEqual({ id: intent.id, status: 'SUCCEEDED' });
        // And the same event delivered to payments1 is a duplicate there.
        expect(await webhook('payments1', event)).toMatchObject({ received: true, duplicate: true });
      } finally {
        await haproxy.setState('payments', 'payments1', 'ready');
        await haproxy.setState('payments', 'payments2', 'ready');
      }
    });
  });

  it('keeps answering while Redis is killed and started again, and caches again without a restart of ours', async () => {
    // What the earlier cases changed (a renamed customer, paid invoices) is in the answers now.
    const requests = await expectedAnswers(loadShapes);
    const tokens = await Promise.all(Array.from({ length: 20 }, (_, i) => auth.token({ sub: `redis-load-${i}` })));
    const load = startLoad(gatewayUrl, requests, tokens, { rps: 50, maxRequests: 20 * 150, maxMs: 60_000 });
    // How many gateways keep their rate-limit buckets in memory (Redis unreachable) rather than in Redis.
    const memoryLimited = async (): Promise<number> =>
      (await metric(urlOf(replica('gw1')), 'gateway_rate_limit_backend', { backend: 'memory' })) +
      (await metric(urlOf(replica('gw2')), 'gateway_rate_limit_backend', { backend: 'memory' }));
    try {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(await memoryLimited()).toBe(0);
      await redis.kill();
      const okBefore = load.result.ok;
      await until('both gateways to limit from memory', async () => ((await memoryLimited()) === 2 ? true : undefined), 10_000);
      await new Promise((resolve) => setTimeout(resolve, 2000));
      // Requests were answered while Redis was gone.
      expect(load.result.ok - okBefore).toBeGreaterThan(50);
      await redis.start();
      await until('both gateways to limit through Redis again', async () => ((await memoryLimited()) === 0 ? true : undefined), 20_000);
      // Caching recovers, shared again: a value cached by gateway 1 after the restart is a hit on gateway 2.
      const id = spareCustomers.shift()!;
      await until(
        'caching to resume after Redis is back',
        async () => {
          await ask(urlOf(replica('gw1')), CUSTOMER_READ, { id }, { headers: authHeaders });
          const answer = await ask(urlOf(replica('gw2')), CUSTOMER_READ, { id }, { headers: authHeaders });
          return answer.cacheStatus.status === 'HIT' ? true : undefined;
        },
        30_000,
      );
    } finally {
      await load.stop();
    }
    const result = load.result;
    console.log(`Redis restart: ${result.sent} requests, ${result.ok} ok, ${result.failed} failed`);
    expect(result.failureKinds).toEqual({});
    expect(result.ok).toBe(result.sent);
    // No process of ours was restarted.
    for (const r of replicas) expect(r.service.child.exitCode).toBeNull();
  }, 90_000);
});
