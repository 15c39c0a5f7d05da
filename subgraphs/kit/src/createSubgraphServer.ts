/**
 * Every subgraph's HTTP service: @apollo/server over a Federation 2 schema, served on
 * node:http through Apollo's own integration API (executeHTTPGraphQLRequest), with
 * /graphql, /health, /ready (503 while draining) and any extra routes the subgraph adds (payments' webhooks), and,
 * for a subgraph that has subscriptions, GraphQL over WebSocket on /graphql too
 * (subscriptionServer.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ApolloServer, type BaseContext } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import type { DocumentNode } from 'graphql';
import type { Logger } from 'pino';
import { deadlineFromHeader, DEADLINE_HEADER } from '../../../lib/deadlineHeader.js';
import { drainable } from '../../../lib/drain.js';
import { serverLifecycle } from '../../../lib/serverLifecycle.js';
import { executeApolloRequest, keepConnectionsAlive, PayloadTooLargeError, readBody, sendGraphQLError, sendJson } from '../../../lib/http.js';
import { serveInSpan, type TraceContext } from '../../../lib/tracing.js';
import { authorizeResolvers, GATEWAY_TOKEN_HEADER, gatewayKeys, verifyGatewayToken, type SubgraphAuth } from './auth.js';
import { formatSubgraphError } from './errors.js';
import { changedEntitiesPlugin } from './invalidation.js';
import { runInRequest } from './requestDeadline.js';
import { serveSubscriptions } from './subscriptionServer.js';

export interface ExtraRoute {
  method: 'GET' | 'POST';
  path: string;
  /** `trace`: the request's trace context, when tracing is on (lib/tracing.ts). */
  handle: (req: IncomingMessage, body: Buffer, res: ServerResponse, trace?: TraceContext) => Promise<void>;
}

export interface SubgraphServerOptions<TContext extends BaseContext> {
  /** Service name: it is every error's extensions.serviceName. */
  name: string;
  typeDefs: DocumentNode;
  resolvers: GraphQLResolverMap<TContext>;
  /**
   * Builds the per-request context (loaders are created here, per request); `auth` is the
   * caller the gateway vouches for, and must end up as the context's `auth` (the kit's
   * authorization wrappers and requireCustomer read it there).
   */
  context: (req: IncomingMessage, auth: SubgraphAuth) => Promise<TContext>;
  /**
   * GATEWAY_SUBGRAPH_SECRET: /graphql answers only requests with the gateway's token
   * signed with it (x-graph360-gateway); anything else gets 401 UNAUTHENTICATED.
   */
  gatewaySecret: string;
  /** GATEWAY_SUBGRAPH_SECRET_PREVIOUS: during a rotation, tokens signed with this one are accepted too. */
  gatewaySecretPrevious?: string;
  logger: Logger;
  /** Largest request body read (and WebSocket message, with subscriptions), in bytes. Default 1 MiB. */
  maxBodyBytes?: number;
  /**
   * Serve the schema's subscriptions over WebSocket (graphql-transport-ws) on /graphql,
   * to the gateway only (subscriptionServer.ts). Default false.
   */
  subscriptions?: boolean;
  /** Readiness details for GET /health (e.g. the backend breaker's state). */
  health?: () => Record<string, unknown>;
  routes?: ExtraRoute[];
}

export interface SubgraphServer {
  readonly server: Server;
  readonly apollo: ApolloServer<TContextOf>;
  listen(port: number, host?: string): Promise<string>;
  /**
   * Starts draining (lib/drain.ts): GET /ready answers 503 and responses close their
   * connections; resolves `delayMs` later, when close() may follow.
   */
  drain(delayMs: number): Promise<void>;
  close(): Promise<void>;
}

type TContextOf = BaseContext;

/** Where GraphQL is served, over HTTP and (with subscriptions) WebSocket. */
const GRAPHQL_PATH = '/graphql';

