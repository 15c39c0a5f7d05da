/**
 * The gateway's subscriptions to the subgraphs, over graphql-ws (the graphql-transport-ws
 * protocol, `graphql-ws` and `ws`): one WebSocket per subgraph URL (its GraphQL path,
 * ws:// for http://), shared by every subscription open with that subgraph, opened on
 * first use and closed a little after the last one ends.
 *
 * Credentials, as over HTTP (subgraphs/kit/src/auth.ts): the socket's `connection_init`
 * carries a token of the gateway itself (anonymous); each subscription carries the token
 * of its caller in `extensions["x-graph360-gateway"]`, checked by the subgraph when it
 * subscribes. Tokens live 60 s, so a subscription made again (after the socket dropped)
 * is made with a fresh one: this client never retries by itself (retryAttempts 0), the
 * executor does (execution/executeSubscription.ts).
 *
 * The sink gets what graphql-ws gives: `next` per event; `error` with an array of GraphQL
 * errors when the subgraph refused the subscription, anything else when the socket could
 * not be opened or dropped; `complete` when the subgraph ended it.
 */
import { createClient, type Client, type ExecutionResult, type Sink } from 'graphql-ws';
import type { Logger } from 'pino';
import WebSocket from 'ws';
import { ANONYMOUS, type AuthIdentity } from '../auth/identity.js';
import { INTERNAL_TOKEN_HEADER, type InternalTokenSigner } from '../auth/internalToken.js';

export interface UpstreamRequest {
  query: string;
  operationName?: string | undefined;
  variables: Record<string, unknown>;
}

export interface SubgraphSubscriptionsOptions {
  internalTokens: InternalTokenSigner;
  logger: Logger;
  /** How long a socket without subscriptions stays open, in ms. Default 5000. */
  idleCloseMs?: number;
  /** Ping interval of each socket, in ms; one unanswered for as long again closes it. Default 15000. */
  keepAliveMs?: number;
  /** Most bytes one message from a subgraph may have. Default 4 MiB. */
  maxPayloadBytes?: number;
}

/** ws:// (or wss://) for an http:// (or https://) subgraph URL. */
export function webSocketUrl(httpUrl: string): string {
  const url = new URL(httpUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

export class SubgraphSubscriptions {
  private readonly clients = new Map<string, Client>();
  private closed = false;

  constructor(private readonly options: SubgraphSubscriptionsOptions) {}

  /** Subscribes for `auth`; returns what ends the subscription. */
  subscribe(httpUrl: string, request: UpstreamRequest, auth: AuthIdentity, sink: Sink<ExecutionResult<Record<string, unknown>, unknown>>): () => void {
    if (this.closed) {
      sink.error(new Error('The gateway is shutting down.'));
      return () => undefined;
    }
    const client = this.clientFor(httpUrl);
    let disposed = false;
    let dispose: (() => void) | undefined;
    this.options.internalTokens.tokenFor(auth).then(
      (token) => {
        if (disposed) return;
        dispose = client.subscribe(
          { query: request.query, operationName: request.operationName ?? null, variables: request.variables, extensions: { [INTERNAL_TOKEN_HEADER]: token } },
          sink,
        );
      },
      (error: unknown) => sink.error(error),
    );
    return () => {
      disposed = true;
      dispose?.();
    };
  }

  private clientFor(httpUrl: string): Client {
    const url = webSocketUrl(httpUrl);
    let client = this.clients.get(url);
    if (client) return client;
    const keepAliveMs = this.options.keepAliveMs ?? 15_000;
    const maxPayload = this.options.maxPayloadBytes ?? 4 * 1024 * 1024;
    const logger = this.options.logger.child({ component: 'subgraphSubscriptions', url });
    let pongTimer: NodeJS.Timeout | undefined;
    let socket: WebSocket | undefined;
    client = createClient({
      url,
      webSocketImpl: class extends WebSocket {
        constructor(address: string, protocols?: string | string[]) {
          super(address, protocols, { maxPayload });
        }
      },
      lazy: true,
      lazyCloseTimeout: this.options.idleCloseMs ?? 5_000,
      retryAttempts: 0,
      keepAlive: keepAliveMs,
      connectionAckWaitTimeout: 10_000,
      connectionParams: async () => ({ [INTERNAL_TOKEN_HEADER]: await this.options.internalTokens.tokenFor(ANONYMOUS) }),
      on: {
        connected: (connected) => {
          socket = connected as WebSocket;
          logger.debug('subscription socket to the subgraph open');
        },
        // A ping unanswered for a keep-alive interval: the socket is dead; closing it errors its subscriptions, which are made again.
        ping: (received) => {
          if (received) return;
          clearTimeout(pongTimer);
          pongTimer = setTimeout(() => {
            if (socket?.readyState === WebSocket.OPEN) socket.close(4408, 'Pong timeout');
          }, keepAliveMs);
          pongTimer.unref();
        },
        pong: (received) => {
          if (received) clearTimeout(pongTimer);
        },
        closed: (event) => {
          clearTimeout(pongTimer);
          socket = undefined;
          const { code, reason } = (event ?? {}) as { code?: number; reason?: string };
          if (!this.closed) logger.debug({ code, reason }, 'subscription socket to the subgraph closed');
        },
      },
    });
    this.clients.set(url, client);
    return client;
  }

  async close(): Promise<void> {
    this.closed = true;
    const clients = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(clients.map((client) => client.dispose()));
  }
}
