/**
 * `npm run bench`: graph360's gateway against vanilla @apollo/gateway and Hive Gateway,
 * one after another on the same supergraph and subgraphs, in one bounded run.
 *
 *  1. federation: The Guild's gateways-benchmark workload (four subgraphs, its TestQuery)
 *     and a users-only query, for which the subgraph called directly is the upper bound;
 *  2. graph360: the customer-360 query and the 50-customer list over the sandboxes,
 *     without and with 20 ms of latency on every backend call.
 *
 * Every target gateway runs alone on CPU 0 (taskset), in production mode
 * (NODE_ENV=production); wrk, the subgraphs, the sandboxes and this process share CPU 1.
 * Every case runs at each connection count in turn. Every answer is checked
 * (bench/wrk/check.lua). Results are printed and written to
 * bench/results/<timestamp>.json. See bench/README.md.
 *
 * Settings (environment): BENCH_WARMUP_S (3), BENCH_DURATION (measured time per case and
 * connection count: 8s; BENCH_DURATION_S=8 is the same), BENCH_CONNECTIONS (comma list,
 * 16,50), BENCH_ONLY (federation | graph360), BENCH_TARGETS (comma list of ours,
 * ours-warm, ours-dedup, vanilla, hive, hive-tuned, direct), BENCH_SCALE (sandbox seed scale, 0.2),
 * BENCH_LATENCY_MS (20), BENCH_ROUNDS (2: see below), BENCH_DEADLINE_S (1500: everything
 * is stopped by then).
 *
 * The targets of a workload run side by side as idle processes and take turns: each case
 * and connection count is measured in BENCH_ROUNDS slices per target, the targets in one
 * order in the first round and in the reverse order in the next (A B C, C B A, …), and a
 * target's row adds its slices up. This machine's speed drifts by more than the
 * differences some ratios are about (a few percent, for the caches' cost) over the minutes
 * a run takes; taking turns puts the same drift on every target instead of on whichever
 * ran last.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { createBenchAuth, type BenchAuth } from './lib/auth.js';
import { canonical } from './lib/canonical.js';
import { otlpSink, type OtlpSink } from './lib/otlpSink.js';
import { oursGatewayEnv } from './lib/oursEnv.js';
import { cpuSeconds, freePort, killAllNow, peakRss, resetPeakRss, spawnProc, stopAll, type Proc } from './lib/proc.js';
import { formatReport, type Row, type TargetMemory, type WorkloadResult } from './lib/report.js';
import { runWrk } from './lib/wrk.js';
import { startFederationSubgraphs } from './workload1/stack.js';
import { checkTestQueryAnswer, TEST_QUERY, USERS_QUERY } from './workload1/subgraphs.js';
import { withoutAuthDirectives } from './workload2/peerSupergraph.js';
import { CUSTOMER_360, CUSTOMERS_50 } from './workload2/queries.js';

const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const COUNT_REQUESTS = fileURLToPath(new URL('./lib/countRequests.mjs', import.meta.url));
const HIVE_BIN = join(BENCH_DIR, 'node_modules/@graphql-hive/gateway/dist/bin.js');

const num = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  return value;
};

/** Whole seconds, as wrk's -d takes them: "3s" or "3" (BENCH_DURATION), else BENCH_DURATION_S, else the fallback. */
function durationS(fallback: number): number {
  const raw = process.env.BENCH_DURATION;
  if (raw === undefined || raw === '') return num('BENCH_DURATION_S', fallback);
  const match = /^(\d+)s?$/.exec(raw.trim());
  if (!match || Number(match[1]) < 1) throw new Error(`BENCH_DURATION must be a whole number of seconds such as 3s, got "${raw}"`);
  return Number(match[1]);
}

/** BENCH_CONNECTIONS: one count or a comma list, each run in turn for every case. */
function connectionCounts(fallback: number[]): number[] {
  const raw = process.env.BENCH_CONNECTIONS;
  if (raw === undefined || raw === '') return fallback;
  const counts = raw.split(',').map((c) => c.trim());
  if (counts.some((c) => !/^\d+$/.test(c) || Number(c) < 1))
    throw new Error(`BENCH_CONNECTIONS must be a comma list of positive whole numbers such as 16,50, got "${raw}"`);
  return [...new Set(counts.map(Number))];
}

/** Run by default. */
const DEFAULT_TARGETS = ['ours', 'ours-warm', 'ours-dedup', 'vanilla', 'hive', 'hive-tuned', 'direct'];
/** Also known, run when named: ours with OpenTelemetry tracing on, every request sampled or 10% (lib/otlpSink.ts takes the spans). */
const KNOWN_TARGETS = [...DEFAULT_TARGETS, 'ours-traced', 'ours-traced10'];

const settings = {
  warmupS: num('BENCH_WARMUP_S', 3),
  measureS: durationS(8),
  connections: connectionCounts([16, 50]),
  scale: num('BENCH_SCALE', 0.2),
  latencyMs: num('BENCH_LATENCY_MS', 20),
  rounds: Math.max(1, Math.round(num('BENCH_ROUNDS', 2))),
  deadlineS: num('BENCH_DEADLINE_S', 1500),
  only: process.env.BENCH_ONLY || undefined,
  targets: (process.env.BENCH_TARGETS || DEFAULT_TARGETS.join(',')).split(',').map((t) => t.trim()),
  targetCpu: '0',
  loadCpu: '1',
};

