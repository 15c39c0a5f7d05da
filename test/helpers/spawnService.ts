/**
 * Starts one of the project's entry points as a real child process (through tsx), waits
 * for the line in which it reports its URL, and stops it again. Cross-service tests use
 * it to run services on free ports over loopback, and to kill and restart them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

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
  const child = spawn(process.execPath, ['--import', 'tsx', options.entry], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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