export async function createSubgraphServer<TContext extends BaseContext>(options: SubgraphServerOptions<TContext>): Promise<SubgraphServer> {
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const httpServer = createServer();
  keepConnectionsAlive(httpServer);
  const drain = drainable(httpServer);
  const lifecycle = serverLifecycle(httpServer);

  // @authenticated and @requiresScopes of the typeDefs, checked again here (kit/auth.ts).
  const schema = buildSubgraphSchema([{ typeDefs: options.typeDefs, resolvers: authorizeResolvers(options.typeDefs, options.resolvers) }]);
  const formatError = formatSubgraphError({
    serviceName: options.name,
    onMasked: (error, id) => options.logger.error({ err: error, errorId: id }, 'unexpected error masked'),
  });
  const apollo = new ApolloServer<TContext>({
    schema,
    formatError,
    includeStacktraceInErrorResponses: false,
    // changedEntitiesPlugin: what mutations markChanged reaches the gateway, which evicts it from its caches.
    // No inline (ftv1) traces: they are for Apollo's usage reporting, which the gateway does
    // not do (it never sends `apollo-federation-include-trace`), and Apollo Server would
    // otherwise log "Enabling inline tracing for this subgraph" at every start.
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), changedEntitiesPlugin(), ApolloServerPluginInlineTraceDisabled()],
    logger: options.logger,
    // The entry point handles SIGTERM (drain, then close()); Apollo's own handler would
    // close the listener at once and then kill the process.
    stopOnTerminationSignals: false,
  });
  await apollo.start();

  const secret = gatewayKeys(options.gatewaySecret, options.gatewaySecretPrevious);
  const handleGraphQL = async (req: IncomingMessage, body: Buffer, res: ServerResponse, trace?: TraceContext): Promise<void> => {
    // The time the gateway gave this request, counted from now (the body, read already, took
    // moments): every backend call of the request fits inside it (BackendPolicy).
    const deadline = deadlineFromHeader(req.headers[DEADLINE_HEADER]);
    const auth = await verifyGatewayToken(secret, req.headers[GATEWAY_TOKEN_HEADER]);
    if (!auth) {
      sendGraphQLError(res, 401, 'UNAUTHENTICATED', 'This subgraph answers only the gateway: the x-graph360-gateway token is missing or not valid.');
      return;
    }
    // The request's trace context rides with the deadline (requestDeadline.ts): its DataLoader batches and backend calls find it there.
    await runInRequest(deadline, trace, () => executeApolloRequest(apollo, req, body, res, () => options.context(req, auth)));
  };

  const routes = new Map<string, ExtraRoute['handle']>();
  for (const route of options.routes ?? []) routes.set(`${route.method} ${route.path}`, route.handle);
  routes.set(`POST ${GRAPHQL_PATH}`, handleGraphQL);
  routes.set(`GET ${GRAPHQL_PATH}`, handleGraphQL);
  const subscriptions = options.subscriptions
    ? serveSubscriptions({
        httpServer,
        path: GRAPHQL_PATH,
        schema,
        secret,
        context: options.context,
        formatError,
        maxPayloadBytes: maxBodyBytes,
        logger: options.logger,
      })
    : undefined;

  httpServer.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    const handler = routes.get(`${req.method} ${path}`);
    const run = async (trace: TraceContext | undefined): Promise<void> => {
      if (req.method === 'GET' && path === '/health') {
        sendJson(res, 200, {
          status: 'ok',
          service: options.name,
          ...options.health?.(),
          ...(subscriptions ? { subscriptions: { active: subscriptions.active } } : {}),
        });
        return;
      }
      // Ready while not draining: a balancer's health check takes a draining replica out of rotation.
      if (req.method === 'GET' && path === '/ready') {
        sendJson(res, drain.draining ? 503 : 200, { status: drain.draining ? 'draining' : 'ready', service: options.name });
        return;
      }
      if (!handler) {
        sendJson(res, 404, { error: `no route ${req.method} ${path}` });
        return;
      }
      let body: Buffer;
      try {
        body = await readBody(req, maxBodyBytes);
      } catch (error) {
        if (error instanceof PayloadTooLargeError) {
          res.setHeader('connection', 'close');
          sendGraphQLError(res, 413, 'PAYLOAD_TOO_LARGE', error.message);
        } else res.destroy();
        return;
      }
      await handler(req, body, res, trace);
    };
    // With the request's trace context (its server span, child of the gateway's traceparent) when tracing is on (lib/tracing.ts).
    serveInSpan(req, res, path ?? '/', run).catch((error: unknown) => {
      options.logger.error({ err: error }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      else res.destroy();
    });
  });

  return {
    server: httpServer,
    apollo: apollo as unknown as ApolloServer<TContextOf>,
    listen: async (port, host) => `${await lifecycle.listen(port, host)}${GRAPHQL_PATH}`,
    drain: (delayMs) => drain.begin(delayMs),
    async close() {
      // WebSocket clients first (1001, going away): the HTTP server's close waits for every socket.
      await subscriptions?.close();
      await apollo.stop();
      lifecycle.destroyConnections();
    },
  };
}