if (settings.only && !['federation', 'graph360'].includes(settings.only)) throw new Error(`BENCH_ONLY must be federation or graph360, got "${settings.only}"`);
for (const t of settings.targets) {
  if (!KNOWN_TARGETS.includes(t)) throw new Error(`BENCH_TARGETS: unknown target "${t}" (known: ${KNOWN_TARGETS.join(', ')})`);
}

type TargetId = 'ours' | 'ours-warm' | 'ours-dedup' | 'ours-traced' | 'ours-traced10' | 'vanilla' | 'hive' | 'hive-tuned';
const GATEWAY_TARGETS: TargetId[] = (['ours', 'ours-warm', 'ours-dedup', 'ours-traced', 'ours-traced10', 'vanilla', 'hive', 'hive-tuned'] as const).filter(
  (t) => settings.targets.includes(t),
);

/**
 * A case already run at one connection count has warmed the target, its pools and the
 * subgraphs: the next count only needs its new connections opened.
 */
const REWARMUP_S = 1;

interface Case {
  query: string;
  latencyMs?: number;
  body: string;
  /** The reference answer's data (from an in-process @apollo/gateway with default options). */
  reference: unknown;
  headers: Record<string, string>;
}

interface Counters {
  /** GraphQL requests the subgraphs received (their countRequests preload). */
  subgraphUrls: string[];
  /** Sandboxes whose /__sandbox/stats count backend calls (workload 2). */
  sandboxUrls: string[];
}

let workDir = '';
/** Where ours-traced and ours-traced10 send their spans, by target (they run side by side). */
const tracedSinks = new Map<string, OtlpSink>();
let logCounter = 0;
const log = (message: string): void => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
const logFile = (name: string): string => join(workDir, `${String(++logCounter).padStart(2, '0')}-${name}.log`);

async function post(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; text: string; headers: Headers }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, signal: AbortSignal.timeout(30_000) });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

/** Waits until the target answers a GraphQL request with 200 (Hive reports no URL line we rely on). */
async function waitForGraphQL(url: string, proc: Proc, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null) throw new Error(`${proc.name} exited:\n${proc.output().slice(-2000)}`);
    try {
      const answer = await post(url, JSON.stringify({ query: '{ __typename }' }), {});
      if (answer.status === 200) return;
      last = `${answer.status} ${answer.text.slice(0, 200)}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${proc.name} did not answer GraphQL within ${timeoutMs / 1000} s (${last}):\n${proc.output().slice(-2000)}`);
}

const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);

async function subgraphRequests(counters: Counters, reset = false): Promise<number> {
  const counts = await Promise.all(
    counters.subgraphUrls.map(async (url) => {
      const response = await fetch(new URL('/__bench/requests', url), { method: reset ? 'DELETE' : 'GET' }).catch((error: unknown) => {
        throw new Error(`request counter of ${url} unreachable`, { cause: error });
      });
      return ((await response.json()) as { count: number }).count;
    }),
  );
  return sum(counts);
}

async function backendCalls(counters: Counters, reset = false): Promise<number> {
  const counts = await Promise.all(
    counters.sandboxUrls.map(async (url) => {
      const response = await fetch(`${url}/__sandbox/stats${reset ? '/reset' : ''}`, { method: reset ? 'POST' : 'GET' }).catch((error: unknown) => {
        throw new Error(`stats of the sandbox at ${url} unreachable`, { cause: error });
      });
      const body = (await response.json()) as { total?: number; operations?: Record<string, number> };
      return body.total ?? sum(Object.values(body.operations ?? {}));
    }),
  );
  return sum(counts);
}

/** Waits (up to 15 s) until the subgraph and backend counters stop moving; returns them. */
async function quiesce(counters: Counters): Promise<[number, number]> {
  let last = [-1, -1];
  let stable = 0;
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const now = await Promise.all([subgraphRequests(counters), backendCalls(counters)]);
    stable = now[0] === last[0] && now[1] === last[1] ? stable + 1 : 0;
    if (stable >= 2) break;
    last = now;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  return last as [number, number];
}

/**
 * One target, one case: a checked request first (its answer must equal the reference),
 * then warm-up, then the measured run with the counters reset just before it.
 */
