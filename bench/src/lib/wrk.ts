/**
 * Runs wrk (Debian's package) with bench/wrk/check.lua against one target for a fixed
 * time and a fixed number of connections, pinned to the load generator's CPU, and
 * returns what the script counted: answers checked good, wrong answers, socket errors,
 * and the latency percentiles.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trackHelper } from './proc.js';

const CHECK_SCRIPT = fileURLToPath(new URL('../../wrk/check.lua', import.meta.url));

export interface WrkResult {
  /** Requests sent, including those still in flight when the run ended. */
  sent: number;
  /** Responses received. */
  requests: number;
  durationUs: number;
  good: number;
  badStatus: number;
  badBody: number;
  connectErrors: number;
  readErrors: number;
  writeErrors: number;
  timeouts: number;
  p50Us: number;
  p90Us: number;
  p99Us: number;
  maxUs: number;
  meanUs: number;
  /** The first wrong answer, cut to 300 characters ("" when none). */
  sample: string;
}

export interface WrkRun {
  url: string;
  /** The whole request body (JSON text). */
  body: string;
  /** The expected value of "data" in the answer, as the exact JSON text the target sends. */
  expectedData: string;
  headers?: Record<string, string>;
  seconds: number;
  connections: number;
  /** CPU list for the load generator (taskset); undefined: not pinned. */
  cpu?: string;
  /** Folder for the request, expectation and header files. */
  workDir: string;
}

export async function runWrk(run: WrkRun): Promise<WrkResult> {
  const bodyFile = join(run.workDir, 'body.json');
  const expectFile = join(run.workDir, 'expect.json');
  const headersFile = join(run.workDir, 'headers.txt');
  writeFileSync(bodyFile, run.body);
  writeFileSync(expectFile, run.expectedData);
  writeFileSync(
    headersFile,
    Object.entries(run.headers ?? {})
      .map(([k, v]) => `${k}: ${v}\n`)
      .join(''),
  );
  const wrkArgs = ['-t1', `-c${run.connections}`, `-d${run.seconds}s`, '--timeout', '10s', '-s', CHECK_SCRIPT, run.url];
  const [command, args] = run.cpu === undefined ? ['wrk', wrkArgs] : ['taskset', ['-c', run.cpu, 'wrk', ...wrkArgs]];
  const child = spawn(command, args, {
    env: { ...process.env, BENCH_BODY_FILE: bodyFile, BENCH_EXPECT_FILE: expectFile, BENCH_HEADERS_FILE: headersFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  trackHelper(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (c) => resolve(c));
  });
  const line = /^BENCH_RESULT (.*)$/m.exec(output);
  if (code !== 0 || !line) throw new Error(`wrk failed (exit ${code}):\n${output.slice(-2000)}`);
  const sample = /^BENCH_SAMPLE ?(.*)$/m.exec(output)?.[1] ?? '';
  return { ...(JSON.parse(line[1]!) as Omit<WrkResult, 'sample'>), sample };
}
