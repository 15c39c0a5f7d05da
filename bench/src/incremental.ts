/**
 * `npm run bench:incremental`: graph360's gateway on subscriptions and @defer, in one
 * bounded run over the sandboxes (production mode, the gateway alone on CPU 0, everything
 * else on CPU 1, as `npm run bench`).
 *
 *  1. Subscription fan-out: BENCH_SUBSCRIBERS (1,000) subscribers of `paymentEvents` over
 *     graphql-ws on one fresh gateway per variant, then one payment (payInvoice through the
 *     gateway; the provider's webhook reaches the payments subgraph, which publishes
 *     PAYMENT_SUCCEEDED, then INVOICE_RECONCILED once the ERP has applied it). Per event,
 *     the time each subscriber got it, from the payment and from its publication (as a
 *     subscriber of the payments subgraph itself saw it), and the gateway's memory per
 *     subscriber (/metrics before and after subscribing, each after a full collection).
 *     Variants: `shared` (one caller, same variables: one subgraph subscription, 40 sockets
 *     of 25), `shared-sockets` (the same caller on 1,000 sockets of one), `distinct` (1,000
 *     callers, one socket each: 1,000 subgraph subscriptions, each event completed 1,000
 *     times). Every subscriber must get exactly the two events of that payment.
 *  2. @defer: the customer-360 page query (schema/operations/customerOverview.graphql's
 *     CustomerOverview, its orders deferred) with BENCH_LATENCY_MS (20) on every backend
 *     call: time to the first part and to the whole answer with @defer, and to the answer
 *     of the same query without it, BENCH_DEFER_N (100) of each, the two kinds alternating,
 *     one at a time (200 requests), then as many at BENCH_DEFER_CONCURRENCY (16) in flight;
 *     for graph360's gateway (caches and inbound dedup off: every request executes) and
 *     Hive Gateway (`deferStream: true`). Every answer is checked against the reference.
 *
 * Settings (environment): BENCH_SUBSCRIBERS, BENCH_SUBSCRIPTIONS_PER_SOCKET (25),
 * BENCH_SUB_VARIANTS (shared,shared-sockets,distinct), BENCH_DEFER_N, BENCH_DEFER_CONCURRENCY,
 * BENCH_DEFER_CUSTOMERS (20: the customers the requests go round), BENCH_DEFER_TARGETS
 * (ours,hive), BENCH_LATENCY_MS, BENCH_INCREMENTAL_ONLY (subscriptions | defer),
 * BENCH_SCALE (0.2), BENCH_DEADLINE_S (330: everything is stopped by then).
 * Results: printed, and bench/results/<timestamp>-incremental.json. See bench/README.md.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Kind, parse, print, visit, type DefinitionNode, type DocumentNode, type FragmentDefinitionNode } from 'graphql';
import { createBenchAuth, type BenchAuth } from './lib/auth.js';
import { oursGatewayEnv } from './lib/oursEnv.js';
import { cpuSeconds, freePort, killAllNow, spawnProc, stopAll, type Proc } from './lib/proc.js';
import { table } from './lib/report.js';
import { GraphQLWsSocket, openSockets, type Subscription } from './incremental/graphqlWs.js';
import { timedPost, type TimedAnswer } from './incremental/multipart.js';
import { startIncrementalStack, type IncrementalStack } from './incremental/stack.js';
import { canonical } from './lib/canonical.js';

const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const GC_ON_SIGNAL = fileURLToPath(new URL('./lib/gcOnSignal.mjs', import.meta.url));
const HIVE_BIN = join(BENCH_DIR, 'node_modules/@graphql-hive/gateway/dist/bin.js');

const num = (name: string, fallback: number, min = 0): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min) throw new Error(`${name} must be a number of at least ${min}, got "${raw}"`);
  return value;
};
const list = <T extends string>(name: string, known: readonly T[]): T[] => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return [...known];
  const values = raw.split(',').map((v) => v.trim());
  for (const v of values) if (!known.includes(v as T)) throw new Error(`${name}: unknown "${v}" (known: ${known.join(', ')})`);
  return values as T[];
};

const VARIANTS = ['shared', 'shared-sockets', 'distinct'] as const;
type Variant = (typeof VARIANTS)[number];
const DEFER_TARGETS = ['ours', 'hive'] as const;
type DeferTarget = (typeof DEFER_TARGETS)[number];

const settings = {
  subscribers: Math.round(num('BENCH_SUBSCRIBERS', 1000, 1)),
  perSocket: Math.round(num('BENCH_SUBSCRIPTIONS_PER_SOCKET', 25, 1)),
  variants: list('BENCH_SUB_VARIANTS', VARIANTS),
  deferRequests: Math.round(num('BENCH_DEFER_N', 100, 1)),
  deferConcurrency: Math.round(num('BENCH_DEFER_CONCURRENCY', 16, 1)),
  deferCustomers: Math.round(num('BENCH_DEFER_CUSTOMERS', 20, 1)),
  deferTargets: list('BENCH_DEFER_TARGETS', DEFER_TARGETS),
  /**
   * The gateway's SUBGRAPH_TIMEOUT_MS in part 1 (its default is 10 s): with 1,000 distinct
   * callers one event makes 2,000 subgraph fetches at once, and on this two-CPU machine the
   * last of them can wait longer than 10 s (they then fail with SUBGRAPH_TIMEOUT and the
   * check fails); the bench measures how long the fan-out takes instead.
   */
  subscriptionSubgraphTimeoutMs: Math.round(num('BENCH_SUB_SUBGRAPH_TIMEOUT_MS', 60_000, 1)),
  latencyMs: num('BENCH_LATENCY_MS', 20),
  only: process.env.BENCH_INCREMENTAL_ONLY || undefined,
  scale: num('BENCH_SCALE', 0.2),
  deadlineS: num('BENCH_DEADLINE_S', 330, 1),
  targetCpu: '0',
  loadCpu: '1',
};
if (settings.only && !['subscriptions', 'defer'].includes(settings.only))
  throw new Error(`BENCH_INCREMENTAL_ONLY must be subscriptions or defer, got "${settings.only}"`);