async function measure(
  target: string,
  proc: Proc,
  url: string,
  c: Case,
  counters: Counters,
  connections: number,
  warmupS: number,
  seconds: number,
): Promise<Row> {
  const row: Row = { target, query: c.query, latencyMs: c.latencyMs, connections, rps: 0, p50Ms: 0, p99Ms: 0, requests: 0, errors: 0, peakRssMb: 0, cpuPct: 0 };
  const first = await post(url, c.body, c.headers).catch((error: unknown) => {
    throw new Error(`${target} did not answer the first request`, { cause: error });
  });
  let parsed: { data?: unknown; errors?: unknown[] } = {};
  try {
    parsed = JSON.parse(first.text) as typeof parsed;
  } catch {
    // reported below
  }
  const problem =
    first.status !== 200
      ? `HTTP ${first.status}`
      : parsed.errors
        ? `errors: ${JSON.stringify(parsed.errors).slice(0, 300)}`
        : canonical(parsed.data) !== canonical(c.reference)
          ? 'data differs from the reference answer'
          : !first.text.startsWith(`{"data":${JSON.stringify(parsed.data)}`)
            ? 'answer is not {"data":...} first'
            : undefined;
  if (problem) {
    row.note = `wrong answer before the run (${problem}); every response counts as an error`;
    log(`  ${target} ${c.query}: ${row.note}: ${first.text.slice(0, 300)}`);
  }
  // The exact text the target sends for the reference data (key order as it serialises it).
  const expectedData = problem ? JSON.stringify(c.reference) : JSON.stringify(parsed.data);
  const wrk = { url, body: c.body, expectedData, headers: c.headers, connections, cpu: settings.loadCpu, workDir };
  if (warmupS > 0) await runWrk({ ...wrk, seconds: warmupS });
  // Requests still in flight when wrk stops go on calling subgraphs: let them finish first.
  await quiesce(counters);
  await Promise.all([subgraphRequests(counters, true), backendCalls(counters, true)]);
  // The peak so far (start-up, warm-ups, earlier runs) before the mark is reset for this run.
  notePeakRss(target, proc.pid);
  const rssReset = resetPeakRss(proc.pid);
  const cpuBefore = cpuSeconds(proc.pid);
  const started = process.hrtime.bigint();
  const result = await runWrk({ ...wrk, seconds });
  const wallS = Number(process.hrtime.bigint() - started) / 1e9;
  const cpuAfter = cpuSeconds(proc.pid);
  const [fetches, calls] = await quiesce(counters);
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) throw new Error(`${target} died during the run:\n${proc.output().slice(-2000)}`);
  const socketErrors = result.connectErrors + result.readErrors + result.writeErrors + result.timeouts;
  row.requests = result.requests;
  row.errors = result.requests - result.good + socketErrors;
  row.rps = result.good / (result.durationUs / 1e6);
  row.p50Ms = result.p50Us / 1000;
  row.p99Ms = result.p99Us / 1000;
  row.peakRssMb = peakRss(proc.pid) / 1024 / 1024;
  notePeakRss(target, proc.pid);
  if (result.requests === 0) row.note = [row.note, `no answer completed within the ${seconds} s run (${result.sent} requests sent)`].filter(Boolean).join('; ');
  if (!rssReset) row.note = [row.note, 'peak RSS since process start'].filter(Boolean).join('; ');
  row.cpuPct = (100 * (cpuAfter - cpuBefore)) / wallS;
  // Per request sent: the requests in flight at the end made their calls too (quiesce waited for them).
  if (counters.subgraphUrls.length > 0 && result.sent > 0) row.subgraphFetchesPerRequest = fetches / result.sent;
  if (counters.sandboxUrls.length > 0 && result.sent > 0) row.backendCallsPerRequest = calls / result.sent;
  if (result.sample) row.errorSample = result.sample;
  const after = await post(url, c.body, c.headers).catch(() => undefined);
  const cache = after?.headers.get('x-cache');
  if (cache) row.cache = cache;
  log(
    `  ${target.padEnd(10)} ${c.query}${c.latencyMs ? ` +${c.latencyMs}ms` : ''} c${connections}: ${row.rps.toFixed(0)} rps, p50 ${row.p50Ms.toFixed(1)} ms, p99 ${row.p99Ms.toFixed(1)} ms, ${row.errors} errors, CPU ${row.cpuPct.toFixed(0)}%, ${fetchesText(row)}${row.errorSample ? `; first wrong answer: ${row.errorSample.slice(0, 160)}` : ''}`,
  );
  return row;
}

const fetchesText = (row: Row): string =>
  [
    row.subgraphFetchesPerRequest !== undefined && `${row.subgraphFetchesPerRequest.toFixed(2)} fetches/req`,
    row.backendCallsPerRequest !== undefined && `${row.backendCallsPerRequest.toFixed(2)} backend calls/req`,
  ]
    .filter(Boolean)
    .join(', ');

/** measure(), but a failure is a row with its reason, not the end of the run (unless the target died). */
async function measureSafely(
  target: string,
  proc: Proc,
  url: string,
  c: Case,
  counters: Counters,
  connections: number,
  warmupS: number,
  seconds: number,
): Promise<Row> {
  try {
    return await measure(target, proc, url, c, counters, connections, warmupS, seconds);
  } catch (error) {
    const message = error instanceof Error ? `${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ''}` : String(error);
    log(`  ${target} ${c.query} c${connections}: failed: ${message.slice(0, 300)}`);
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) throw error;
    return {
      target,
      query: c.query,
      latencyMs: c.latencyMs,
      connections,
      rps: 0,
      p50Ms: 0,
      p99Ms: 0,
      requests: 0,
      errors: 0,
      peakRssMb: 0,
      cpuPct: 0,
      note: `failed: ${message.slice(0, 300)}`,
    };
  }
}

