/**
 * GraphQL over WebSocket at the GraphQL path, in the graphql-transport-ws protocol
 * (`graphql-ws` on `ws`): what Apollo Client's GraphQLWsLink, GraphiQL and most clients
 * speak for subscriptions. Queries and mutations are served over it too.
 *
 * - Authentication once per connection: the token (or API key) in `connection_init`'s
 *   payload (`Authorization`/`authorization`, `x-api-key`, or the same under `headers`),
 *   else the upgrade request's headers, checked like an HTTP request's. A bad one closes
 *   the socket with 4403 and `<code>: <message>` as the reason (1013 when the signing
 *   keys cannot be fetched: try again later). A credential that expires ends each
 *   subscription made with it (UNAUTHENTICATED); new ones need a new connection.
 * - Each subscribe message is one request: it goes through the HTTP steps before Apollo
 *   Server (one from the client's request budget, the limits checked before parsing:
 *   tokens, nesting, name length), then through Apollo Server like an HTTP request (safelist or
 *   APQ, parsing and validation, limits and cost, authorization, customer binding); an
 *   operation refused there gets an `error` message with the codes. A subscription then
 *   streams `next` messages until it completes; a query or mutation gets its one result.
 * - Limits: SUBSCRIPTIONS_MAX_PER_CONNECTION and _PER_CLIENT (subscriptions/Subscribers.ts),
 *   messages up to MAX_BODY_BYTES (a larger one closes the socket, 1009), connection_init
 *   within SUBSCRIPTIONS_INIT_TIMEOUT_MS (4408). Heartbeats: a ping every
 *   SUBSCRIPTIONS_HEARTBEAT_MS, and a socket that does not answer within as long again is
 *   dropped. A slow consumer (more than SUBSCRIPTIONS_MAX_BUFFERED_BYTES waiting to be
 *   sent, or more than SUBSCRIPTIONS_MAX_QUEUED results waiting) is dropped.
 * - Browsers: a cross-site page may not open a socket (its Origin must be the gateway's
 *   own or one of CORS_ORIGINS); tokens travel in connection_init, never in cookies.
 * - Shutdown: every socket is closed with 1012 (service restart), on which clients reconnect.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ApolloServer } from '@apollo/server';
import { buildSchema, GraphQLError, parse, type ExecutionResult, type GraphQLFormattedError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { extractTraceContext, tracingEnabled } from '../../../lib/tracing.js';
import type { Authenticator } from '../auth/authenticate.js';
import type { AuthIdentity } from '../auth/identity.js';
import type { GatewayMetrics } from '../metrics.js';
import type { GatewayContext } from '../pipeline/GatewayContext.js';
import { clientIpOf } from '../rateLimit/clientIp.js';
import { runHttpSteps, type GatewayStep } from '../pipeline/GatewayStep.js';
import type { SubscriptionsConfig } from './config.js';
import { SLOW_CONSUMER, subscriptionDeliveryOf, type FormattedResult } from './SubscriptionDelivery.js';
import type { ConnectionCount, Subscribers } from './Subscribers.js';

export interface WebSocketSubscriptionsOptions {
  httpServer: Server;
  /** The GraphQL path (/graphql). */
  path: string;
  apollo: ApolloServer<GatewayContext>;
  authenticator: Authenticator;
  /** The steps an HTTP request goes through before Apollo Server (rate limits, limits before parsing): each subscribe message goes through them too. */
  steps: readonly GatewayStep[];
  subscribers: Subscribers;
  config: SubscriptionsConfig & { maxMessageBytes: number; trustProxyHops: number; corsOrigins: readonly string[] };
  logger: Logger;
  metrics: GatewayMetrics;
}

/** What the socket knows once connected. */
interface Connection {
  auth: AuthIdentity;
  headers: IncomingHttpHeaders;
  clientIp: string;
  count: ConnectionCount;
}

// graphql-ws runs what onSubscribe returns; Apollo Server has already run (or started) the
// operation, so these stand-ins only tell graphql-ws which kind it was: a stream of results
// (the delivery, as contextValue) or one result (as rootValue).
const STAND_IN_SCHEMA = buildSchema('type Query { result: Boolean } type Subscription { results: Boolean }');
const STREAMED = parse('subscription Streamed { results }');
const ANSWERED = parse('query Answered { result }');

/** The credential in connection_init's payload, as headers: `Authorization`, `x-api-key`, or either under `headers`. */
function credentialHeaders(params: Readonly<Record<string, unknown>> | undefined): IncomingHttpHeaders {
  const headers: IncomingHttpHeaders = {};
  const take = (source: unknown): void => {
    if (typeof source !== 'object' || source === null) return;
    for (const [name, value] of Object.entries(source)) {
      const lower = name.toLowerCase();
      if ((lower === 'authorization' || lower === 'x-api-key') && typeof value === 'string') headers[lower] = value;
    }
  };
  take(params?.headers);
  take(params);
  return headers;
}