let workDir = '';
let logCounter = 0;
const log = (message: string): void => console.log(`[bench:incremental ${new Date().toISOString().slice(11, 19)}] ${message}`);
const logFile = (name: string): string => join(workDir, `${String(++logCounter).padStart(2, '0')}-${name}.log`);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `check` returns true (polling every 50 ms), or fails naming `what`. */
async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number, detail?: () => Promise<string> | string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s${detail ? ` (${await detail()})` : ''}`);
    await sleep(50);
  }
}

/** Nearest-rank quantile of sorted values. */
const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
const sortNumbers = (values: number[]): number[] => [...values].sort((a, b) => a - b);

interface Spread {
  min: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}
function spread(values: number[]): Spread {
  const sorted = sortNumbers(values);
  return {
    min: sorted[0] ?? Number.NaN,
    p50: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
    p99: quantile(sorted, 0.99),
    max: sorted.at(-1) ?? Number.NaN,
  };
}

async function graphql<T>(url: string, query: string, variables: Record<string, unknown>, token: string): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  let body: { data?: T; errors?: unknown[] } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // reported below
  }
  if (response.status !== 200 || body.errors || !body.data) throw new Error(`HTTP ${response.status}: ${text.slice(0, 400)}`);
  return body.data;
}

// ---------------------------------------------------------------------------------------
// The gateways

const METRICS_TOKEN = randomBytes(24).toString('base64url');

interface Gateway {
  proc: Proc;
  url: string;
}

/** graph360's gateway on CPU 0 in production mode, on the stack's gateway port; the GC preload lets the bench ask for a full collection. */
async function startOurs(stack: IncrementalStack, auth: BenchAuth, name: string, extra: Record<string, string>): Promise<Gateway> {
  const proc = await spawnProc({
    name,
    cwd: ROOT,
    cpu: settings.targetCpu,
    logFile: logFile(name),
    command: process.execPath,
    args: ['--expose-gc', '--import', GC_ON_SIGNAL, '--import', 'tsx/esm', 'gateway/src/index.ts'],
    env: {
      NODE_ENV: 'production',
      GATEWAY_INVALIDATION_SECRET: stack.invalidationSecret,
      ...oursGatewayEnv(stack.supergraphPath),
      GATEWAY_PORT: String(stack.gatewayPort),
      METRICS_TOKEN,
      GATEWAY_SUBGRAPH_SECRET: auth.subgraphSecret,
      AUTH_PUBLIC_KEY: auth.publicKeyPem,
      ...extra,
    },
  });
  await waitForGraphQL(proc.url, proc);
  return { proc, url: proc.url };
}

/** Hive Gateway on CPU 0 (its defaults, as the bench's `hive` target) with @defer and @stream on. */
async function startHive(stack: IncrementalStack, auth: BenchAuth): Promise<Gateway> {
  const port = await freePort();
  const proc = await spawnProc({
    name: 'hive',
    cwd: BENCH_DIR,
    cpu: settings.targetCpu,
    logFile: logFile('hive'),
    command: process.execPath,
    args: [HIVE_BIN, 'supergraph', stack.peerSupergraphPath, '--port', String(port), '--host', '127.0.0.1', '--config-path', 'src/targets/hive.config.ts'],
    env: { NODE_ENV: 'production', BENCH_INTERNAL_TOKEN: auth.internalToken, BENCH_HIVE_DEFER: '1' },
    waitForUrl: false,
  });
  const url = `http://127.0.0.1:${port}/graphql`;
  await waitForGraphQL(url, proc);
  return { proc, url };
}

async function waitForGraphQL(url: string, proc: Proc, timeoutMs = 60_000): Promise<void> {
  let last = '';
  await until(
    `${proc.name} answers GraphQL`,
    async () => {
      if (proc.child.exitCode !== null) throw new Error(`${proc.name} exited:\n${proc.output().slice(-2000)}`);
      try {
        const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
        last = `${response.status} ${(await response.text()).slice(0, 200)}`;
        return response.status === 200;
      } catch (error) {
        last = (error as Error).message;
        return false;
      }
    },
    timeoutMs,
    () => `${last}\n${proc.output().slice(-2000)}`,
  );
}

