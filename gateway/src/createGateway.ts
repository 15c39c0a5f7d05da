/**
 * The gateway: @apollo/gateway executing query plans over the subgraphs named in the
 * supergraph file, served by @apollo/server on node:http. This file only wires the
 * parts together; each lives in its own folder: supergraph/ (the file, reloaded on
 * change), observability/ and plugins/ (request ids, logs, metrics, error masking, CORS,
 * /health, /ready, /metrics), cache/ (every cache layer and POST /internal/invalidate),
 * dataSource/ (how subgraphs are fetched) and playground/ (GraphiQL, served locally).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { Logger } from 'pino';
import { executeApolloRequest, PayloadTooLargeError, readBody, sendGraphQLError, sendJson } from '../../lib/http.js';
import { createGatewayCaches } from './cache/createGatewayCaches.js';
import { INVALIDATE_PATH } from './cache/invalidateRoute.js';
import type { GatewayConfig } from './config.js';
import { createSubgraphServices } from './dataSource/createSubgraphServices.js';
import { createPlayground } from './playground/index.js';
import { GatewayMetrics } from './metrics.js';
import { createObservability } from './observability/index.js';
import { FileSupergraphManager } from './supergraph/SupergraphManager.js';

// The supergraph file (validated at start, reloaded on change): supergraph/SupergraphManager.ts.
export { SupergraphError, loadSupergraph } from './supergraph/SupergraphManager.js';

export interface Gateway {
  readonly server: Server;
  listen(port: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

export async function createGateway(config: GatewayConfig, logger: Logger): Promise<Gateway> {
  // Observability (logs with request ids, metrics, error masking, CORS, /ready): observability/index.ts.
  const supergraph = new FileSupergraphManager({ path: config.supergraphPath, logger });
  const metrics = new GatewayMetrics();
  const observability = createObservability({ config, logger, metrics, supergraph });
  // Every cache layer (APQ, documents, plans, entities, root reads, responses): cache/createGatewayCaches.ts.
  const caches = createGatewayCaches(config, logger, metrics);
  // Subgraph fetches (undici keep-alive, timeout, dedup, entity cache, header propagation): dataSource/.
  const subgraphs = createSubgraphServices(config, caches, metrics, logger);
  const gateway = new ApolloGateway({
    supergraphSdl: supergraph,
    logger,
    buildService: subgraphs.buildService,
    queryPlannerConfig: { cache: caches.queryPlanStore },
  });

  const httpServer = createServer();
  const sockets = new Set<Socket>();
  httpServer.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const apollo = new ApolloServer({
    gateway,
    logger,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: true,
    formatError: observability.formatError,
    persistedQueries: caches.persistedQueries,
    documentStore: caches.documentStore,
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), ApolloServerPluginLandingPageDisabled(), ...observability.plugins, ...caches.plugins],
  });
  await apollo.start();
  // Playground: GraphiQL for browsers at GET /graphql, served from this process (Apollo's
  // own landing page, disabled above, loads from a CDN). Off in production, where
  // introspection is off too.
  const playground = config.mode === 'production' ? undefined : createPlayground();

  httpServer.on('request', (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    let requestId: string | undefined;
    const run = async (): Promise<void> => {
      const id = await observability.begin(req, res, path ?? '/'); // request id, CORS and preflights, /health, /ready, /metrics
      if (id === null) return;
      requestId = id;
      if (playground?.(req, res)) return; // before GraphQL: browser GETs of /graphql and /playground/assets/*
      if (path !== '/graphql' && path !== INVALIDATE_PATH) return sendJson(res, 404, { error: `no route ${req.method} ${path}` });
      let body: Buffer;
      try {
        body = await readBody(req, config.maxBodyBytes);
      } catch (error) {
        if (error instanceof PayloadTooLargeError) return sendGraphQLError(res, 413, 'PAYLOAD_TOO_LARGE', error.message);
        throw error;
      }
      if (path === INVALIDATE_PATH) return caches.invalidate(req, body, res); // backend events evict cached entities
      // The context's x-request-id is the sanitised one (observability.begin), so whatever forwards headers forwards that.
      await executeApolloRequest(apollo, req, body, res, async () => ({ headers: { ...req.headers, 'x-request-id': requestId }, requestId }));
    };
    run().catch((error: unknown) => observability.fail(res, error, requestId));
  });

  return {
    server: httpServer,
    listen(port, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          httpServer.off('error', reject);
          resolve(`http://${host}:${(httpServer.address() as AddressInfo).port}/graphql`);
        });
      });
    },
    async close() {
      await apollo.stop();
      for (const socket of sockets) socket.destroy();
      await Promise.all([subgraphs.close(), caches.close()]);
    },
  };
}