/** A target running during a workload. */
interface Running {
  target: string;
  proc: Proc;
  url: string;
}

/**
 * Waits (up to 3 s) until none of the targets uses the CPU any more: a target goes on
 * collecting garbage for a moment after its load stops, which must not fall into the
 * next target's slice.
 */
async function settle(targets: readonly Running[]): Promise<void> {
  const deadline = Date.now() + 3000;
  let last = targets.map((t) => cpuSeconds(t.proc.pid));
  let quiet = 0;
  while (Date.now() < deadline && quiet < 2) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = targets.map((t) => cpuSeconds(t.proc.pid));
    quiet = now.every((v, i) => v === last[i]) ? quiet + 1 : 0;
    last = now;
  }
}

/** One target's row from its slices: answers and time added up, the worst p99, the highest peak. */
function combineSlices(slices: Row[]): Row {
  const first = slices[0]!;
  const mean = (values: number[]): number => sum(values) / values.length;
  const measured = slices.filter((r) => r.requests > 0);
  const weighted = (pick: (r: Row) => number | undefined): number | undefined => {
    const withValue = slices.filter((r) => pick(r) !== undefined && r.requests > 0);
    const requests = sum(withValue.map((r) => r.requests));
    return withValue.length === 0 || requests === 0 ? undefined : sum(withValue.map((r) => pick(r)! * r.requests)) / requests;
  };
  const notes = [...new Set(slices.map((r) => r.note).filter(Boolean))];
  const row: Row = {
    ...first,
    // Slices are of equal length: the mean of their rates is the rate over their whole time.
    rps: mean(slices.map((r) => r.rps)),
    p50Ms: measured.length > 0 ? mean(measured.map((r) => r.p50Ms)) : 0,
    p99Ms: Math.max(...slices.map((r) => r.p99Ms)),
    requests: sum(slices.map((r) => r.requests)),
    errors: sum(slices.map((r) => r.errors)),
    peakRssMb: Math.max(...slices.map((r) => r.peakRssMb)),
    cpuPct: mean(slices.map((r) => r.cpuPct)),
    sliceRps: slices.map((r) => r.rps),
    subgraphFetchesPerRequest: weighted((r) => r.subgraphFetchesPerRequest),
    backendCallsPerRequest: weighted((r) => r.backendCallsPerRequest),
    cache: slices[slices.length - 1]!.cache,
    errorSample: slices.find((r) => r.errorSample)?.errorSample,
    note: notes.length > 0 ? notes.join('; ') : undefined,
  };
  for (const key of Object.keys(row) as Array<keyof Row>) if (row[key] === undefined) delete row[key];
  return row;
}

/**
 * One case at every connection count, the targets taking turns (see the top of this
 * file): each is warmed up (fully at the first count), then measured in slices.
 */
async function measureTogether(targets: readonly Running[], c: Case, counters: Counters): Promise<Row[]> {
  const rows: Row[] = [];
  const sliceS = Math.max(1, Math.round(settings.measureS / settings.rounds));
  for (const [i, connections] of settings.connections.entries()) {
    const warmupS = i === 0 ? settings.warmupS : Math.min(settings.warmupS, REWARMUP_S);
    const slices = new Map<string, Row[]>(targets.map((t) => [t.target, []]));
    for (let round = 0; round < settings.rounds; round++) {
      const order = round % 2 === 0 ? targets : [...targets].reverse();
      for (const t of order) {
        await settle(targets);
        // The first slice of each target warms it up first.
        slices.get(t.target)!.push(await measureSafely(t.target, t.proc, t.url, c, counters, connections, round === 0 ? warmupS : 0, sliceS));
      }
    }
    for (const t of targets) {
      const row = combineSlices(slices.get(t.target)!);
      rows.push(row);
      if (settings.rounds > 1)
        log(
          `  ${t.target.padEnd(10)} ${caseOf(c)} c${connections}: ${row.rps.toFixed(0)} rps over ${settings.rounds} slices (${row.sliceRps!.map((r) => r.toFixed(0)).join(', ')})`,
        );
    }
  }
  return rows;
}

const caseOf = (c: { query: string; latencyMs?: number | undefined }): string => `${c.query}${c.latencyMs ? ` +${c.latencyMs}ms` : ''}`;

/** Starts each target in turn (each alone on the target CPU while it starts). */
async function startTargets(ids: readonly TargetId[], supergraphFor: (id: TargetId) => string, auth: BenchAuth): Promise<Running[]> {
  const running: Running[] = [];
  try {
    for (const id of ids) {
      log(`  starting ${id}`);
      const { proc, url } = await startTarget(id, supergraphFor(id), auth);
      running.push({ target: id, proc, url });
    }
  } catch (error) {
    await Promise.all(running.map((t) => t.proc.stop()));
    throw error;
  }
  return running;
}

/** The highest VmHWM seen for each target over its whole life (start-up and warm-ups included), bytes. */
const lifetimePeakRss = new Map<string, number>();
function notePeakRss(target: string, pid: number): void {
  lifetimePeakRss.set(target, Math.max(lifetimePeakRss.get(target) ?? 0, peakRss(pid)));
}

