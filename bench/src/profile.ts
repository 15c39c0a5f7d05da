/**
 * `npm run bench:profile`: where graph360's gateway spends its CPU on workload 1. Starts
 * the four federation subgraphs, runs the gateway (caches off, as in the bench) under
 * `node --cpu-prof` on CPU 0, loads it with wrk on CPU 1 with the TestQuery for
 * BENCH_PROFILE_S seconds (20) after a 3 s warm-up, stops it so that V8 writes the
 * profile, and prints the summary by bucket (src/summariseProfile.ts). The profile is
 * kept in bench/results/.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBenchAuth } from './lib/auth.js';
import { oursGatewayEnv } from './lib/oursEnv.js';
import { killAllNow, peakRss, resetPeakRss, spawnProc, stopAll } from './lib/proc.js';
import { runWrk } from './lib/wrk.js';
import { formatSummary, summarise } from './summariseProfile.js';
import { startFederationSubgraphs } from './workload1/stack.js';
import { checkTestQueryAnswer, TEST_QUERY, USERS_QUERY } from './workload1/subgraphs.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));
const seconds = Number(process.env.BENCH_PROFILE_S || 20);
/** BENCH_PROFILE_CASE: TestQuery (the default) or users. */
const profiledCase = process.env.BENCH_PROFILE_CASE || 'TestQuery';
const cachesOn = process.env.BENCH_PROFILE_CACHES === 'on';
/** BENCH_PROFILE_NODE_ARGS: more node flags for the gateway (space-separated), e.g. `--trace-gc`. */
const extraNodeArgs = (process.env.BENCH_PROFILE_NODE_ARGS ?? '').split(' ').filter(Boolean);
if (!['TestQuery', 'users'].includes(profiledCase)) throw new Error(`BENCH_PROFILE_CASE must be TestQuery or users, got "${profiledCase}"`);

async function main(): Promise<void> {
  execFileSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
  const workDir = mkdtempSync(join(tmpdir(), 'graph360-profile-'));
  const profileDir = join(workDir, 'profile');
  let n = 0;
  const logFile = (name: string): string => join(workDir, `${++n}-${name}.log`);
  try {
    const auth = await createBenchAuth();
    const { supergraphPath } = await startFederationSubgraphs({ workDir, cpu: '1', logFile });
    const gateway = await spawnProc({
      name: 'ours',
      cwd: ROOT,
      cpu: '0',
      logFile: logFile('ours'),
      command: process.execPath,
      args: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, ...extraNodeArgs, '--import', 'tsx/esm', 'gateway/src/index.ts'],
      env: {
        // As the bench runs it (bench.ts startTarget): production mode, which needs its own
        // invalidation secret.
        NODE_ENV: 'production',
        GATEWAY_INVALIDATION_SECRET: randomBytes(24).toString('base64url'),
        ...oursGatewayEnv(supergraphPath),
        // BENCH_PROFILE_CACHES=on profiles ours-warm instead (entity and response caches on).
        ENTITY_CACHE: cachesOn ? 'on' : 'off',
        RESPONSE_CACHE: cachesOn ? 'on' : 'off',
        // Every request executes, as the bench's `ours` target: what is profiled is one execution per request.
        INBOUND_DEDUP: 'off',
        GATEWAY_SUBGRAPH_SECRET: auth.subgraphSecret,
        AUTH_PUBLIC_KEY: auth.publicKeyPem,
      },
    });
    const body = JSON.stringify({ query: profiledCase === 'users' ? USERS_QUERY : TEST_QUERY });
    const first = (await (await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).json()) as {
      data?: unknown;
      errors?: unknown;
    };
    const problems = first.errors ? ['errors'] : profiledCase === 'users' ? [] : checkTestQueryAnswer(first.data);
    if (problems.length > 0) throw new Error(`the gateway's ${profiledCase} answer is wrong: ${problems.join('; ')}`);
    const run = { url: gateway.url, body, expectedData: JSON.stringify(first.data), connections: 16, cpu: '1', workDir };
    await runWrk({ ...run, seconds: 3 });
    resetPeakRss(gateway.pid);
    // Only the measured run is summarised: not the start-up, not the warm-up.
    const fromUs = Number(process.hrtime.bigint() / 1000n);
    const result = await runWrk({ ...run, seconds });
    const toUs = Number(process.hrtime.bigint() / 1000n);
    const peakMb = peakRss(gateway.pid) / 1024 / 1024;
    console.log(
      `profiled ${profiledCase} for ${seconds} s: ${(result.good / (result.durationUs / 1e6)).toFixed(0)} correct answers/s, ${result.requests - result.good} wrong, peak RSS ${peakMb.toFixed(0)} MB (under the profiler)`,
    );
    await gateway.stop();
    const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error(`no profile written in ${profileDir}`);
    const resultsDir = join(BENCH_DIR, 'results');
    mkdirSync(resultsDir, { recursive: true });
    const kept = join(resultsDir, `profile-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`);
    renameSync(join(profileDir, file), kept);
    console.log(`\n${formatSummary(summarise(JSON.parse(readFileSync(kept, 'utf8')), { fromUs, toUs }))}\n\nprofile: ${kept}`);
  } finally {
    await stopAll();
    // BENCH_PROFILE_KEEP=1 keeps the work folder (the processes' logs) and says where it is.
    if (process.env.BENCH_PROFILE_KEEP === '1') console.log(`logs kept in ${workDir}`);
    else rmSync(workDir, { recursive: true, force: true });
  }
}

process.on('SIGINT', () => void stopAll().then(() => process.exit(130)));
process.on('exit', killAllNow);
main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error('[profile] failed:', error instanceof Error ? error.message : error);
    void stopAll().then(() => process.exit(1));
  },
);
