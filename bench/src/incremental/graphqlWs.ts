/**
 * A lean graphql-transport-ws client for the fan-out measurement: one `ws` socket, the
 * protocol's messages by hand (connection_init with a payload, subscribe, next, error,
 * complete, ping/pong), and the arrival time of every message taken before it is parsed.
 * graphql-ws's own client does more per message (validation, sinks); a thousand of them
 * in the bench process would delay the very timestamps being measured.
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

export interface Received {
  /** performance.now() when the message arrived (before JSON.parse). */
  at: number;
  payload: { data?: unknown; errors?: unknown[] };
}

export interface Subscription {
  id: string;
  results: Received[];
  /** `error` message's payload (the operation was refused) or the socket's end. */
  error?: unknown;
  completed: boolean;
  /** Called after each result is stored. */
  onResult?: (sub: Subscription) => void;
}

export class GraphQLWsSocket {
  readonly ready: Promise<void>;
  private readonly socket: WebSocket;
  private readonly subscriptions = new Map<string, Subscription>();
  private nextId = 1;
  closed: { code: number; reason: string } | undefined;

  constructor(url: string, connectionParams: Record<string, unknown>) {
    this.socket = new WebSocket(url, 'graphql-transport-ws', { perMessageDeflate: false });
    this.ready = new Promise<void>((resolve, reject) => {
      this.socket.once('open', () => this.socket.send(JSON.stringify({ type: 'connection_init', payload: connectionParams })));
      this.socket.on('error', reject);
      this.socket.on('close', (code, reason) => {
        this.closed = { code, reason: reason.toString() };
        reject(new Error(`socket closed before connection_ack: ${code} ${reason.toString()}`));
        for (const sub of this.subscriptions.values()) if (!sub.completed && sub.error === undefined) sub.error = `socket closed (${code})`;
      });
      this.socket.on('message', (raw: Buffer) => {
        const at = performance.now();
        const message = JSON.parse(raw.toString()) as { type: string; id?: string; payload?: unknown };
        switch (message.type) {
          case 'connection_ack':
            resolve();
            break;
          case 'ping':
            this.socket.send('{"type":"pong"}');
            break;
          case 'next': {
            const sub = this.subscriptions.get(message.id!);
            if (sub) {
              sub.results.push({ at, payload: message.payload as Received['payload'] });
              sub.onResult?.(sub);
            }
            break;
          }
          case 'error': {
            const sub = this.subscriptions.get(message.id!);
            if (sub) sub.error = message.payload;
            break;
          }
          case 'complete': {
            const sub = this.subscriptions.get(message.id!);
            if (sub) sub.completed = true;
            break;
          }
        }
      });
    });
    // A refusal after the ack is seen on the subscriptions; the promise is settled by then.
    this.ready.catch(() => undefined);
  }

  subscribe(
    payload: { query: string; variables?: Record<string, unknown>; extensions?: Record<string, unknown> },
    onResult?: (sub: Subscription) => void,
  ): Subscription {
    const id = String(this.nextId++);
    const sub: Subscription = { id, results: [], completed: false, ...(onResult ? { onResult } : {}) };
    this.subscriptions.set(id, sub);
    this.socket.send(JSON.stringify({ id, type: 'subscribe', payload }));
    return sub;
  }

  /** Closes the socket (every subscription on it ends at the server) and waits for the close. */
  close(): Promise<void> {
    if (this.closed || this.socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.socket.terminate();
        resolve();
      }, 2000);
      this.socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.socket.close(1000);
    });
  }
}

/** Opens `count` sockets, at most `parallel` handshakes at a time; each gets its connection params from `params(i)`. */
export async function openSockets(
  url: string,
  count: number,
  params: (i: number) => Promise<Record<string, unknown>> | Record<string, unknown>,
  parallel = 50,
): Promise<GraphQLWsSocket[]> {
  const sockets: GraphQLWsSocket[] = new Array(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const socket = new GraphQLWsSocket(url, await params(i));
      sockets[i] = socket;
      await socket.ready;
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
  } catch (error) {
    await Promise.all(sockets.filter(Boolean).map((s) => s.close()));
    throw error;
  }
  return sockets;
}