/** One workload's per-target memory summary, from its rows and the lifetime peaks noted during it. */
function targetMemory(rows: Row[]): TargetMemory[] {
  const targets = [...new Set(rows.map((r) => r.target))];
  return targets.map((target) => ({
    target,
    peakRssMb: Math.max(...rows.filter((r) => r.target === target).map((r) => r.peakRssMb)),
    lifetimePeakRssMb: (lifetimePeakRss.get(target) ?? 0) / 1024 / 1024,
  }));
}

/** The OTLP sink of a traced target (one per target, kept for the run: a target is started once per workload). */
async function tracedSinkFor(id: string): Promise<string> {
  let sink = tracedSinks.get(id);
  if (!sink) tracedSinks.set(id, (sink = await otlpSink()));
  return sink.url;
}

/** Starts one gateway target on the target CPU over a supergraph file. */
async function startTarget(id: TargetId, supergraphPath: string, auth: BenchAuth): Promise<{ proc: Proc; url: string }> {
  const common = { cwd: ROOT, cpu: settings.targetCpu, logFile: logFile(id) };
  lifetimePeakRss.delete(id);
  if (id === 'ours' || id === 'ours-warm' || id === 'ours-dedup' || id === 'ours-traced' || id === 'ours-traced10') {
    // ours: caches and inbound dedup off; ours-warm: caches on; ours-dedup: inbound dedup on
    // (identical requests in flight share one execution), as hive-tuned runs; ours-traced(10):
    // ours with tracing on, every request sampled (or 10%), spans exported over OTLP/HTTP.
    const caches = {
      ENTITY_CACHE: id === 'ours-warm' ? 'on' : 'off',
      RESPONSE_CACHE: id === 'ours-warm' ? 'on' : 'off',
      INBOUND_DEDUP: id === 'ours-dedup' ? 'on' : 'off',
    };
    const tracing =
      id === 'ours-traced' || id === 'ours-traced10'
        ? {
            OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: await tracedSinkFor(id),
            // JSON, which the sink can count (and what the earlier tracing results used); the gateway's default is http/protobuf.
            OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
            OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
            OTEL_TRACES_SAMPLER_ARG: id === 'ours-traced' ? '1' : '0.1',
          }
        : {};
    const proc = await spawnProc({
      ...common,
      name: id,
      command: process.execPath,
      args: ['--import', 'tsx/esm', 'gateway/src/index.ts'],
      env: {
        NODE_ENV: 'production',
        // Production requires its own secret for POST /internal/invalidate (unused here).
        GATEWAY_INVALIDATION_SECRET: randomBytes(24).toString('base64url'),
        ...oursGatewayEnv(supergraphPath),
        ...caches,
        ...tracing,
        GATEWAY_SUBGRAPH_SECRET: auth.subgraphSecret,
        AUTH_PUBLIC_KEY: auth.publicKeyPem,
      },
    });
    return { proc, url: proc.url };
  }
  const port = await freePort();
  if (id === 'vanilla') {
    const proc = await spawnProc({
      ...common,
      cwd: BENCH_DIR,
      name: id,
      command: process.execPath,
      args: ['--import', 'tsx/esm', 'src/targets/vanilla.ts', supergraphPath, String(port)],
      env: { NODE_ENV: 'production', BENCH_INTERNAL_TOKEN: auth.internalToken },
    });
    return { proc, url: proc.url };
  }
  // hive-tuned: the settings of The Guild's federation benchmark for Hive Gateway (its
  // docker-compose: NODE_ENV=production, `supergraph --jit`, NODE_OPTIONS
  // --max-old-space-size=1024 --max-semi-space-size=256) plus inbound deduplication of
  // identical requests in flight (src/targets/hive.config.ts reads BENCH_HIVE_TUNED).
  const tuned = id === 'hive-tuned';
  const proc = await spawnProc({
    ...common,
    cwd: BENCH_DIR,
    name: id,
    command: process.execPath,
    args: [
      ...(tuned ? ['--max-old-space-size=1024', '--max-semi-space-size=256'] : []),
      HIVE_BIN,
      'supergraph',
      supergraphPath,
      '--port',
      String(port),
      '--host',
      '127.0.0.1',
      '--config-path',
      'src/targets/hive.config.ts',
      ...(tuned ? ['--jit'] : []),
    ],
    env: { NODE_ENV: 'production', BENCH_INTERNAL_TOKEN: auth.internalToken, BENCH_HIVE_TUNED: tuned ? '1' : '' },
    waitForUrl: false,
  });
  const url = `http://127.0.0.1:${port}/graphql`;
  await waitForGraphQL(url, proc);
  return { proc, url };
}

