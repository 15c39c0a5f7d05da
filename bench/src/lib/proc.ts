/**
 * The processes a bench run starts: each one pinned to a CPU with taskset when asked,
 * remembered, and stopped again (SIGTERM, then SIGKILL after a grace period) when the
 * run ends, fails, is interrupted, or overruns its deadline.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, readSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';

export interface Proc {
  name: string;
  child: ChildProcess;
  pid: number;
  /** The URL the process reported on its "listening on <url>" line, when it reports one. */
  url: string;
  output(): string;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string | undefined>;
  cwd: string;
  /** CPU list for taskset (e.g. "0"); undefined: not pinned. */
  cpu?: string;
  /** Where its stdout and stderr go. */
  logFile: string;
  /** Wait for a "listening on <url>" line (default), or resolve as soon as the process runs. */
  waitForUrl?: boolean;
  timeoutMs?: number;
}

const LISTENING = /listening on (https?:\/\/\S+)/i;
const running = new Set<Proc>();

export function spawnProc(options: SpawnOptions): Promise<Proc> {
  const [command, args] = options.cpu === undefined ? [options.command, options.args] : ['taskset', ['-c', options.cpu, options.command, ...options.args]];
  // Output goes to a file, not a pipe: a gateway that logs every request must never wait
  // for the bench to read its pipe.
  const fd = openSync(options.logFile, 'w');
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const output = (): string => {
    try {
      const text = readFileSync(options.logFile, 'utf8');
      return text.length > 20_000 ? text.slice(-20_000) : text;
    } catch {
      return '';
    }
  };
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const proc: Proc = {
    name: options.name,
    child,
    pid: child.pid ?? -1,
    url: '',
    output,
    async stop() {
      running.delete(proc);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
  running.add(proc);
  return new Promise((resolve, reject) => {
    const timeoutMs = options.timeoutMs ?? 90_000;
    const started = Date.now();
    let settled = false;
    const settle = (error?: Error): void => {
      if (settled) return;
      settled = true;
      clearInterval(poll);
      if (error) {
        void proc.stop();
        reject(error);
      } else resolve(proc);
    };
    const poll = setInterval(() => {
      if (options.waitForUrl === false) return settle();
      const head = readHead(options.logFile);
      const match = LISTENING.exec(head);
      if (match) {
        proc.url = match[1]!;
        settle();
      } else if (Date.now() - started > timeoutMs) {
        settle(new Error(`${options.name} did not start within ${timeoutMs / 1000} s:\n${output().slice(-2000)}`));
      }
    }, 100);
    child.once('error', (error) => settle(new Error(`${options.name}: ${error.message}`)));
    child.once('exit', (code, signal) => {
      running.delete(proc);
      settle(new Error(`${options.name} exited (${signal ?? `code ${code}`}) before it was ready:\n${output().slice(-2000)}`));
    });
  });
}

/** The first 64 KiB of a log: where a service reports its URL. */
function readHead(file: string): string {
  try {
    const fd = openSync(file, 'r');
    const buffer = Buffer.alloc(65_536);
    const n = readSync(fd, buffer, 0, buffer.length, 0);
    closeSync(fd);
    return buffer.subarray(0, n).toString();
  } catch {
    return '';
  }
}

const helpers = new Set<ChildProcess>();

/** Remembers a short-lived helper process (wrk) so that stopping the run stops it too. */
export function trackHelper(child: ChildProcess): void {
  helpers.add(child);
  child.once('exit', () => helpers.delete(child));
}

/** Stops every process still running (in parallel). */
export async function stopAll(): Promise<void> {
  for (const child of helpers) child.kill('SIGTERM');
  await Promise.all([...running].map((p) => p.stop()));
}

/** Stops every process at once with SIGKILL (last resort, synchronous: for process 'exit'). */
export function killAllNow(): void {
  for (const child of helpers) child.kill('SIGKILL');
  for (const p of running) {
    try {
      p.child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** A port free now (the OS picks it and it is released at once for a service to take). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The process and every descendant (children of all its threads), from /proc. */
export function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${out[i]}/task`);
    } catch {
      continue;
    }
    for (const task of tasks) {
      try {
        const children = readFileSync(`/proc/${out[i]}/task/${task}/children`, 'utf8').trim();
        if (children) out.push(...children.split(/\s+/).map(Number));
      } catch {
        // the task ended
      }
    }
  }
  return out;
}

/**
 * Resets the peak-RSS mark (VmHWM) of the process tree (Linux: "5" to clear_refs).
 * Returns false when the kernel refuses it; the peak then counts from process start.
 */
export function resetPeakRss(pid: number): boolean {
  let ok = true;
  for (const p of processTree(pid)) {
    try {
      writeFileSync(`/proc/${p}/clear_refs`, '5');
    } catch {
      ok = false;
    }
  }
  return ok;
}

/** Peak RSS in bytes since the last reset, summed over the process tree (VmHWM). */
export function peakRss(pid: number): number {
  let total = 0;
  for (const p of processTree(pid)) {
    try {
      const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      if (match) total += Number(match[1]) * 1024;
    } catch {
      // gone
    }
  }
  return total;
}

/** CPU time (user + system) in seconds used so far by the process tree. */
export function cpuSeconds(pid: number): number {
  let ticks = 0;
  for (const p of processTree(pid)) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone
    }
  }
  return ticks / 100;
}
