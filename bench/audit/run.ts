/**
 * `npm run audit` (from bench/): graph360's gateway and vanilla @apollo/gateway against
 * The Guild's federation gateway audit (graphql-hive/federation-gateway-audit), fetched
 * and installed outside this repository (see bench/audit/README.md):
 *
 *   AUDIT_DIR=/path/to/federation-gateway-audit npm --prefix bench run audit
 *
 * The audit's own server (its CLI's `serve`) serves every test suite's subgraphs, its
 * supergraph (composed with the URL it was asked at) and its tests (queries with the
 * expected answers). For each target and suite this starts a fresh gateway over that
 * suite's supergraph, sends each query as the audit's test.ts does (POST, JSON, no
 * variables, no credentials) and judges the answer by the audit's rule: `data` deep-equal
 * to the expected data, and errors present or absent when the test says which (otherwise
 * not looked at). It prints pass/fail per test with a one-line reason, the totals per
 * target, and the tests one target fails that the other passes; everything goes to
 * bench/results/audit-<timestamp>.json (git-ignored).
 *
 * Settings (environment; AUDIT_DIR may also be the first argument):
 *   AUDIT_DIR      the audit's checkout (required)
 *   AUDIT_TARGETS  ours,vanilla (default both)
 *   AUDIT_SUITES   comma list of suite ids (default all)
 *   EXECUTOR       passed through to our gateway (apollo | graph360 where it exists)
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { oursGatewayEnv } from '../src/lib/oursEnv.js';
import { freePort, spawnProc, stopAll, type Proc } from '../src/lib/proc.js';

const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const POLYFILL = fileURLToPath(new URL('./polyfill.mjs', import.meta.url));

type TargetId = 'ours' | 'vanilla';
const KNOWN_TARGETS: TargetId[] = ['ours', 'vanilla'];

const auditDir = resolve(process.env.AUDIT_DIR || process.argv[2] || '');
if (!process.env.AUDIT_DIR && !process.argv[2])
  fail('set AUDIT_DIR (or pass it as the first argument) to a checkout of graphql-hive/federation-gateway-audit: see bench/audit/README.md');
if (!existsSync(join(auditDir, 'src/cli.ts'))) fail(`AUDIT_DIR: ${auditDir} has no src/cli.ts: not a checkout of graphql-hive/federation-gateway-audit`);
if (!existsSync(join(auditDir, 'node_modules/fets')))
  fail(`AUDIT_DIR: ${auditDir} has no node_modules: install its dependencies first (bench/audit/README.md)`);
const targets = (process.env.AUDIT_TARGETS || KNOWN_TARGETS.join(',')).split(',').map((t) => t.trim()) as TargetId[];
for (const t of targets) if (!KNOWN_TARGETS.includes(t)) fail(`AUDIT_TARGETS: unknown target "${t}" (known: ${KNOWN_TARGETS.join(', ')})`);
const AUDIT_CACHES = process.env.AUDIT_CACHES === 'on' ? 'on' : 'off';
if (process.env.AUDIT_CACHES && !['on', 'off'].includes(process.env.AUDIT_CACHES))
  throw new Error(`AUDIT_CACHES must be on or off, got "${process.env.AUDIT_CACHES}"`);
const onlySuites = process.env.AUDIT_SUITES ? process.env.AUDIT_SUITES.split(',').map((s) => s.trim()) : undefined;

function fail(message: string): never {
  console.error(`[audit] ${message}`);
  process.exit(2);
}

interface AuditTest {
  query: string;
  expected: { data?: unknown; errors?: boolean };
}

interface TestResult {
  name: string;
  pass: boolean;
  reason?: string;
  /** A failed test's query and the answer received (cut to 2,000 characters), for the results file. */
  query?: string;
  received?: string;
}

let workDir = '';
let logCounter = 0;
const logFile = (name: string): string => join(workDir, `${String(++logCounter).padStart(3, '0')}-${name}.log`);

async function getText(url: string): Promise<string> {
  const response = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(30_000) });
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return response.text();
}