/** Lines of the gateway's /metrics (production: METRICS_TOKEN). */
async function metrics(gateway: Gateway): Promise<string[]> {
  const response = await fetch(new URL('/metrics', gateway.url), { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  if (!response.ok) throw new Error(`/metrics: HTTP ${response.status}`);
  return (await response.text()).split('\n');
}

/** The sum of a metric over all its label sets. */
function metricSum(lines: string[], name: string): number {
  return lines.filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `)).reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

function metricValue(lines: string[], name: string, labels = ''): number {
  const line = lines.find((l) => (labels ? l.startsWith(`${name}{`) && l.includes(labels) : l.startsWith(`${name} `)));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

interface Memory {
  rssBytes: number;
  heapUsedBytes: number;
  /** Heap used right after a full collection (SIGUSR2 to the gcOnSignal preload). */
  heapUsedAfterGcBytes: number;
  rssAfterGcBytes: number;
}

async function memory(gateway: Gateway): Promise<Memory> {
  const raw = await metrics(gateway);
  process.kill(gateway.proc.pid, 'SIGUSR2');
  await sleep(500);
  const collected = await metrics(gateway);
  return {
    rssBytes: metricValue(raw, 'process_resident_memory_bytes'),
    heapUsedBytes: metricValue(raw, 'nodejs_heap_size_used_bytes'),
    rssAfterGcBytes: metricValue(collected, 'process_resident_memory_bytes'),
    heapUsedAfterGcBytes: metricValue(collected, 'nodejs_heap_size_used_bytes'),
  };
}

// ---------------------------------------------------------------------------------------
// Part 1: subscription fan-out

const EVENTS = /* GraphQL */ `
  subscription PaymentEvents($customerId: ID!, $invoiceId: ID) {
    paymentEvents(customerId: $customerId, invoiceId: $invoiceId) {
      id
      type
      occurredAt
      payment { id status amount { amount currency } }
      invoice { id number status amountDue { amount } }
      customer { id name }
    }
  }
`;
/** What a subscriber of the payments subgraph itself selects: when it has an event, the event was published. */
const PROBE =
  'subscription Probe($customerId: ID!, $invoiceId: ID) { paymentEvents(customerId: $customerId, invoiceId: $invoiceId) { id type payment { id } } }';
const PAY = 'mutation BenchPay($input: PayInvoiceInput!) { payInvoice(input: $input) { payment { id status } } }';
const OPEN_INVOICES = /* GraphQL */ `
  query BenchOpenInvoices {
    customers(first: 50) {
      nodes {
        id
        defaultPaymentMethod { id expMonth expYear }
        invoices(first: 10) { nodes { id status amountDue { amount currency } } }
      }
    }
  }
`;
const EXPECTED_TYPES = ['PAYMENT_SUCCEEDED', 'INVOICE_RECONCILED'];

interface OpenInvoice {
  customerId: string;
  invoiceId: string;
  amount: number;
  currency: string;
}

interface EventFigures {
  type: string;
  /** ms from sending the payment until the payments subgraph's own subscriber had the event. */
  publishedMs: number;
  /** Per subscriber, ms from sending the payment. */
  fromPayment: Spread;
  /** Per subscriber, ms from the publication. */
  fromPublication: Spread;
}

/** Where the time went between the payment and the last subscriber's last event. */
interface EventWindow {
  seconds: number;
  /** CPU seconds used in that time by the gateway (CPU 0), the three subgraphs, the three sandboxes, and this process (the subscribers' sockets); the last four share CPU 1. */
  gatewayCpuS: number;
  subgraphsCpuS: number;
  sandboxesCpuS: number;
  benchCpuS: number;
  /** Fetches the gateway made to the subgraphs (its subgraph_fetch_duration_seconds count), the payInvoice mutation's included. */
  subgraphFetches: number;
  /** Calls the sandboxes served (their /__sandbox/stats), the payment's own and the webhooks' included. */
  backendCalls: number;
}

interface VariantResult {
  variant: Variant;
  sockets: number;
  perSocket: number;
  subscribers: number;
  callers: number;
  /** Subscriptions the gateway opened with the payments subgraph for them. */
  upstreamSubscriptions: number;
  /** s from the first socket opened until every subscription was served by the gateway and the subgraph. */
  subscribeS: number;
  paymentId: string;
  /** ms the payInvoice mutation took (through the gateway). */
  mutationMs: number;
  events: EventFigures[];
  window: EventWindow;
  memoryBefore: Memory;
  memoryAfter: Memory;
  perSubscriber: { rssKb: number; heapUsedKb: number; rssAfterGcKb: number; heapUsedAfterGcKb: number };
}

const invoicesToPay: OpenInvoice[] = [];
let deferCustomerIds: string[] = [];

/** Open invoices of customers with a valid saved card, one per customer; and the first customers for @defer. */
async function discover(url: string, token: string): Promise<void> {
  const data = await graphql<{
    customers: {
      nodes: Array<{
        id: string;
        defaultPaymentMethod: { expMonth: number; expYear: number } | null;
        invoices: { nodes: Array<{ id: string; status: string; amountDue: { amount: number; currency: string } }> };
      }>;
    };
  }>(url, OPEN_INVOICES, {}, token);
  const now = new Date();
  const cardValid = (card: { expMonth: number; expYear: number } | null): boolean =>
    !!card && (card.expYear > now.getFullYear() || (card.expYear === now.getFullYear() && card.expMonth >= now.getMonth() + 1));
  for (const customer of data.customers.nodes) {
    if (!cardValid(customer.defaultPaymentMethod)) continue;
    const invoice = customer.invoices.nodes.find((i) => (i.status === 'OPEN' || i.status === 'OVERDUE') && i.amountDue.amount > 0);
    if (invoice) invoicesToPay.push({ customerId: customer.id, invoiceId: invoice.id, amount: invoice.amountDue.amount, currency: invoice.amountDue.currency });
  }
  deferCustomerIds = data.customers.nodes.map((c) => c.id).slice(0, settings.deferCustomers);
  log(`${invoicesToPay.length} open invoices to pay (one per customer), ${deferCustomerIds.length} customers for @defer`);
}

function nextInvoice(): OpenInvoice {
  const invoice = invoicesToPay.shift();
  if (!invoice) throw new Error('no open invoice left to pay (BENCH_SCALE too small?)');
  return invoice;
}

async function pay(gateway: Gateway, token: string, invoice: OpenInvoice): Promise<{ paymentId: string; status: string }> {
  const data = await graphql<{ payInvoice: { payment: { id: string; status: string } } }>(
    gateway.url,
    PAY,
    {
      input: {
        customerId: invoice.customerId,
        invoiceId: invoice.invoiceId,
        amount: { amount: invoice.amount, currency: invoice.currency },
        idempotencyKey: randomUUID(),
      },
    },
    token,
  );
  return { paymentId: data.payInvoice.payment.id, status: data.payInvoice.payment.status };
}

interface EventPayload {
  data?: {
    paymentEvents?: {
      id: string;
      type: string;
      payment: { id: string; status: string };
      invoice: { id: string; number: string } | null;
      customer: { id: string; name: string };
    } | null;
  } | null;
  errors?: unknown[];
}

/** What is wrong with one subscriber's results (undefined: exactly the payment's two events, complete). */
function problemOf(sub: Subscription, paymentId: string, invoice: OpenInvoice, full: boolean): string | undefined {
  if (sub.error !== undefined) return `error ${JSON.stringify(sub.error).slice(0, 300)}`;
  if (sub.results.length !== EXPECTED_TYPES.length) return `${sub.results.length} results: ${JSON.stringify(sub.results.map((r) => r.payload)).slice(0, 300)}`;
  for (const [i, result] of sub.results.entries()) {
    const payload = result.payload as EventPayload;
    const event = payload.data?.paymentEvents;
    if (payload.errors?.length) return `errors in result ${i}: ${JSON.stringify(payload.errors).slice(0, 300)}`;
    if (!event || event.type !== EXPECTED_TYPES[i] || event.payment.id !== paymentId)
      return `result ${i} is not ${EXPECTED_TYPES[i]} of ${paymentId}: ${JSON.stringify(payload).slice(0, 300)}`;
    if (full && (event.invoice?.id !== invoice.invoiceId || !event.invoice.number || event.customer.id !== invoice.customerId || !event.customer.name)) {
      return `result ${i} lacks the invoice's ERP fields or the customer's CRM fields: ${JSON.stringify(payload).slice(0, 300)}`;
    }
  }
  return undefined;
}

/** Subscribes one probe to the payments subgraph directly (as the gateway does), for this invoice. */
async function probeSubscription(stack: IncrementalStack, auth: BenchAuth, invoice: OpenInvoice): Promise<{ socket: GraphQLWsSocket; sub: Subscription }> {
  const socket = new GraphQLWsSocket(stack.subgraphUrl.payments.replace(/^http/, 'ws'), { 'x-graph360-gateway': auth.internalToken });
  await socket.ready;
  const sub = socket.subscribe({
    query: PROBE,
    variables: { customerId: invoice.customerId, invoiceId: invoice.invoiceId },
    extensions: { 'x-graph360-gateway': auth.internalToken },
  });
  return { socket, sub };
}

async function runVariant(variant: Variant, stack: IncrementalStack, auth: BenchAuth): Promise<VariantResult> {
  const n = settings.subscribers;
  const perSocket = variant === 'shared' ? settings.perSocket : 1;
  const sockets = Math.ceil(n / perSocket);
  const callers = variant === 'distinct' ? n : 1;
  // Nothing else subscribes to the payments subgraph: the last variant's subscriptions are gone first.
  await until('the payments subgraph has no subscription left', async () => (await stack.paymentsSubscriptions()) === 0, 30_000);
  const gateway = await startOurs(stack, auth, `ours-${variant}`, {
    SUBSCRIPTIONS_MAX_PER_CONNECTION: String(Math.max(25, perSocket)),
    SUBSCRIPTIONS_MAX_PER_CLIENT: String(Math.max(100, n + 10)),
    SUBGRAPH_TIMEOUT_MS: String(settings.subscriptionSubgraphTimeoutMs),
  });
  const wsUrl = gateway.url.replace(/^http/, 'ws');
  const open: GraphQLWsSocket[] = [];
  try {
    if (invoicesToPay.length === 0) await discover(gateway.url, auth.userToken);
    const gatewaySubscriptions = async (): Promise<number> => metricValue(await metrics(gateway), 'gateway_subscriptions_active', 'transport="websocket"');
    const base = 0;

    // Warm-up: one subscriber through one payment and its two events, so that what is
    // measured next is not the first run of any code path; then back to no subscription.
    {
      const invoice = nextInvoice();
      const token = variant === 'distinct' ? await auth.userTokenFor('bench-warm-up') : auth.userToken;
      const socket = new GraphQLWsSocket(wsUrl, { Authorization: `Bearer ${token}` });
      open.push(socket);
      await socket.ready;
      const sub = socket.subscribe({ query: EVENTS, variables: { customerId: invoice.customerId, invoiceId: invoice.invoiceId } });
      await until('the warm-up subscription is served', async () => sub.error !== undefined || (await stack.paymentsSubscriptions()) === base + 1, 30_000);
      const { paymentId } = await pay(gateway, auth.userToken, invoice);
      await until('the warm-up events', () => sub.error !== undefined || sub.results.length >= EXPECTED_TYPES.length, 30_000);
      const problem = problemOf(sub, paymentId, invoice, true);
      if (problem) throw new Error(`${variant}: the warm-up subscriber: ${problem}`);
      await socket.close();
      open.length = 0;
      await until('the warm-up subscription ends', async () => (await gatewaySubscriptions()) === 0 && (await stack.paymentsSubscriptions()) === base, 30_000);
    }

    const invoice = nextInvoice();
    const probe = await probeSubscription(stack, auth, invoice);
    open.push(probe.socket);
    await until('the probe is served', async () => probe.sub.error !== undefined || (await stack.paymentsSubscriptions()) === base + 1, 30_000);
    if (probe.sub.error !== undefined) throw new Error(`the probe subscription was refused: ${JSON.stringify(probe.sub.error)}`);
    const tokens = variant === 'distinct' ? await Promise.all(Array.from({ length: n }, (_, i) => auth.userTokenFor(`bench-subscriber-${i}`))) : [];
    const memoryBefore = await memory(gateway);

    log(`  ${variant}: ${n} subscribers on ${sockets} sockets (${perSocket} each), ${callers} caller${callers > 1 ? 's' : ''}`);
    const subscribeStarted = performance.now();
    const opened = await openSockets(wsUrl, sockets, (i) => ({ Authorization: `Bearer ${variant === 'distinct' ? tokens[i]! : auth.userToken}` }));
    open.push(...opened);
    const subs: Subscription[] = [];
    for (const socket of opened) {
      for (let j = 0; j < perSocket && subs.length < n; j++)
        subs.push(socket.subscribe({ query: EVENTS, variables: { customerId: invoice.customerId, invoiceId: invoice.invoiceId } }));
    }
    const expectedUpstream = variant === 'distinct' ? n : 1;
    await until(
      'every subscription is served by the gateway and the payments subgraph',
      async () => {
        const refused = subs.find((s) => s.error !== undefined);
        if (refused) throw new Error(`a subscription was refused: ${JSON.stringify(refused.error).slice(0, 400)}`);
        return (await gatewaySubscriptions()) === n && (await stack.paymentsSubscriptions()) === base + 1 + expectedUpstream;
      },
      90_000,
      async () =>
        `gateway ${await gatewaySubscriptions()}, payments subgraph ${await stack.paymentsSubscriptions()} (want ${n} and ${base + 1 + expectedUpstream})`,
    );
    const subscribeS = (performance.now() - subscribeStarted) / 1000;
    const upstreamSubscriptions = (await stack.paymentsSubscriptions()) - base - 1;
    const memoryAfter = await memory(gateway);
    log(
      `  ${variant}: subscribed in ${subscribeS.toFixed(1)} s (${upstreamSubscriptions} subgraph subscription${upstreamSubscriptions > 1 ? 's' : ''}); paying invoice ${invoice.invoiceId}`,
    );

    const snapshot = async (): Promise<{ at: number; cpu: number[]; bench: number; fetches: number; calls: number }> => ({
      at: performance.now(),
      cpu: [gateway.proc, ...stack.procs].map((p) => cpuSeconds(p.pid)),
      bench: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
      fetches: metricSum(await metrics(gateway), 'subgraph_fetch_duration_seconds_count'),
      calls: await stack.backendCalls(),
    });
    const before = await snapshot();
    const paidAt = performance.now();
    const { paymentId, status } = await pay(gateway, auth.userToken, invoice);
    const mutationMs = performance.now() - paidAt;
    if (status !== 'SUCCEEDED') throw new Error(`${variant}: the payment ${paymentId} is ${status}, not SUCCEEDED`);
    const count = (k: number): number => subs.filter((s) => s.results.length > k).length;
    for (const [k, type] of EXPECTED_TYPES.entries()) {
      await until(
        `every subscriber has ${type}`,
        () => subs.some((s) => s.error !== undefined) || (count(k) === n && probe.sub.results.length > k),
        90_000,
        () => `${count(k)} of ${n}; probe ${probe.sub.results.length}`,
      );
    }
    const lastAt = Math.max(...subs.map((s) => s.results.at(-1)!.at));
    const after = await snapshot();
    const cpuOf = (kind: string): number => stack.procs.reduce((sum, p, i) => (p.name.endsWith(kind) ? sum + after.cpu[i + 1]! - before.cpu[i + 1]! : sum), 0);
    const window: EventWindow = {
      seconds: (lastAt - paidAt) / 1000,
      gatewayCpuS: after.cpu[0]! - before.cpu[0]!,
      subgraphsCpuS: cpuOf('-subgraph'),
      sandboxesCpuS: cpuOf('-sandbox'),
      benchCpuS: after.bench - before.bench,
      subgraphFetches: after.fetches - before.fetches,
      backendCalls: after.calls - before.calls,
    };
    // Anything more (a duplicate) would come now.
    await sleep(1000);
    const problems = subs.map((s) => problemOf(s, paymentId, invoice, true)).filter((p): p is string => p !== undefined);
    if (problems.length > 0) {
      // The codes of the errors they got, counted (e.g. SUBGRAPH_TIMEOUT), then the first problem.
      const codes = new Map<string, number>();
      for (const p of problems) for (const code of p.match(/"code":"[A-Z_]+"/g) ?? ['(no code)']) codes.set(code, (codes.get(code) ?? 0) + 1);
      throw new Error(
        `${variant}: ${problems.length} of ${n} subscribers did not get exactly the payment's two events (${[...codes].map(([c, k]) => `${c} x${k}`).join(', ')}); the first: ${problems[0]}`,
      );
    }
    const probeProblem = problemOf(probe.sub, paymentId, invoice, false);
    if (probeProblem) throw new Error(`${variant}: the probe on the payments subgraph: ${probeProblem}`);

    const events = EXPECTED_TYPES.map((type, k): EventFigures => {
      const published = probe.sub.results[k]!.at;
      const arrivals = subs.map((s) => s.results[k]!.at);
      return {
        type,
        publishedMs: published - paidAt,
        fromPayment: spread(arrivals.map((t) => t - paidAt)),
        fromPublication: spread(arrivals.map((t) => t - published)),
      };
    });
    const per = (bytes: number): number => bytes / n / 1024;
    const result: VariantResult = {
      variant,
      sockets,
      perSocket,
      subscribers: n,
      callers,
      upstreamSubscriptions,
      subscribeS,
      paymentId,
      mutationMs,
      events,
      window,
      memoryBefore,
      memoryAfter,
      perSubscriber: {
        rssKb: per(memoryAfter.rssBytes - memoryBefore.rssBytes),
        heapUsedKb: per(memoryAfter.heapUsedBytes - memoryBefore.heapUsedBytes),
        rssAfterGcKb: per(memoryAfter.rssAfterGcBytes - memoryBefore.rssAfterGcBytes),
        heapUsedAfterGcKb: per(memoryAfter.heapUsedAfterGcBytes - memoryBefore.heapUsedAfterGcBytes),
      },
    };
    for (const e of events) {
      log(
        `  ${variant}: ${e.type} published ${e.publishedMs.toFixed(0)} ms after the payment; every subscriber had it ${e.fromPublication.max.toFixed(0)} ms after that (median ${e.fromPublication.p50.toFixed(0)} ms), ${e.fromPayment.max.toFixed(0)} ms after the payment`,
      );
    }
    log(
      `  ${variant}: per subscriber ${result.perSubscriber.rssAfterGcKb.toFixed(1)} KB RSS, ${result.perSubscriber.heapUsedAfterGcKb.toFixed(1)} KB heap (after a full GC)`,
    );
    return result;
  } finally {
    await Promise.all(open.map((s) => s.close()));
    await gateway.proc.stop();
  }
}

