/**
 * The gateway: @apollo/gateway loading the supergraph file, query plans executed by our
 * own executor (execution/; EXECUTOR=apollo runs @apollo/gateway's instead) over the
 * subgraphs it names, served by @apollo/server on node:http. This file only wires the
 * parts together; each lives in its own folder with one entry point.
 *
 * The request path, step by step:
 *  1. every HTTP request: request id (plugins/requestId/, echoed), client-abort watch,
 *     CORS and preflights (observability/);
 *  2. the route table below, first match answers: operator routes (/health, /ready,
 *     /metrics: observability/routes.ts), the playground (browser GETs of /graphql and
 *     /playground/assets/*: playground/), POST /internal/invalidate (cache/), GraphQL over
 *     HTTP (/graphql); anything else is a 404. GraphQL over WebSocket (graphql-ws, at
 *     /graphql) is an `upgrade` listener beside it (subscriptions/websocket.ts) that runs
 *     each operation through Apollo Server from step 6 on. Then, for GraphQL over HTTP:
 *  3. body limit (MAX_BODY_BYTES, 413; invalidation too);
 *  4. authentication (auth/authenticate.ts, 401 or 503), then the GatewayContext
 *     (pipeline/GatewayContext.ts): request id, client address, identity;
 *  5. the steps' `http` stages, in order (pipeline/GatewayStep.ts): rate limits, one
 *     request per operation (rateLimit/, 429; malformed requests count too); the request's
 *     shape (media type, JSON, nesting: lib/http.ts); limits before parsing (limits/:
 *     batch size, tokens, bracket nesting, operation name length); then inbound dedup:
 *     a request identical to an admitted read in flight gets that read's response, its
 *     own client charged its cost (inboundDedup/sharedResponses.ts);
 *  6. Apollo Server: APQ or the safelist (safelist/), parse and validate (documents
 *     cached), subscriptions refused unless the transport streams them (plugins/subscriptions/);
 *  7. admission, the steps' `admit` stages in order: limits on the parsed operation
 *     (depth, aliases, root fields, cost), then the cost charged to the client's budget,
 *     then an admitted read becomes joinable by identical requests;
 *  8. the response cache (cache/), a hit answers here;
 *  9. the executor Apollo Server calls: authorization filtering (auth/), inbound dedup
 *     (inboundDedup/), planning and execution (execution/; fetches through dataSource/:
 *     in-flight dedup, entity and root caches, deadlines);
 * 10. the response: error masking, cache status, logs and metrics (observability/,
 *     plugins/, cache/), serialised by Apollo Server.
 */
import { createServer, type Server } from 'node:http';
import { serveInSpan, type TraceContext } from '../../lib/tracing.js';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { Logger } from 'pino';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { drainable } from '../../lib/drain.js';
import { serverLifecycle } from '../../lib/serverLifecycle.js';
import {
  acceptsMultipartDefer,
  acceptsMultipartSubscription,
  keepConnectionsAlive,
  PayloadTooLargeError,
  readBody,
  readGraphQLRequest,
  runApolloRequest,
  sendGraphQLError,
  sendJson,
  sendRejection,
  type SentResponse,
} from '../../lib/http.js';
import { Authenticator, readApiKeysFile } from './auth/authenticate.js';
import { authorizingGateway } from './auth/authorizingGateway.js';
import { InternalTokenSigner } from './auth/internalToken.js';
import { createGatewayCaches } from './cache/createGatewayCaches.js';
import { shareCacheState } from './cache/requestCacheState.js';
import { INVALIDATE_PATH } from './cache/invalidateRoute.js';
import type { GatewayConfig } from './config.js';
import { createSubgraphServices } from './dataSource/createSubgraphServices.js';
import { graph360Gateway, recordServices } from './execution/graph360Gateway.js';
import { formattedError, IncrementalDelivery, MULTIPART_DEFER_CONTENT_TYPE, multipartBody } from './execution/incremental.js';
import { InboundDedup, inboundDedupGateway } from './inboundDedup/index.js';
import { ResponseSharing, responseSharingStep } from './inboundDedup/sharedResponses.js';
import { limitsStep } from './limits/index.js';
import { createPlayground } from './playground/index.js';
import { GatewayMetrics } from './metrics.js';
import { createObservability } from './observability/index.js';
import { withoutRedactedPaths } from './observability/logger.js';
import { SERVICE } from './observability/routes.js';
import { clientIpOf } from './rateLimit/clientIp.js';
import type { GatewayContext } from './pipeline/GatewayContext.js';
import { pluginsOf, runHttpSteps, type GatewayStep } from './pipeline/GatewayStep.js';
import type { RequestIdContext } from './plugins/requestId/index.js';
import { subscriptionsPlugin } from './plugins/subscriptions/index.js';
import { createRateLimiter, rateLimitStep, type RateLimitContext } from './rateLimit/index.js';
import { PersistedQueryManifest, safelistPlugin } from './safelist/index.js';
import { FileSupergraphManager, type ServedSupergraph, type SupergraphEvents } from './supergraph/SupergraphManager.js';
import { displayUrl, UrlSupergraphManager } from './supergraph/UrlSupergraphManager.js';
import { SubgraphSubscriptions } from './dataSource/SubgraphSubscriptions.js';
import { SubscriptionSources } from './execution/executeSubscription.js';
import { MULTIPART_SUBSCRIPTION_CONTENT_TYPE, multipartSubscriptionBody, watchSubscriber } from './subscriptions/multipart.js';
import { SLOW_CONSUMER } from './subscriptions/SubscriptionDelivery.js';
import { Subscribers } from './subscriptions/Subscribers.js';
import { serveWebSockets } from './subscriptions/websocket.js';
import type { Service } from '../../lib/service.js';