async function waitFor(url: string, proc: Proc, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null) throw new Error(`${proc.name} exited:\n${proc.output().slice(-2000)}`);
    const ok = await fetch(url, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${proc.name} did not answer ${url} within ${timeoutMs / 1000} s`);
}

/** The credentials our gateway insists on at start; no audit request carries any (anonymous). */
function oursSecrets(): Record<string, string> {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    GATEWAY_SUBGRAPH_SECRET: randomBytes(32).toString('base64url'),
    AUTH_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

async function startTarget(id: TargetId, supergraphPath: string, suite: string): Promise<{ proc: Proc; url: string }> {
  if (id === 'ours') {
    const proc = await spawnProc({
      name: `ours-${suite}`,
      cwd: ROOT,
      logFile: logFile(`ours-${suite}`),
      command: process.execPath,
      args: ['--import', 'tsx/esm', 'gateway/src/index.ts'],
      env: {
        ...oursSecrets(),
        NODE_ENV: 'development',
        ...oursGatewayEnv(supergraphPath),
        // Off by default: the audit checks each answer once. AUDIT_CACHES=on runs it with the
        // entity and response caches on, to show they change no answer.
        ENTITY_CACHE: AUDIT_CACHES,
        RESPONSE_CACHE: AUDIT_CACHES,
        SAFELIST: 'off',
        LOG_LEVEL: 'warn',
      },
    });
    return { proc, url: proc.url };
  }
  const port = await freePort();
  const proc = await spawnProc({
    name: `vanilla-${suite}`,
    cwd: BENCH_DIR,
    logFile: logFile(`vanilla-${suite}`),
    command: process.execPath,
    args: ['--import', 'tsx/esm', 'src/targets/vanilla.ts', supergraphPath, String(port)],
  });
  return { proc, url: proc.url };
}

/** The first place two JSON values differ, as a path and the two values (cut short). */
function firstDifference(expected: unknown, received: unknown, path = 'data'): string | undefined {
  if (isDeepStrictEqual(expected, received)) return undefined;
  if (expected && received && typeof expected === 'object' && typeof received === 'object' && Array.isArray(expected) === Array.isArray(received)) {
    if (Array.isArray(expected) && Array.isArray(received) && expected.length !== received.length)
      return `${path}: ${expected.length} items expected, ${received.length} received`;
    const e = expected as Record<string, unknown>;
    const r = received as Record<string, unknown>;
    for (const key of new Set([...Object.keys(e), ...Object.keys(r)])) {
      if (!(key in r)) return `${path}.${key} missing`;
      if (!(key in e)) return `${path}.${key} not expected`;
      const inner = firstDifference(e[key], r[key], `${path}.${key}`);
      if (inner) return inner;
    }
  }
  const cut = (v: unknown): string => (JSON.stringify(v) ?? 'undefined').slice(0, 80);
  return `${path}: expected ${cut(expected)}, received ${cut(received)}`;
}

/** The audit's verdict (its src/test.ts), with a one-line reason when it fails. */
function judge(
  test: AuditTest,
  status: number,
  body: { data?: unknown; errors?: Array<{ message?: string; extensions?: { code?: string } }> },
): string | undefined {
  const errorsChecked = typeof test.expected.errors === 'boolean';
  const hasErrors = Boolean(body.errors?.length);
  const dataMatches = isDeepStrictEqual(body.data ?? null, test.expected.data ?? null);
  const errorsMatch = !errorsChecked || hasErrors === test.expected.errors;
  if (dataMatches && errorsMatch) return undefined;
  const firstError = body.errors?.[0];
  const errorText = firstError ? `${firstError.extensions?.code ? `${firstError.extensions.code}: ` : ''}${(firstError.message ?? '').slice(0, 160)}` : '';
  const parts = [`HTTP ${status}`];
  if (!dataMatches) parts.push(firstDifference(test.expected.data ?? null, body.data ?? null) ?? 'data differs');
  if (!errorsMatch) parts.push(test.expected.errors ? 'errors expected, none received' : `no errors expected, received ${body.errors!.length}`);
  if (errorText) parts.push(`first error: ${errorText}`);
  return parts.join('; ');
}

async function runTest(url: string, test: AuditTest): Promise<{ reason?: string; received?: string }> {
  let status: number;
  let text: string;
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify({ query: test.query }),
      signal: AbortSignal.timeout(10_000),
    });
    status = response.status;
    text = await response.text();
  } catch (error) {
    return { reason: `request failed: ${(error as Error).message}` };
  }
  let body: Parameters<typeof judge>[2];
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return { reason: `HTTP ${status}; not JSON: ${text.slice(0, 120)}`, received: text.slice(0, 2000) };
  }
  const reason = judge(test, status, body);
  return reason === undefined ? {} : { reason, received: text.slice(0, 2000) };
}

async function main(): Promise<void> {
  workDir = mkdtempSync(join(tmpdir(), 'graph360-audit-'));
  const startedAt = Date.now();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  console.log(`[audit] ${auditDir}; targets ${targets.join(', ')}; EXECUTOR=${process.env.EXECUTOR ?? '(unset)'}; logs in ${workDir}`);
  const server = await spawnProc({
    name: 'audit-server',
    cwd: BENCH_DIR,
    logFile: logFile('audit-server'),
    command: process.execPath,
    args: ['--import', POLYFILL, '--import', 'tsx', join(auditDir, 'src/cli.ts'), 'serve', '--port', String(port)],
    waitForUrl: false,
  });
  await waitFor(`${base}/_health`, server);
  const allIds = JSON.parse(await getText(`${base}/ids`)) as string[];
  const ids = onlySuites ? allIds.filter((id) => onlySuites.includes(id)) : allIds;
  for (const s of onlySuites ?? []) if (!allIds.includes(s)) fail(`AUDIT_SUITES: the audit has no suite "${s}"`);

  const results: Record<string, TestResult[]> = {};
  for (const target of targets) {
    results[target] = [];
    console.log(`\n[audit] ${target}`);
    for (const suite of ids) {
      const supergraphPath = join(workDir, `${suite}.graphql`);
      writeFileSync(supergraphPath, await getText(`${base}/${suite}/supergraph`));
      const tests = JSON.parse(await getText(`${base}/${suite}/tests`)) as AuditTest[];
      const suiteResults: TestResult[] = [];
      let started: { proc: Proc; url: string } | undefined;
      let startError = '';
      try {
        started = await startTarget(target, supergraphPath, suite);
      } catch (error) {
        startError = `gateway did not start: ${(error as Error).message.split('\n').slice(0, 3).join(' ').slice(0, 300)}`;
      }
      try {
        for (const [i, test] of tests.entries()) {
          const { reason, received } = started ? await runTest(started.url, test) : { reason: startError, received: undefined };
          suiteResults.push({
            name: `${suite}_${i}`,
            pass: reason === undefined,
            ...(reason ? { reason, query: test.query.replace(/\s+/g, ' ').trim() } : {}),
            ...(received ? { received } : {}),
          });
        }
      } finally {
        await started?.proc.stop();
      }
      results[target].push(...suiteResults);
      console.log(`  ${suite.padEnd(38)} ${suiteResults.map((r) => (r.pass ? '.' : 'X')).join('')}`);
      for (const r of suiteResults.filter((x) => !x.pass)) console.log(`    FAIL ${r.name}: ${r.reason}`);
    }
  }
  await server.stop();

  console.log('\n[audit] totals');
  for (const target of targets) {
    const list = results[target]!;
    const passed = list.filter((r) => r.pass).length;
    console.log(`  ${target.padEnd(8)} ${passed} passed, ${list.length - passed} failed of ${list.length}`);
  }
  if (targets.length === 2) {
    const [a, b] = targets as [TargetId, TargetId];
    const passOf = (t: TargetId): Map<string, boolean> => new Map(results[t]!.map((r) => [r.name, r.pass]));
    const pa = passOf(a);
    const pb = passOf(b);
    for (const [x, px, y, py] of [
      [a, pa, b, pb],
      [b, pb, a, pa],
    ] as const) {
      const only = [...px].filter(([name, pass]) => !pass && py.get(name)).map(([name]) => name);
      console.log(`  failed by ${x} but passed by ${y}: ${only.length ? only.join(', ') : 'none'}`);
    }
  }
  const resultsDir = join(BENCH_DIR, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `audit-${new Date(startedAt).toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ auditDir, executor: process.env.EXECUTOR ?? null, durationS: (Date.now() - startedAt) / 1000, results }, null, 2)}\n`,
  );
  console.log(`[audit] results written to ${file} (${((Date.now() - startedAt) / 1000).toFixed(0)} s in all)`);
  rmSync(workDir, { recursive: true, force: true });
}

process.on('SIGINT', () => void stopAll().then(() => process.exit(130)));
process.on('SIGTERM', () => void stopAll().then(() => process.exit(143)));
main().catch(async (error: unknown) => {
  console.error('[audit] failed:', error instanceof Error ? error.message : error);
  await stopAll();
  console.error(`[audit] logs kept in ${workDir}`);
  process.exit(1);
});
