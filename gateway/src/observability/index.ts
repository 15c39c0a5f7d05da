/**
 * What running the gateway in production needs, assembled in one place so that
 * createGateway wires it with a few lines: the Apollo Server plugins (request id and
 * request logger, one log line and metrics per operation, error masking), formatError,
 * and the HTTP steps that come before GraphQL (request id header, CORS and preflights,
 * /health, /ready, /metrics), with clients that hang up early told apart from failures
 * (clientAborts.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import { sendGraphQLError } from '../../../lib/http.js';
import type { GatewayConfig } from '../config.js';
import type { GatewayMetrics } from '../metrics.js';
import { cors } from '../plugins/cors/index.js';
import { errorMasking, MASKED_MESSAGE } from '../plugins/errorMasking/index.js';
import { operationLogPlugin } from '../plugins/operationLog/index.js';
import { operationMetricsPlugin } from '../plugins/operationMetrics/index.js';
import { requestIdPlugin, type RequestIdContext } from '../plugins/requestId/index.js';
import { tracingPlugin } from '../plugins/tracing/index.js';
import type { ServedSupergraph } from '../supergraph/SupergraphManager.js';
import { clientAborts, isClientAbort } from './clientAborts.js';
import { operationalRoutes } from './routes.js';
import { withoutRedactedPaths } from './logger.js';

export interface ObservabilityOptions {
  config: Pick<GatewayConfig, 'corsOrigins' | 'subgraphUrls' | 'metricsToken' | 'mode'>;
  logger: Logger;
  metrics: GatewayMetrics;
  supergraph: Pick<ServedSupergraph, 'isLoaded' | 'subgraphs' | 'status'>;
}

export interface Observability {
  /** Apollo Server plugins; order does not matter between them. */
  plugins: Array<ApolloServerPlugin<RequestIdContext>>;
  /** The error masking's formatError (plugins/errorMasking/): `log` for errors formatted outside Apollo Server's request. */
  formatError(formatted: GraphQLFormattedError, error: unknown, log?: Logger): GraphQLFormattedError;
  /** The request's child logger (carries its requestId). */
  loggerFor(context: RequestIdContext): Logger;
  /**
   * The first HTTP steps of every request: request id (echoed), the client-abort watch,
   * CORS and preflights. Returns the request id, or null when the request has been answered.
   */
  begin(req: IncomingMessage, res: ServerResponse): string | null;
  /** The operator routes (GET /health, /ready, /metrics): true when it answered the request. */
  routes(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean>;
  /**
   * Answers an HTTP request whose handling threw: logged with an errorId, masked for the
   * client; unless the client went away, which is logged once at info (clientAborts.ts).
   */
  fail(res: ServerResponse, error: unknown, requestId: string | undefined): void;
}

export function createObservability({ config, logger, metrics, supergraph }: ObservabilityOptions): Observability {
  const requestIds = requestIdPlugin({ logger });
  const masking = errorMasking({ logger, loggerFor: requestIds.loggerFor });
  const corsHeaders = cors({ origins: config.corsOrigins });
  const aborts = clientAborts(metrics);
  const routes = operationalRoutes({
    metrics,
    supergraph,
    subgraphUrls: config.subgraphUrls,
    metricsAccess: config.metricsToken ? { token: config.metricsToken } : config.mode === 'production' ? 'off' : 'open',
  });

  return {
    plugins: [
      requestIds,
      operationLogPlugin({ logger: withoutRedactedPaths(logger) }),
      operationMetricsPlugin({ metrics }) as ApolloServerPlugin<RequestIdContext>,
      masking.plugin,
      // Spans of parsing and validation when tracing is on (lib/tracing.ts).
      tracingPlugin<RequestIdContext>(),
    ],
    formatError: masking.formatError,
    loggerFor: requestIds.loggerFor,
    begin(req, res) {
      const requestId = requestIds.fromHttp(req, res);
      aborts.watch(req, res, () => logger.child({ requestId }));
      if (corsHeaders.handle(req, res)) return null;
      return requestId;
    },
    routes,
    fail(res, error, requestId) {
      if (isClientAbort(error, res.req)) {
        res.destroy(); // nobody to answer; the watch logs and counts it when the response closes
        return;
      }
      const errorId = masking.report(requestId ? logger.child({ requestId }) : logger, error);
      if (res.headersSent) {
        aborts.serverClosed(res);
        res.destroy();
      } else sendGraphQLError(res, 500, 'INTERNAL_SERVER_ERROR', `${MASKED_MESSAGE} (errorId ${errorId})`, { errorId });
    },
  };
}