/** The reference answers: an in-process @apollo/gateway, default options, same supergraph. */
async function referenceAnswers(
  supergraphPath: string,
  internalToken: string,
  requests: Array<{ query: string; variables?: Record<string, unknown> }>,
): Promise<unknown[]> {
  const gateway = new ApolloGateway({
    supergraphSdl: readFileSync(supergraphPath, 'utf8'),
    buildService: ({ url }) =>
      new RemoteGraphQLDataSource({
        url,
        willSendRequest({ request }) {
          request.http?.headers.set('x-graph360-gateway', internalToken);
        },
      }),
  });
  const server = new ApolloServer({ gateway });
  await server.start();
  try {
    const answers: unknown[] = [];
    for (const request of requests) {
      // Three attempts: services that have just started on a busy machine may drop a first request.
      for (let attempt = 1; ; attempt++) {
        const response = await server.executeOperation(request);
        if (response.body.kind !== 'single') throw new Error('reference: unexpected incremental answer');
        const { data, errors } = response.body.singleResult;
        if (!errors?.length) {
          answers.push(data);
          break;
        }
        const message = `reference answer has errors: ${JSON.stringify(errors).slice(0, 500)}`;
        if (attempt === 3) throw new Error(message);
        log(`${message}; trying again`);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
    return answers;
  } finally {
    await server.stop();
  }
}

async function federationWorkload(auth: BenchAuth): Promise<void> {
  log('workload 1 (federation): starting the four subgraphs');
  const { subgraphs, supergraphPath } = await startFederationSubgraphs({ workDir, cpu: settings.loadCpu, logFile });

  const [testAnswer, usersAnswer] = await referenceAnswers(supergraphPath, auth.internalToken, [{ query: TEST_QUERY }, { query: USERS_QUERY }]);
  const problems = checkTestQueryAnswer(testAnswer);
  if (problems.length > 0) throw new Error(`the reference TestQuery answer is not the benchmark's data: ${problems.join('; ')}`);
  const cases: Case[] = [
    { query: 'TestQuery', body: JSON.stringify({ query: TEST_QUERY }), reference: testAnswer, headers: {} },
    { query: 'users', body: JSON.stringify({ query: USERS_QUERY }), reference: usersAnswer, headers: {} },
  ];
  const counters: Counters = { subgraphUrls: subgraphs.map((s) => s.url), sandboxUrls: [] };
  const workload = beginWorkload('federation', "Workload 1: The Guild's federation benchmark (4 subgraphs)");
  const { rows } = workload;
  log(`workload 1: starting ${[...GATEWAY_TARGETS, ...(settings.targets.includes('direct') ? ['direct'] : [])].join(', ')}`);
  const running = await startTargets(GATEWAY_TARGETS, () => supergraphPath, auth);
  try {
    if (settings.targets.includes('direct')) {
      // The accounts subgraph alone, on the target CPU: the upper bound for `users`.
      const proc = await spawnProc({
        name: 'direct',
        cwd: BENCH_DIR,
        cpu: settings.targetCpu,
        logFile: logFile('direct'),
        command: process.execPath,
        args: ['--import', 'tsx/esm', 'src/workload1/serve.ts', 'accounts', '0'],
        env: { NODE_ENV: 'production' },
      });
      lifetimePeakRss.delete('direct');
      running.push({ target: 'direct', proc, url: proc.url });
    }
    for (const c of cases) {
      log(`workload 1: ${c.query}`);
      const targets = running.filter((t) => t.target !== 'direct' || c.query === 'users');
      if (targets.length > 0) rows.push(...(await measureTogether(targets, c, counters)));
    }
  } finally {
    await Promise.all(running.map((t) => t.proc.stop()));
  }
  await Promise.all(subgraphs.map((s) => s.stop()));
  endWorkload(workload);
}

async function graph360Workload(auth: BenchAuth): Promise<void> {
  log(`workload 2 (graph360): starting the sandboxes (scale ${settings.scale}) and the subgraphs`);
  const dataDir = join(workDir, 'sandboxes');
  mkdirSync(dataDir);
  const env = {
    SANDBOX_DATA_DIR: dataDir,
    SANDBOX_SCALE: String(settings.scale),
    CRM_SANDBOX_PORT: '0',
    ERP_SANDBOX_PORT: '0',
    PAYMENTS_SANDBOX_PORT: '0',
    CRM_SUBGRAPH_PORT: '0',
    ERP_SUBGRAPH_PORT: '0',
    PAYMENTS_SUBGRAPH_PORT: '0',
    // The sandbox's HubSpot-like limit (190 requests per 10 s) would throttle any benchmark.
    CRM_SANDBOX_RATE_LIMIT: '0',
    PAYMENTS_SANDBOX_WEBHOOK_URLS: '',
    LOG_LEVEL: 'warn',
    REDIS_URL: '',
    GATEWAY_SUBGRAPH_SECRET: auth.subgraphSecret,
  };
  const names = ['crm', 'erp', 'payments'] as const;
  const sandboxes = await Promise.all(
    names.map((name) =>
      spawnProc({
        name: `${name}-sandbox`,
        cwd: ROOT,
        cpu: settings.loadCpu,
        logFile: logFile(`${name}-sandbox`),
        command: process.execPath,
        args: ['--import', 'tsx/esm', `sandboxes/${name}/src/index.ts`],
        env,
      }),
    ),
  );
  const sandboxUrl = Object.fromEntries(names.map((name, i) => [name, new URL(sandboxes[i]!.url).origin])) as Record<(typeof names)[number], string>;
  const subgraphEnv = { ...env, CRM_API_URL: sandboxUrl.crm, ERP_URL: sandboxUrl.erp, STRIPE_API_URL: sandboxUrl.payments };
  const subgraphs = await Promise.all(
    names.map((name) =>
      spawnProc({
        name: `${name}-subgraph`,
        cwd: ROOT,
        cpu: settings.loadCpu,
        logFile: logFile(`${name}-subgraph`),
        command: process.execPath,
        args: ['--import', 'tsx/esm', '--import', COUNT_REQUESTS, `subgraphs/${name}/src/index.ts`],
        env: subgraphEnv,
      }),
    ),
  );
  // The committed supergraph, with the URLs of the subgraphs of this run: every target reads this one file.
  let sdl = readFileSync(join(ROOT, 'schema/supergraph.graphql'), 'utf8');
  names.forEach((name, i) => {
    sdl = sdl.replace(new RegExp(`(@join__graph\\(name: "${name}", url: ")[^"]*(")`), `$1${subgraphs[i]!.url}$2`);
  });
  const supergraphPath = join(workDir, 'graph360.supergraph.graphql');
  writeFileSync(supergraphPath, sdl);
  const peerSupergraphPath = join(workDir, 'graph360.peers.supergraph.graphql');
  writeFileSync(peerSupergraphPath, withoutAuthDirectives(sdl));

  const [list] = (await referenceAnswers(peerSupergraphPath, auth.internalToken, [{ query: CUSTOMERS_50, variables: { first: 50 } }])) as Array<{
    customers: { nodes: Array<{ id: string }> };
  }>;
  if (list?.customers.nodes.length !== 50) throw new Error(`the reference list has ${list?.customers.nodes.length} customers, not 50 (BENCH_SCALE too small?)`);
  const customerId = list.customers.nodes[0]!.id;
  const [one] = await referenceAnswers(peerSupergraphPath, auth.internalToken, [{ query: CUSTOMER_360, variables: { id: customerId } }]);
  const headers = { authorization: `Bearer ${auth.userToken}` };
  const base: Case[] = [
    { query: 'customer360', body: JSON.stringify({ query: CUSTOMER_360, variables: { id: customerId } }), reference: one, headers },
    { query: 'customers50', body: JSON.stringify({ query: CUSTOMERS_50, variables: { first: 50 } }), reference: list, headers },
  ];
  const latencies = settings.latencyMs > 0 ? [0, settings.latencyMs] : [0];
  const counters: Counters = { subgraphUrls: subgraphs.map((s) => s.url), sandboxUrls: Object.values(sandboxUrl) };
  const setLatency = async (ms: number): Promise<void> => {
    await Promise.all(
      Object.values(sandboxUrl).map((url) =>
        ms > 0
          ? fetch(`${url}/__sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ latencyMs: ms }) })
          : fetch(`${url}/__sandbox/faults`, { method: 'DELETE' }),
      ),
    );
  };
  const workload = beginWorkload(
    'graph360',
    `Workload 2: graph360 over the sandboxes (scale ${settings.scale}${settings.latencyMs > 0 ? `; +${settings.latencyMs}ms = that latency on every backend call` : ''})`,
  );
  const { rows } = workload;
  log(`workload 2: starting ${GATEWAY_TARGETS.join(', ')}`);
  const running = await startTargets(GATEWAY_TARGETS, (id) => (id.startsWith('ours') ? supergraphPath : peerSupergraphPath), auth);
  try {
    for (const latencyMs of latencies) {
      await setLatency(latencyMs);
      for (const c of base) {
        log(`workload 2: ${caseOf({ query: c.query, latencyMs })}`);
        if (running.length > 0) rows.push(...(await measureTogether(running, { ...c, ...(latencyMs > 0 ? { latencyMs } : {}) }, counters)));
      }
    }
  } finally {
    await setLatency(0);
    await Promise.all(running.map((t) => t.proc.stop()));
  }
  await Promise.all([...subgraphs, ...sandboxes].map((s) => s.stop()));
  endWorkload(workload);
}

function versionOf(dir: string, name: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return undefined;
  }
}

/** `wrk -v` prints its version and exits with 1. */
function wrkVersion(): string {
  const run = spawnSync('wrk', ['-v'], { encoding: 'utf8' });
  return `${run.stdout}${run.stderr}`.split('\n')[0]?.trim() || 'unknown';
}

function versions(): Record<string, unknown> {
  const git = (args: string[]): string => {
    try {
      return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  };
  const of = (dir: string, names: string[]): Record<string, string | undefined> => Object.fromEntries(names.map((n) => [n, versionOf(dir, n)]));
  return {
    node: process.version,
    wrk: wrkVersion(),
    graph360: {
      commit: git(['rev-parse', 'HEAD']),
      uncommittedChanges: git(['status', '--porcelain']).length > 0,
      ...of(ROOT, ['@apollo/gateway', '@apollo/server', '@apollo/query-planner', 'graphql', 'undici', 'keyv']),
    },
    bench: of(BENCH_DIR, [
      '@apollo/gateway',
      '@apollo/server',
      '@apollo/subgraph',
      '@apollo/composition',
      '@graphql-hive/gateway',
      '@graphql-hive/gateway-runtime',
      '@graphql-tools/delegate',
      '@graphql-tools/federation',
      '@graphql-mesh/plugin-jit',
      'graphql-jit',
      'graphql',
    ]),
  };
}

async function main(): Promise<void> {
  for (const tool of ['wrk', 'taskset']) {
    try {
      execFileSync('which', [tool], { stdio: 'ignore' });
    } catch {
      throw new Error(`${tool} is not installed: apt-get install -y ${tool === 'wrk' ? 'wrk' : 'util-linux'}`);
    }
  }
  if (availableParallelism() < 2) throw new Error('the bench needs two CPUs: one for the target, one for the load');
  // This process and everything it starts without a CPU of its own share the load CPU.
  execFileSync('taskset', ['-a', '-p', '-c', settings.loadCpu, String(process.pid)], { stdio: 'ignore' });
  workDir = mkdtempSync(join(tmpdir(), 'graph360-bench-'));
  log(
    `work folder ${workDir}; per target and case ${settings.warmupS} s warm-up (${Math.min(settings.warmupS, REWARMUP_S)} s at each further count) + ${settings.measureS} s measured in ${settings.rounds} turns at ${settings.connections.join(' and ')} connections; about ${Math.ceil(expectedSeconds() / 60)} min expected, deadline ${settings.deadlineS} s`,
  );
  const auth = await createBenchAuth();
  if (!settings.only || settings.only === 'federation') await federationWorkload(auth);
  if (!settings.only || settings.only === 'graph360') await graph360Workload(auth);
  writeResults(false);
}

/**
 * A rough forecast of the run's length, printed at its start: per slice its measured time
 * and about 2 s of checks, counter reads and settling; per target and case its warm-ups;
 * per target start about 5 s; 30 s for the subgraphs, sandboxes and reference answers.
 */
function expectedSeconds(): number {
  const gateways = GATEWAY_TARGETS.length;
  const sliceS = Math.max(1, Math.round(settings.measureS / settings.rounds));
  const perTargetCase =
    settings.warmupS +
    (settings.connections.length - 1) * Math.min(settings.warmupS, REWARMUP_S) +
    settings.connections.length * settings.rounds * (sliceS + 2);
  const latencies = settings.latencyMs > 0 ? 2 : 1;
  const w1 = (gateways * 2 + (settings.targets.includes('direct') ? 1 : 0)) * perTargetCase + (gateways + 1) * 5 + 10;
  const w2 = gateways * 2 * latencies * perTargetCase + gateways * 5 + 20;
  return (settings.only === 'graph360' ? 0 : w1) + (settings.only === 'federation' ? 0 : w2);
}

const startedAt = new Date();
/** Every workload begun, the one under way included: a deadline still reports its rows so far. */
const workloads: WorkloadResult[] = [];

function beginWorkload(id: string, title: string): WorkloadResult {
  const workload: WorkloadResult = { id, title, rows: [], incomplete: true };
  workloads.push(workload);
  return workload;
}

function endWorkload(workload: WorkloadResult): void {
  workload.targets = targetMemory(workload.rows);
  delete workload.incomplete;
}

/** Prints the tables and writes bench/results/<timestamp>.json (also what is done when the deadline cuts a run short). */
function writeResults(incomplete: boolean): void {
  if (workloads.length === 0) return;
  for (const workload of workloads) if (workload.incomplete) workload.targets = targetMemory(workload.rows);
  const result = {
    startedAt: startedAt.toISOString(),
    durationS: (Date.now() - startedAt.getTime()) / 1000,
    incomplete,
    machine: { cpus: availableParallelism(), targetCpu: settings.targetCpu, loadCpu: settings.loadCpu },
    settings,
    versions: versions(),
    workloads,
  };
  console.log(`\n${formatReport(workloads, settings)}`);
  // The traced targets' spans, counted where they were exported: proof that tracing was on.
  for (const [target, sink] of tracedSinks) log(`spans exported by ${target}: ${sink.spans}`);
  const resultsDir = join(BENCH_DIR, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${startedAt.toISOString().replace(/[:.]/g, '-')}${incomplete ? '-incomplete' : ''}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  log(`results${incomplete ? ' so far' : ''} written to ${file}`);
  log(`total time ${Math.floor(result.durationS / 60)} min ${Math.round(result.durationS % 60)} s`);
}

let finishing = false;
async function finish(code: number): Promise<never> {
  if (!finishing) {
    finishing = true;
    await stopAll();
    if (workDir && code === 0) rmSync(workDir, { recursive: true, force: true });
    else if (workDir) console.error(`[bench] logs of the services kept in ${workDir}`);
  }
  process.exit(code);
}

process.on('SIGINT', () => {
  console.error('\n[bench] interrupted: stopping every process it started');
  void finish(130);
});
process.on('SIGTERM', () => void finish(143));
process.on('exit', killAllNow);
const deadline = setTimeout(() => {
  console.error(`[bench] deadline of ${settings.deadlineS} s reached: stopping every process it started`);
  writeResults(true);
  void finish(124);
}, settings.deadlineS * 1000);
deadline.unref();

main().then(
  () => finish(0),
  (error: unknown) => {
    console.error('[bench] failed:', error instanceof Error ? error.message : error);
    void finish(1);
  },
);