export function serveWebSockets(options: WebSocketSubscriptionsOptions): { close(): Promise<void> } {
  const { config, logger, metrics, subscribers } = options;
  const log = logger.child({ component: 'websocket' });
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.maxMessageBytes });
  const connections = new WeakMap<WebSocket, Connection>();
  /** Errors as Apollo Server formatted them (masked), by the GraphQLError graphql-ws is handed. */
  const formatted = new WeakMap<GraphQLError, GraphQLFormattedError>();

  const sameSite = (req: IncomingMessage): boolean => {
    const origin = req.headers.origin;
    if (origin === undefined) return true; // not a browser
    if (config.corsOrigins.includes(origin)) return true;
    try {
      return new URL(origin).host === req.headers.host;
    } catch {
      return false;
    }
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== options.path || !sameSite(req)) {
      const status = path !== options.path ? '404 Not Found' : '403 Forbidden';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  };
  options.httpServer.on('upgrade', onUpgrade);

  const refusal = (errors: readonly GraphQLFormattedError[]): GraphQLError[] =>
    errors.map((error) => {
      const wrapped = new GraphQLError(error.message, { extensions: error.extensions ?? {} });
      formatted.set(wrapped, error);
      return wrapped;
    });

  const server = useServer<Record<string, unknown>>(
    {
      connectionInitWaitTimeout: config.initTimeoutMs,
      async onConnect(ctx) {
        const { socket, request } = ctx.extra;
        const headers: IncomingHttpHeaders = { ...request.headers, ...credentialHeaders(ctx.connectionParams) };
        const authenticated = await options.authenticator.authenticate(headers);
        if (!authenticated.ok) {
          metrics.authRefusals.inc({ code: authenticated.code });
          socket.close(authenticated.status === 503 ? 1013 : 4403, `${authenticated.code}: ${authenticated.message}`.slice(0, 123));
          return false;
        }
        connections.set(socket, { auth: authenticated.auth, headers, clientIp: clientIpOf(request, config.trustProxyHops), count: { open: 0 } });
        return true;
      },
      async onSubscribe(ctx, _id, payload) {
        const socket = ctx.extra.socket;
        const connection = connections.get(socket);
        if (!connection) return refusal([{ message: 'The connection is not authenticated.', extensions: { code: 'UNAUTHENTICATED' } }]);
        const { auth, clientIp } = connection;
        if (auth.expiresAt !== undefined && auth.expiresAt <= Date.now()) {
          return refusal([{ message: 'The credential has expired; connect again with a fresh one.', extensions: { code: 'UNAUTHENTICATED' } }]);
        }
        const requestId = randomUUID();
        const request = { method: 'POST', body: payload, search: new URLSearchParams() };
        const refused = await runHttpSteps(options.steps, { req: ctx.extra.request, requestId, auth, clientIp, request, malformed: undefined });
        if (refused) return refusal([{ message: refused.message, extensions: { code: refused.code, ...refused.extensions } }]);
        const context: GatewayContext = { headers: { ...connection.headers, 'x-request-id': requestId }, requestId, clientIp, auth };
        // With tracing on (lib/tracing.ts), the trace context the WebSocket's upgrade request carried: a subscription's span is its child.
        if (tracingEnabled()) context.trace = extractTraceContext(connection.headers);
        context.subscription = subscribers.delivery(context, 'websocket', connection.count, (code) => {
          // Its results are not read: drop the socket rather than buffer them.
          if (code === SLOW_CONSUMER) socket.terminate();
        });
        const response = await options.apollo.executeOperation(
          {
            query: payload.query,
            ...(payload.operationName ? { operationName: payload.operationName } : {}),
            ...(payload.variables ? { variables: payload.variables } : {}),
            ...(payload.extensions ? { extensions: payload.extensions } : {}),
          },
          { contextValue: context },
        );
        const delivery = subscriptionDeliveryOf(context)!;
        if (delivery.started) return { schema: STAND_IN_SCHEMA, document: STREAMED, contextValue: delivery };
        delivery.close();
        if (response.body.kind !== 'single')
          return refusal([{ message: 'This operation cannot be answered over a WebSocket (incremental delivery).', extensions: { code: 'BAD_REQUEST' } }]);
        const result = response.body.singleResult;
        // Refused before execution (no data at all): an `error` message; executed: its result.
        if (!('data' in result) && result.errors && result.errors.length > 0) return refusal(result.errors);
        return { schema: STAND_IN_SCHEMA, document: ANSWERED, rootValue: result };
      },
      subscribe: (args) => args.contextValue as AsyncIterableIterator<ExecutionResult>,
      execute: (args) => args.rootValue as ExecutionResult,
      onNext(ctx, _id, _payload, args, result) {
        if (args.document === STREAMED) {
          metrics.subscriptionEvents.inc();
          if (ctx.extra.socket.bufferedAmount > config.maxBufferedBytes) {
            log.warn({ bufferedBytes: ctx.extra.socket.bufferedAmount }, 'WebSocket subscriber dropped: it reads too slowly');
            ctx.extra.socket.terminate();
          }
        }
        // Results are formatted (errors masked) already: SubscriptionDelivery, Apollo Server.
        return result as FormattedResult;
      },
      onError: (_ctx, _id, _payload, errors) => errors.map((error) => formatted.get(error) ?? error.toJSON()),
    },
    wss,
    config.heartbeatMs,
  );

  return {
    async close() {
      options.httpServer.off('upgrade', onUpgrade);
      for (const client of wss.clients) client.close(1012, 'Service restart: reconnect');
      await server.dispose();
    },
  };
}
