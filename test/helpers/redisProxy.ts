/**
 * Redis going away without stopping it: a TCP proxy in front of the real Redis that a
 * test closes (what a client sees when Redis dies: its socket drops and the port
 * refuses) and opens again on the same port. The machine's Redis is shared by other
 * test runs and is never touched.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { createClient } from '@keyv/redis';

/** Whether a Redis answers PING at `url` (one attempt, no retries). */
export async function redisReachable(url: string): Promise<boolean> {
  const client = createClient({ url, socket: { connectTimeout: 1000, reconnectStrategy: false } });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    await client.close();
    return true;
  } catch {
    if (client.isOpen) client.destroy();
    return false;
  }
}

/** A TCP proxy to Redis that can be closed (Redis "stopped") and opened again on the same port. */
export class RedisProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly target: URL) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async open(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(Number(this.target.port || 6379), this.target.hostname);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }
}