// The supergraph, from its file (validated at start, reloaded on change: supergraph/SupergraphManager.ts) or a URL (polled: supergraph/UrlSupergraphManager.ts).
export { SupergraphError, loadSupergraph } from './supergraph/SupergraphManager.js';
// The safelist's manifest (validated at start when SAFELIST=on, reloaded on change): safelist/.
export { SafelistManifestError } from './safelist/index.js';

export interface Gateway extends Service {
  readonly server: Server;
  listen(port: number, host?: string): Promise<string>;
  /**
   * Starts draining (lib/drain.ts): GET /ready answers 503 and responses close their
   * connections; resolves `delayMs` later, when close() may follow.
   */
  drain(delayMs: number): Promise<void>;
  close(): Promise<void>;
}

export async function createGateway(config: GatewayConfig, logger: Logger): Promise<Gateway> {
  // Observability (logs with request ids, metrics, error masking, CORS, /ready): observability/index.ts.
  // Who is asking (JWT or API key; a bad credential is a 401), and what the gateway tells
  // the subgraphs about it (a signed internal token): auth/.
  // A JWKS that cannot be fetched makes token checks answer 503 AUTHENTICATION_UNAVAILABLE (not 401).
  const authenticator = new Authenticator({ ...config.auth, apiKeys: config.auth.apiKeysFile ? readApiKeysFile(config.auth.apiKeysFile) : [] }, (error) =>
    logger.warn(
      { jwksUrl: config.auth.jwksUrl, reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error) },
      'signing keys (JWKS) unavailable: token checks answer 503',
    ),
  );
  const internalTokens = new InternalTokenSigner(config.subgraphSecret);
  // Safelist mode: only the persisted operations of the clients' manifest run: safelist/.
  const safelist = config.safelist ? new PersistedQueryManifest({ path: config.safelistManifest, logger }) : undefined;
  if (safelist) logger.info({ path: config.safelistManifest, operations: safelist.size }, 'safelist on: only persisted operations run');
  else if (config.mode === 'production') logger.warn('safelist off in production: any operation runs; set SAFELIST=on');
  // Label values are bounded (metrics.ts): operation names by the safelist's manifest when it is on, else the first N seen.
  const metrics = new GatewayMetrics({
    maxOperationNames: config.metricsMaxOperationNames,
    maxOperationNameLength: config.limits.maxOperationNameLength,
    ...(safelist ? { persistedOperationName: (name: string) => safelist.hasOperationName(name) } : {}),
  });
  // The supergraph, from its file (watched) or a URL (polled), validated before anything
  // starts; its revision and failures in /health and /metrics: supergraph/.
  const supergraphEvents: SupergraphEvents = {
    served: (source, revision) => metrics.supergraphServed(source, revision),
    failed: (source, reason) => metrics.supergraphLoadFailures.inc({ source, reason }),
  };
  const supergraph: ServedSupergraph = config.supergraphUrl
    ? await UrlSupergraphManager.load({ ...config.supergraphUrl, logger, events: supergraphEvents })
    : new FileSupergraphManager({ path: config.supergraphPath, logger, events: supergraphEvents });
  if (config.supergraphUrl)
    logger.info(
      { url: displayUrl(config.supergraphUrl.url), pollIntervalMs: config.supergraphUrl.pollIntervalMs, revision: supergraph.status().revision },
      'supergraph fetched; polling the URL',
    );
  const observability = createObservability({ config, logger, metrics, supergraph });
  // Every cache layer (APQ, documents, plans, entities, root reads, responses): cache/createGatewayCaches.ts.
  const caches = createGatewayCaches(config, logger, metrics);
  // Subgraph fetches (undici keep-alive, timeout, dedup, entity cache, header propagation): dataSource/.
  const subgraphs = createSubgraphServices(config, caches, metrics, logger, internalTokens);
  // Each fetch carries its operation document from the plan, from which the data sources
  // know a read from a write and an entity fetch from a root one (dataSource/fetchKind.ts).
  const plannerConfig = { exposeDocumentNodeInFetchNode: true };
  // ApolloGateway builds the data sources; our executor finds the same instances by name.
  const services = recordServices(subgraphs.buildService);
  const gateway = new ApolloGateway({
    supergraphSdl: supergraph,
    logger,
    buildService: services.buildService,
    // With our executor ApolloGateway never plans, and its plan cache stays unused.
    queryPlannerConfig: config.executor === 'apollo' ? { ...plannerConfig, cache: caches.queryPlanStore } : {},
  });
  // Subscriptions (our executor only): to the subgraphs over graphql-ws, shared by identical subscribers (execution/executeSubscription.ts).
  const upstreamSubscriptions = new SubgraphSubscriptions({ internalTokens, logger, keepAliveMs: config.subscriptions.heartbeatMs });
  const subscriptionSources = new SubscriptionSources({
    upstream: upstreamSubscriptions,
    logger,
    counted: (change) => metrics.subscriptionSources.inc(change),
  });
  const executing =
    config.executor === 'apollo'
      ? gateway
      : graph360Gateway(gateway, { services: services.services, plans: caches.preparedOperations, logger, plannerConfig, subscriptions: subscriptionSources });
  logger.info({ executor: config.executor }, 'query plans executed by %s', config.executor === 'apollo' ? '@apollo/gateway' : 'the graph360 executor');
  // Identical reads of one caller in flight together run once (INBOUND_DEDUP): inboundDedup/.
  const deduplicated = config.inboundDedup
    ? inboundDedupGateway(executing, new InboundDedup({ counted: (outcome) => metrics.inboundDedup.inc({ outcome }), shareRequestState: shareCacheState }))
    : executing;

  const httpServer = createServer();
  keepConnectionsAlive(httpServer);
  const drain = drainable(httpServer);
  const lifecycle = serverLifecycle(httpServer);
  // Limits (depth, aliases, root fields, tokens, cost) before planning: limits/. Per-client
  // budgets of requests and cost, in memory or shared through Redis (per replica in memory
  // while Redis is down): rateLimit/.
  const rateLimiter = createRateLimiter<RequestIdContext & RateLimitContext>({
    config: config.rateLimit,
    redis: caches.stores.redis,
    keyPrefix: config.cacheKeyPrefix,
    timeoutMs: config.cacheTimeoutMs,
    logger,
    metrics,
  });
  // A batch takes one request per operation, so no batch may be larger than the request burst: it could never run.
  const maxBatchSize = Math.min(config.limits.maxBatchSize, rateLimiter.largestRequest);
  // The steps of a GraphQL request in pipeline order (see the top of this file): each `http`
  // stage runs before Apollo Server, each `admit` stage once the operation is resolved.
  const rateLimits = rateLimitStep(rateLimiter, { maxBatchSize });
  const limits = limitsStep({ limits: { ...config.limits, maxBatchSize }, logger, loggerFor: observability.loggerFor });
  const steps: GatewayStep[] = [
    rateLimits,
    // A malformed request (media type, JSON, nesting) is refused after it took its request budget.
    { name: 'GraphQL request', http: ({ malformed }) => malformed },
    limits,
  ];
  // Identical admitted reads in flight answer each other's identical HTTP requests (INBOUND_DEDUP): inboundDedup/sharedResponses.ts.
  const sharing = config.inboundDedup
    ? new ResponseSharing({
        perRequestCacheStatus: config.exposeCacheStatus,
        chargeCost: (context, cost) => rateLimiter.tryChargeCost(context, cost),
        metrics,
        operationLog: withoutRedactedPaths(logger),
      })
    : undefined;
  const sharingStep = sharing ? [responseSharingStep(sharing)] : [];
  // Admission: the limits accept the operation and estimate its cost, then the cost is
  // charged; then an admitted query may be joined by identical requests.
  const admission: GatewayStep[] = [limits, rateLimits, ...sharingStep];
  const apollo = new ApolloServer({
    // Fields the caller may not see are removed before planning and come back as null
    // with an error (@authenticated, @requiresScopes, customer binding): auth/.
    gateway: authorizingGateway(deduplicated, () => supergraph.policy, { refused: (code, count) => metrics.authRefusals.inc({ code }, count) }),
    // Explicit rather than Apollo's NODE_ENV default: off in production.
    introspection: config.mode !== 'production',
    // A backstop: the token limit is checked on the request body before parsing (limits/).
    parseOptions: { maxTokens: config.limits.maxTokens },
    logger,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: true,
    formatError: observability.formatError,
    // With the safelist on, APQ is off: no client may register a document (safelist/).
    persistedQueries: safelist ? false : caches.persistedQueries,
    documentStore: caches.documentStore,
    // The entry point handles SIGTERM (drain, then close()); Apollo's own handler would
    // close the listener at once and then kill the process.
    stopOnTerminationSignals: false,
    // Subscriptions only through a transport that streams them (plugins/subscriptions/); listed before limits, so that such a subscription over a limit still gets that answer.
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      subscriptionsPlugin({ served: config.executor !== 'apollo' }),
      ...pluginsOf([...steps, ...sharingStep], admission),
      ...observability.plugins,
      ...caches.plugins,
      ...(safelist ? [safelistPlugin<RequestIdContext>({ manifest: safelist, loggerFor: observability.loggerFor })] : []),
    ],
  });
  await apollo.start();
  // Every subscriber, whatever its transport: limits, metrics, shutdown (subscriptions/).
  const subscribers = new Subscribers({
    config: config.subscriptions,
    formatError: (error, context) => observability.formatError(formattedError(error), error, observability.loggerFor(context)),
    metrics,
    logger,
  });
  // graphql-ws on the GraphQL path, beside the HTTP routes (subscriptions/websocket.ts).
  const webSockets = serveWebSockets({
    httpServer,
    path: '/graphql',
    apollo,
    authenticator,
    steps,
    subscribers,
    config: { ...config.subscriptions, maxMessageBytes: config.maxBodyBytes, trustProxyHops: config.trustProxyHops, corsOrigins: config.corsOrigins },
    logger,
    metrics,
  });
  // Playground: GraphiQL for browsers at GET /graphql, served from this process (Apollo's
  // own landing page, disabled above, loads from a CDN). Off in production, where
  // introspection is off too.
  // With a development token (AUTH_DEV_TOKEN, from `npm start`), its headers editor starts with it.
  const playground =
    config.mode === 'production'
      ? undefined
      : createPlayground(config.auth.devToken ? { defaultHeaders: { Authorization: `Bearer ${config.auth.devToken}` } } : {});

  // The body of a POST route, within MAX_BODY_BYTES; undefined once a 413 has been sent.
  const readLimitedBody = async (req: IncomingMessage, res: ServerResponse): Promise<Buffer | undefined> => {
    try {
      return await readBody(req, config.maxBodyBytes);
    } catch (error) {
      if (!(error instanceof PayloadTooLargeError)) throw error;
      sendGraphQLError(res, 413, 'PAYLOAD_TOO_LARGE', error.message);
      return undefined;
    }
  };

  const graphqlOverHttp = async (req: IncomingMessage, res: ServerResponse, requestId: string, trace: TraceContext | undefined): Promise<void> => {
    const body = await readLimitedBody(req, res);
    if (!body) return;
    const authenticated = await authenticator.authenticate(req.headers);
    if (!authenticated.ok) {
      metrics.authRefusals.inc({ code: authenticated.code });
      return sendGraphQLError(res, authenticated.status, authenticated.code, authenticated.message, {}, authenticated.headers);
    }
    const context: GatewayContext = {
      // The sanitised request id (observability.begin), so whatever forwards headers forwards that.
      headers: { ...req.headers, 'x-request-id': requestId },
      requestId,
      clientIp: clientIpOf(req, config.trustProxyHops),
      auth: authenticated.auth,
      trace,
    };
    const read = readGraphQLRequest(req, body, { maxJsonDepth: config.limits.maxJsonDepth });
    const refused = await runHttpSteps(steps, {
      req,
      requestId,
      auth: context.auth,
      clientIp: context.clientIp,
      request: 'request' in read ? read.request : undefined,
      malformed: 'rejection' in read ? read.rejection : undefined,
    });
    if (refused) return sendRejection(res, refused);
    if (!('request' in read)) return;
    if (sharing) {
      context.shareKey = sharing.keyOf(req, read.request, body, context.auth);
      if (context.shareKey !== undefined && (await sharing.follow(context.shareKey, context, res))) return;
    }
    const single = !Array.isArray(read.request.body);
    // @defer answered in parts to a client that takes them (one operation, not a batch): execution/incremental.ts.
    const delivery = single && acceptsMultipartDefer(req.headers.accept) ? (context.incremental = new IncrementalDelivery()) : undefined;
    // A subscription streamed to a client that takes Apollo's multipart subscriptions: subscriptions/multipart.ts.
    const subscription =
      single && acceptsMultipartSubscription(req.headers.accept)
        ? (context.subscription = subscribers.delivery(context, 'multipart', undefined, (code) => code === SLOW_CONSUMER && res.destroy()))
        : undefined;
    let sent: SentResponse | undefined;
    try {
      sent = await runApolloRequest(apollo, req, read.request, res, async () => context, {
        // A subscription refused before it starts is answered in JSON, whatever else the client takes.
        ...(subscription ? { accept: `${req.headers.accept}, application/json;q=0.1` } : {}),
        streamed: (body) => {
          if (subscription?.started) {
            watchSubscriber(res, subscription);
            return {
              contentType: MULTIPART_SUBSCRIPTION_CONTENT_TYPE,
              chunks: multipartSubscriptionBody(subscription, { heartbeatMs: config.subscriptions.heartbeatMs, metrics }),
            };
          }
          return delivery?.rest
            ? {
                contentType: MULTIPART_DEFER_CONTENT_TYPE,
                chunks: multipartBody(body, delivery.rest, (error) =>
                  observability.formatError(formattedError(error), error, observability.loggerFor(context)),
                ),
              }
            : undefined;
        },
      });
    } finally {
      // Its followers get what this request sent, or run on their own.
      sharing?.settle(context, sent);
      // A subscription that never started (refused, or not a subscription) holds nothing.
      if (subscription && !subscription.started) subscription.close();
    }
  };

  // The route table: the first route that takes a request answers it.
  type Route = {
    name: string;
    handle(req: IncomingMessage, res: ServerResponse, path: string, requestId: string, trace: TraceContext | undefined): boolean | Promise<boolean>;
  };
  const routes: Route[] = [
    {
      // A draining gateway is not ready, so the balancer's health check takes it out of rotation.
      name: 'readiness while draining (GET /ready)',
      handle: (req, res, path) => {
        if (!drain.draining || path !== '/ready' || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
        sendJson(res, 503, { status: 'draining', service: SERVICE });
        return true;
      },
    },
    { name: 'operator routes (GET /health, /ready, /metrics)', handle: (req, res, path) => observability.routes(req, res, path) },
    // Before GraphQL: browser GETs of /graphql and /playground/assets/*.
    ...(playground ? [{ name: 'playground', handle: (req: IncomingMessage, res: ServerResponse) => playground(req, res) }] : []),
    {
      name: 'cache invalidation (POST /internal/invalidate)',
      handle: async (req, res, path) => {
        if (path !== INVALIDATE_PATH) return false;
        const body = await readLimitedBody(req, res);
        if (body) await caches.invalidate(req, body, res); // backend events evict cached entities
        return true;
      },
    },
    {
      name: 'GraphQL over HTTP (/graphql)',
      handle: async (req, res, path, requestId, trace) => {
        if (path !== '/graphql') return false;
        await graphqlOverHttp(req, res, requestId, trace);
        return true;
      },
    },
  ];

  httpServer.on('request', (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    let requestId: string | undefined;
    const run = async (trace: TraceContext | undefined): Promise<void> => {
      const id = observability.begin(req, res); // request id, client-abort watch, CORS and preflights
      if (id === null) return;
      requestId = id;
      for (const route of routes) if (await route.handle(req, res, path, id, trace)) return;
      sendJson(res, 404, { error: `no route ${req.method} ${path}` });
    };
    // With the request's trace context (its server span, child of the client's traceparent) when tracing is on (lib/tracing.ts).
    serveInSpan(req, res, path, run).catch((error: unknown) => observability.fail(res, error, requestId));
  });

  return {
    server: httpServer,
    listen: async (port, host) => `${await lifecycle.listen(port, host)}/graphql`,
    drain: (delayMs) => drain.begin(delayMs),
    async close() {
      // Subscribers first: WebSocket clients are told to reconnect (1012), multipart ones get SHUTTING_DOWN and their body ends.
      await webSockets.close();
      subscribers.shutDown();
      await upstreamSubscriptions.close();
      await apollo.stop();
      lifecycle.destroyConnections();
      await Promise.all([subgraphs.close(), caches.close(), safelist?.close()]);
    },
  };
}
