/**
 * HAProxy (Debian's package) as the load balancer of a replicated stack in a test: one
 * HTTP frontend per service on its own loopback port, round robin over the replicas,
 * health checks on GET /ready, and the runtime API on a unix socket to read each server's
 * state and counters and to take one out of rotation.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** The first executable of that name on PATH or in the sbin folders (Debian puts haproxy in /usr/sbin). */
export function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  return dirs.map((dir) => join(dir, name)).find((path) => path.startsWith('/') && existsSync(path));
}

export interface Backend {
  /** Backend name, also the frontend's. */
  name: string;
  /** The port the frontend listens on. */
  port: number;
  /** Server name → port of the replica on 127.0.0.1. */
  servers: Record<string, number>;
  /** Failed checks in a row that take a server out of rotation. Default 3. */
  fall?: number;
}

export interface ServerStats {
  /** UP, DOWN, MAINT, DRAIN, NOLB, or a transition such as "UP 1/2". */
  status: string;
  /** HTTP requests the server was sent (health checks not included). */
  requests: number;
}

/**
 * The configuration: retries on connection errors (`retries`, `option redispatch`: a
 * request whose connection to a server is refused goes to another server) and no retry
 * of a request that reached a server, so a mutation is never sent twice. A server is
 * taken out of rotation after `fall` failed checks of GET /ready in a row (200 ms apart,
 * 100 ms once one failed; a check unanswered within 5 s fails), and put back after two
 * good ones.
 */
export function haproxyConfig(backends: readonly Backend[], socketPath: string): string {
  const lines = [
    'global',
    `  stats socket ${socketPath} mode 600 level admin`,
    '  maxconn 4096',
    'defaults',
    '  mode http',
    '  timeout connect 1s',
    // Longer than every client's idle keep-alive (the gateway's pool to the subgraphs keeps 30 s), so the balancer never closes a connection a client is about to reuse.
    '  timeout client 70s',
    '  timeout http-keep-alive 65s',
    '  timeout http-request 10s',
    '  timeout server 30s',
    '  timeout tunnel 600s',
    '  timeout check 5s',
    '  retries 3',
    '  option redispatch 1',
    '  balance roundrobin',
    '  option httpchk GET /ready',
    '  http-check expect status 200',
  ];
  for (const backend of backends) {
    lines.push(`frontend ${backend.name}`, `  bind 127.0.0.1:${backend.port}`, `  default_backend ${backend.name}-replicas`);
    lines.push(`backend ${backend.name}-replicas`, `  default-server check inter 200 fastinter 100 downinter 100 rise 2 fall ${backend.fall ?? 3}`);
    for (const [server, port] of Object.entries(backend.servers)) lines.push(`  server ${server} 127.0.0.1:${port}`);
  }
  return `${lines.join('\n')}\n`;
}

export class HAProxy {
  private child: ChildProcess | undefined;
  private output = '';
  private readonly dir = mkdtempSync(join(tmpdir(), 'graph360-haproxy-'));
  readonly socketPath = join(this.dir, 'admin.sock');

  constructor(
    private readonly binary: string,
    private readonly backends: readonly Backend[],
  ) {}

  async start(): Promise<void> {
    const configPath = join(this.dir, 'haproxy.cfg');
    writeFileSync(configPath, haproxyConfig(this.backends, this.socketPath));
    // -db: in the foreground, a child the test stops.
    const child = spawn(this.binary, ['-db', '-f', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    const deadline = Date.now() + 10_000;
    while (!existsSync(this.socketPath)) {
      if (child.exitCode !== null) throw new Error(`haproxy exited with ${child.exitCode}:\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`haproxy did not open its admin socket within 10 s:\n${this.output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** One command on the runtime API; its answer. */
  command(text: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect(this.socketPath);
      let answer = '';
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
      socket.on('end', () => resolve(answer));
      socket.on('error', reject);
      socket.end(`${text}\n`);
    });
  }

  /** Every server's state and request count, by "<backend>/<server>". */
  async stats(): Promise<Record<string, ServerStats>> {
    const csv = await this.command('show stat');
    const [header, ...rows] = csv.replace(/^# /, '').trim().split('\n');
    const columns = header!.split(',');
    const at = (row: string[], name: string): string => row[columns.indexOf(name)] ?? '';
    const out: Record<string, ServerStats> = {};
    for (const line of rows) {
      const row = line.split(',');
      const server = at(row, 'svname');
      if (server === 'FRONTEND' || server === 'BACKEND') continue;
      out[`${at(row, 'pxname').replace(/-replicas$/, '')}/${server}`] = { status: at(row, 'status'), requests: Number(at(row, 'req_tot') || 0) };
    }
    return out;
  }

  /** Sets a server's administrative state: ready, drain (no new connections; those open stay) or maint. */
  async setState(backend: string, server: string, state: 'ready' | 'drain' | 'maint'): Promise<void> {
    const answer = await this.command(`set server ${backend}-replicas/${server} state ${state}`);
    if (answer.trim() !== '') throw new Error(`haproxy: set server ${backend}/${server} state ${state}: ${answer}`);
  }

  /** Waits until HAProxy sends to that server (its checks pass). */
  async waitUp(backend: string, server: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = (await this.stats())[`${backend}/${server}`]?.status;
      if (status === 'UP') return;
      if (Date.now() > deadline) throw new Error(`haproxy: ${backend}/${server} not UP within ${timeoutMs} ms (${status})`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
