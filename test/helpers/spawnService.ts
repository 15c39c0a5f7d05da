/**
 * Starts one of the project's entry points as a real child process (through tsx), waits
 * for the line in which it reports its URL, and stops it again. Cross-service tests use
 * it to run services on free ports over loopback, and to kill and restart them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, createWriteStream, mkdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Every spawned service's output is also written to <log dir>/<service>-<pid>.log, and
 * the values of its secret-looking variables to <log dir>/secrets.txt, so that the log
 * scan at the end of the run (helpers/logScan.ts, a Vitest global setup) can check that
 * no secret reached any log. The log dir is the run's (GRAPH360_TEST_LOG_DIR, set by
 * that global setup), else test-artifacts/logs/.
 */
export function logDir(): string {
  return process.env.GRAPH360_TEST_LOG_DIR || join(REPO_ROOT, 'test-artifacts', 'logs');
}
export const SECRETS_FILE_NAME = 'secrets.txt';
const SECRET_VARIABLE = /SECRET|TOKEN|PASSWORD|API_KEY|PRIVATE_KEY/i;

export function recordSecrets(dir: string, env: Record<string, string> | undefined): void {
  const values = Object.entries(env ?? {})
    .filter(([name, value]) => SECRET_VARIABLE.test(name) && value.length >= 8)
    .map(([, value]) => JSON.stringify(value));
  if (values.length > 0) appendFileSync(join(dir, SECRETS_FILE_NAME), `${values.join('\n')}\n`);
}

function serviceName(entry: string): string {
  const parts = entry.split('/');
  return parts.length >= 2 ? `${parts[0]}-${parts[1]}`.replace(/[^A-Za-z0-9_-]/g, '_') : basename(dirname(entry));
}

export interface SpawnedService {
  url: string;
  child: ChildProcess;
  /** Everything the process wrote so far (stdout and stderr). */
  output(): string;
  /** SIGTERM, then SIGKILL after 5 s; resolves when the process has exited. */
  stop(): Promise<void>;
  /** SIGKILL at once, as a crash would. */
  kill(): Promise<void>;
}

export interface SpawnOptions {
  /** Entry file relative to the repository root, e.g. sandboxes/crm/src/index.ts. */
  entry: string;
  env?: Record<string, string>;
  /** Deadline for the URL line, in ms. Default 60 s. */
  timeoutMs?: number;
}

const LISTENING = /listening on (https?:\/\/\S+)/;

export function spawnService(options: SpawnOptions): Promise<SpawnedService> {
  // As scripts/start.ts runs services: tsx's ESM loader only.
  const child = spawn(process.execPath, ['--import', 'tsx/esm', options.entry], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const dir = logDir();
  mkdirSync(dir, { recursive: true });
  recordSecrets(dir, options.env);
  const log = createWriteStream(join(dir, `${serviceName(options.entry)}-${child.pid ?? 'nopid'}.log`));
  child.stdout!.pipe(log, { end: false });
  child.stderr!.pipe(log, { end: false });
  child.once('close', () => log.end());
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = async (sig: NodeJS.Signals, graceMs: number): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(sig);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${options.entry} did not report its URL within ${options.timeoutMs ?? 60_000} ms:\n${output}`));
    }, options.timeoutMs ?? 60_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = LISTENING.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({
          url: match[1]!,
          child,
          output: () => output,
          stop: () => signal('SIGTERM', 5000),
          kill: () => signal('SIGKILL', 0),
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${options.entry} exited with ${code} before reporting its URL:\n${output}`));
    });
  });
}