// ---------------------------------------------------------------------------------------
// Part 2: @defer

/** CustomerOverview from the committed operations, with the fragments it uses (from any of their files), and the same without @defer. */
function customerOverview(): { deferred: string; whole: string } {
  const dir = join(ROOT, 'schema/operations');
  const definitions: DefinitionNode[] = readdirSync(dir)
    .filter((file) => file.endsWith('.graphql'))
    .flatMap((file) => parse(readFileSync(join(dir, file), 'utf8')).definitions);
  const operation = definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION && d.name?.value === 'CustomerOverview');
  if (!operation) throw new Error('CustomerOverview is not in schema/operations/customerOverview.graphql');
  const fragments = new Map(definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]));
  const used = new Set<string>();
  const walk = (node: DefinitionNode): void => {
    visit(node, {
      FragmentSpread(spread) {
        if (used.has(spread.name.value)) return;
        used.add(spread.name.value);
        const fragment = fragments.get(spread.name.value);
        if (!fragment) throw new Error(`fragment ${spread.name.value} not found`);
        walk(fragment);
      },
    });
  };
  walk(operation);
  const document: DocumentNode = { kind: Kind.DOCUMENT, definitions: [operation, ...[...used].map((name) => fragments.get(name)!)] };
  const deferred = print(document);
  if (!deferred.includes('@defer')) throw new Error('CustomerOverview has no @defer any more');
  const whole = print(visit(document, { Directive: (node) => (node.name.value === 'defer' ? null : undefined) }));
  return { deferred, whole };
}

const DEFER_ACCEPT = 'multipart/mixed;deferSpec=20220824,application/graphql-response+json,application/json;q=0.9';
const PLAIN_ACCEPT = 'application/graphql-response+json,application/json;q=0.9';

type Mode = 'defer' | 'whole';

interface DeferRow {
  target: DeferTarget;
  concurrency: number;
  /** Answers measured per mode. */
  requests: number;
  firstPartMs: Spread;
  deferTotalMs: Spread;
  wholeMs: Spread;
  /** Median (and p95) time to the first part over the median (p95) time without @defer. */
  firstPartRatioP50: number;
  firstPartRatioP95: number;
  /** Parts per answer with @defer (median). */
  partsP50: number;
  /** Answers that were wrong: status, errors, data other than the reference, a @defer answer in one part. */
  errors: number;
  errorSample?: string;
  note?: string;
}

interface Measured {
  mode: Mode;
  answer?: TimedAnswer;
  problem?: string;
}

async function deferTarget(target: DeferTarget, stack: IncrementalStack, auth: BenchAuth, references: Map<string, string>): Promise<DeferRow[]> {
  const { deferred, whole } = customerOverview();
  const gateway =
    target === 'ours'
      ? // Every request executes: no entity or response cache, no inbound de-duplication (bench target `ours`).
        await startOurs(stack, auth, 'ours-defer', { ENTITY_CACHE: 'off', RESPONSE_CACHE: 'off', INBOUND_DEDUP: 'off' })
      : await startHive(stack, auth);
  try {
    if (deferCustomerIds.length === 0) await discover(gateway.url, auth.userToken);
    const headers = (mode: Mode): Record<string, string> => ({
      accept: mode === 'defer' ? DEFER_ACCEPT : PLAIN_ACCEPT,
      authorization: `Bearer ${auth.userToken}`,
    });
    const bodyOf = (mode: Mode, id: string): string => JSON.stringify({ query: mode === 'defer' ? deferred : whole, variables: { id } });
    const notes = new Set<string>();

    // The reference answers (the first target's answers without @defer; a later target is compared with them too).
    for (const id of deferCustomerIds) {
      const answer = await timedPost(gateway.url, bodyOf('whole', id), headers('whole'));
      if (answer.status !== 200 || answer.errors.length > 0 || !answer.data)
        throw new Error(`${target}: CustomerOverview for ${id} without @defer: HTTP ${answer.status} ${JSON.stringify(answer.parts).slice(0, 400)}`);
      const text = canonical(answer.data);
      if (!references.has(id)) references.set(id, text);
      else if (references.get(id) !== text) notes.add("its answers without @defer differ from graph360's");
    }

    const measureOne = async (mode: Mode, id: string): Promise<Measured> => {
      try {
        const answer = await timedPost(gateway.url, bodyOf(mode, id), headers(mode));
        const problem =
          answer.status !== 200
            ? `HTTP ${answer.status}`
            : answer.errors.length > 0
              ? `errors: ${JSON.stringify(answer.errors).slice(0, 300)}`
              : canonical(answer.data) !== references.get(id)
                ? `data differs from the reference for ${id}: ${JSON.stringify(answer.data).slice(0, 300)}`
                : mode === 'defer' && answer.parts.length < 2
                  ? `answered in one part (${answer.contentType})`
                  : undefined;
        return { mode, answer, ...(problem ? { problem } : {}) };
      } catch (error) {
        return { mode, problem: (error as Error).message };
      }
    };

    // Warm-up: each customer once with @defer and once without.
    for (const id of deferCustomerIds) {
      const outcome = await measureOne('defer', id);
      if (outcome.problem && target === 'ours') throw new Error(`ours: CustomerOverview with @defer for ${id}: ${outcome.problem}`);
      await measureOne('whole', id);
    }

    const rows: DeferRow[] = [];
    for (const concurrency of [1, settings.deferConcurrency]) {
      const total = settings.deferRequests * 2;
      const outcomes: Measured[] = [];
      let next = 0;
      // Request i goes to customer ⌊i/2⌋ (round the list), with @defer when i is even: both
      // kinds alternate under the same load.
      const worker = async (): Promise<void> => {
        while (next < total) {
          const i = next++;
          outcomes.push(await measureOne(i % 2 === 0 ? 'defer' : 'whole', deferCustomerIds[Math.floor(i / 2) % deferCustomerIds.length]!));
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      if (gateway.proc.child.exitCode !== null) throw new Error(`${target} died during the run:\n${gateway.proc.output().slice(-2000)}`);
      const ok = (mode: Mode): TimedAnswer[] => outcomes.filter((o) => o.mode === mode && !o.problem && o.answer).map((o) => o.answer!);
      const defers = ok('defer');
      const wholes = ok('whole');
      const bad = outcomes.filter((o) => o.problem);
      const firstPartMs = spread(defers.map((a) => a.firstPartMs ?? a.totalMs));
      const wholeMs = spread(wholes.map((a) => a.totalMs));
      const row: DeferRow = {
        target,
        concurrency,
        requests: settings.deferRequests,
        firstPartMs,
        deferTotalMs: spread(defers.map((a) => a.totalMs)),
        wholeMs,
        firstPartRatioP50: firstPartMs.p50 / wholeMs.p50,
        firstPartRatioP95: firstPartMs.p95 / wholeMs.p95,
        partsP50: quantile(sortNumbers(outcomes.filter((o) => o.mode === 'defer' && o.answer).map((o) => o.answer!.parts.length)), 0.5),
        errors: bad.length,
        ...(bad[0] ? { errorSample: `${bad[0].mode}: ${bad[0].problem}` } : {}),
        ...(notes.size > 0 ? { note: [...notes].join('; ') } : {}),
      };
      rows.push(row);
      log(
        `  ${target} c${concurrency}: first part p50 ${row.firstPartMs.p50.toFixed(1)} ms, whole with @defer p50 ${row.deferTotalMs.p50.toFixed(1)} ms, without @defer p50 ${row.wholeMs.p50.toFixed(1)} ms (first/without ${row.firstPartRatioP50.toFixed(2)}), ${row.errors} errors${row.errorSample ? `; first: ${row.errorSample.slice(0, 200)}` : ''}`,
      );
    }
    return rows;
  } finally {
    await gateway.proc.stop();
  }
}

// ---------------------------------------------------------------------------------------
// Report

const startedAt = new Date();
/** The machine's 1, 5 and 15 min load averages when the run began (other work skews every figure). */
const loadAverageAtStart = loadavg();
const results: { subscriptions: VariantResult[]; defer: DeferRow[]; failures: string[] } = { subscriptions: [], defer: [], failures: [] };

const f = (value: number | undefined, digits = 0): string => (value === undefined || Number.isNaN(value) ? '-' : value.toFixed(digits));

function formatResults(): string {
  const out: string[] = [];
  if (results.subscriptions.length > 0) {
    out.push(
      '',
      `Subscription fan-out: ${settings.subscribers} graphql-ws subscribers of paymentEvents on one gateway (production mode, CPU 0), then one payment (payInvoice through the gateway).`,
      'published = when a subscriber of the payments subgraph itself had the event, ms after the payment was sent; then per gateway subscriber, ms from the publication (and the last one from the payment).',
      '',
      table(
        ['variant', 'event', 'sockets x subs', 'callers', 'subgraph subs', 'published', 'min', 'median', 'p99', 'max', 'last from payment'],
        results.subscriptions.flatMap((r) =>
          r.events.map((e) => [
            r.variant,
            e.type,
            `${r.sockets} x ${r.perSocket}`,
            String(r.callers),
            String(r.upstreamSubscriptions),
            f(e.publishedMs),
            f(e.fromPublication.min, 1),
            f(e.fromPublication.p50, 1),
            f(e.fromPublication.p99, 1),
            f(e.fromPublication.max, 1),
            f(e.fromPayment.max),
          ]),
        ),
        2,
      ),
      '',
      'Per subscriber, ms from the payment (min / median / p99 / max):',
      '',
      table(
        ['variant', 'event', 'min', 'median', 'p99', 'max'],
        results.subscriptions.flatMap((r) =>
          r.events.map((e) => [r.variant, e.type, f(e.fromPayment.min), f(e.fromPayment.p50), f(e.fromPayment.p99), f(e.fromPayment.max)]),
        ),
        2,
      ),
      '',
      'From the payment until the last subscriber had its last event (CPU seconds used meanwhile; the gateway alone on CPU 0, the rest sharing CPU 1):',
      '',
      table(
        [
          'variant',
          'seconds',
          'gateway CPU s',
          'subgraphs CPU s',
          'sandboxes CPU s',
          'subscribers (bench) CPU s',
          'gateway->subgraph fetches',
          'backend calls',
        ],
        results.subscriptions.map((r) => [
          r.variant,
          f(r.window.seconds, 2),
          f(r.window.gatewayCpuS, 2),
          f(r.window.subgraphsCpuS, 2),
          f(r.window.sandboxesCpuS, 2),
          f(r.window.benchCpuS, 2),
          String(r.window.subgraphFetches),
          String(r.window.backendCalls),
        ]),
        1,
      ),
      '',
      "The gateway's memory per subscriber: (after subscribing - before) / subscribers, from /metrics (process_resident_memory_bytes, nodejs_heap_size_used_bytes), as read and after a full GC.",
      '',
      table(
        ['variant', 'subscribe s', 'RSS before MB', 'RSS after MB', 'RSS KB/sub', 'heap KB/sub (as read)', 'heap KB/sub (after GC)', 'payInvoice ms'],
        results.subscriptions.map((r) => [
          r.variant,
          f(r.subscribeS, 1),
          f(r.memoryBefore.rssAfterGcBytes / 1048576),
          f(r.memoryAfter.rssAfterGcBytes / 1048576),
          f(r.perSubscriber.rssAfterGcKb, 1),
          f(r.perSubscriber.heapUsedKb, 1),
          f(r.perSubscriber.heapUsedAfterGcKb, 1),
          f(r.mutationMs),
        ]),
        1,
      ),
    );
  }
  if (results.defer.length > 0) {
    out.push(
      '',
      `@defer: CustomerOverview (orders deferred), +${settings.latencyMs} ms on every backend call; ${settings.deferRequests} answers of each kind per row, alternating, round ${settings.deferCustomers} customers. ms, p50 / p95.`,
      '',
      table(
        ['target', 'in flight', 'first part', 'whole, @defer', 'without @defer', 'first/without p50', 'first/without p95', 'parts', 'errors'],
        results.defer.map((r) => [
          r.target,
          String(r.concurrency),
          `${f(r.firstPartMs.p50, 1)} / ${f(r.firstPartMs.p95, 1)}`,
          `${f(r.deferTotalMs.p50, 1)} / ${f(r.deferTotalMs.p95, 1)}`,
          `${f(r.wholeMs.p50, 1)} / ${f(r.wholeMs.p95, 1)}`,
          `${f(r.firstPartRatioP50, 2)}x`,
          `${f(r.firstPartRatioP95, 2)}x`,
          f(r.partsP50),
          String(r.errors),
        ]),
        1,
      ),
    );
    for (const r of results.defer.filter((row) => row.note || row.errorSample))
      out.push(
        `note: ${r.target} c${r.concurrency}: ${[r.note, r.errorSample && `first wrong answer: ${r.errorSample.slice(0, 300)}`].filter(Boolean).join('; ')}`,
      );
  }
  for (const failure of results.failures) out.push('', `FAILED: ${failure.slice(0, 1000)}`);
  return out.join('\n');
}

function versionOf(dir: string, name: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return undefined;
  }
}

const git = (args: string[]): string => {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
};
/** The code measured: the commit and whether the tree had changes when the run began (other work may commit during it). */
const codeAtStart = { commit: git(['rev-parse', 'HEAD']), uncommittedChanges: git(['status', '--porcelain']).length > 0 };
/** Before the bench pins itself to the load CPU (which narrows what availableParallelism reports). */
const cpus = availableParallelism();

function writeResults(incomplete: boolean, failure?: string): void {
  if (results.subscriptions.length === 0 && results.defer.length === 0 && results.failures.length === 0 && !failure) return;
  const durationS = (Date.now() - startedAt.getTime()) / 1000;
  const result = {
    startedAt: startedAt.toISOString(),
    durationS,
    incomplete,
    ...(failure ? { failure } : {}),
    machine: { cpus, targetCpu: settings.targetCpu, loadCpu: settings.loadCpu, loadAverageAtStart, loadAverageAtEnd: loadavg() },
    settings,
    versions: {
      node: process.version,
      graph360: { ...codeAtStart, 'graphql-ws': versionOf(ROOT, 'graphql-ws'), ws: versionOf(ROOT, 'ws') },
      bench: {
        '@graphql-hive/gateway': versionOf(BENCH_DIR, '@graphql-hive/gateway'),
        '@graphql-hive/gateway-runtime': versionOf(BENCH_DIR, '@graphql-hive/gateway-runtime'),
      },
    },
    ...results,
  };
  console.log(formatResults());
  const resultsDir = join(BENCH_DIR, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const suffix = incomplete ? '-incomplete' : results.failures.length > 0 ? '-failed' : '';
  const file = join(resultsDir, `${startedAt.toISOString().replace(/[:.]/g, '-')}-incremental${suffix}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  log(`results${incomplete ? ' so far' : ''} written to ${file}`);
  log(`total time ${Math.floor(durationS / 60)} min ${Math.round(durationS % 60)} s`);
}

// ---------------------------------------------------------------------------------------

async function main(): Promise<void> {
  try {
    execFileSync('which', ['taskset'], { stdio: 'ignore' });
  } catch {
    throw new Error('taskset is not installed: apt-get install -y util-linux');
  }
  if (cpus < 2) throw new Error('the bench needs two CPUs: one for the gateway, one for the rest');
  execFileSync('taskset', ['-a', '-p', '-c', settings.loadCpu, String(process.pid)], { stdio: 'ignore' });
  workDir = mkdtempSync(join(tmpdir(), 'graph360-bench-incremental-'));
  log(`work folder ${workDir}; deadline ${settings.deadlineS} s; load average ${loadAverageAtStart.map((l) => l.toFixed(1)).join(' ')}`);
  const auth = await createBenchAuth();
  log(`starting the sandboxes (scale ${settings.scale}) and the subgraphs, webhooks wired`);
  const stack = await startIncrementalStack({
    workDir,
    root: ROOT,
    cpu: settings.loadCpu,
    scale: settings.scale,
    auth,
    invalidationSecret: randomBytes(24).toString('base64url'),
    logFile,
  });
  if (!settings.only || settings.only === 'subscriptions') {
    log(`part 1: subscription fan-out (${settings.variants.join(', ')})`);
    for (const variant of settings.variants) {
      // A variant whose check fails fails the run, at its end: the other parts are still measured.
      try {
        results.subscriptions.push(await runVariant(variant, stack, auth));
      } catch (error) {
        if (stopping) throw error;
        const message = error instanceof Error ? error.message : String(error);
        log(`  ${variant} FAILED: ${message.slice(0, 600)}`);
        results.failures.push(message);
      }
    }
  }
  if (!settings.only || settings.only === 'defer') {
    log(`part 2: @defer, +${settings.latencyMs} ms on every backend call (${settings.deferTargets.join(', ')})`);
    await stack.setLatency(settings.latencyMs);
    const references = new Map<string, string>();
    try {
      for (const target of settings.deferTargets) results.defer.push(...(await deferTarget(target, stack, auth, references)));
    } finally {
      await stack.setLatency(0);
    }
  }
  await stack.stop();
  writeResults(false);
  if (results.failures.length > 0)
    throw new ChecksFailed(`${results.failures.length} variant${results.failures.length > 1 ? 's' : ''} failed the check (above)`);
}

/** The run measured everything but a check failed: the results are written already. */
class ChecksFailed extends Error {}

/** Set once the run is being stopped (Ctrl-C, SIGTERM, the deadline): what fails after that is the stopping, not a finding. */
let stopping = false;
let finishing: Promise<never> | undefined;
function finish(code: number): Promise<never> {
  stopping = true;
  finishing ??= (async (): Promise<never> => {
    await stopAll();
    if (workDir && code === 0) rmSync(workDir, { recursive: true, force: true });
    else if (workDir) console.error(`[bench:incremental] logs of the services kept in ${workDir}`);
    process.exit(code);
  })();
  return finishing;
}

process.on('SIGINT', () => {
  console.error('\n[bench:incremental] interrupted: stopping every process it started');
  void finish(130);
});
process.on('SIGTERM', () => void finish(143));
process.on('exit', killAllNow);
const deadline = setTimeout(() => {
  console.error(`[bench:incremental] deadline of ${settings.deadlineS} s reached: stopping every process it started`);
  stopping = true;
  writeResults(true);
  void finish(124);
}, settings.deadlineS * 1000);
deadline.unref();

main().then(
  () => finish(0),
  (error: unknown) => {
    if (stopping) return;
    const message = error instanceof Error ? `${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ''}` : String(error);
    console.error('[bench:incremental] failed:', message);
    if (!(error instanceof ChecksFailed)) writeResults(true, message);
    void finish(1);
  },
);
