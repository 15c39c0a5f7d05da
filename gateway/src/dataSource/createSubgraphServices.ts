/**
 * The gateway's buildService: one SubgraphDataSource per subgraph of the supergraph, at
 * the URL the config overrides it with (<NAME>_SUBGRAPH_URL) or the supergraph's own, all
 * sharing one keep-alive undici Agent and one table of fetches in flight.
 */
import type { ServiceEndpointDefinition } from '@apollo/gateway';
import { Agent } from 'undici';
import type { Logger } from 'pino';
import type { InternalTokenSigner } from '../auth/internalToken.js';
import type { GatewayCaches } from '../cache/createGatewayCaches.js';
import type { GatewayConfig } from '../config.js';
import type { GatewayMetrics } from '../metrics.js';
import { InflightFetches } from './InflightFetches.js';
import { SubgraphDataSource } from './SubgraphDataSource.js';
import { createUndiciFetcher } from './undiciFetcher.js';

export interface SubgraphServices {
  buildService(definition: ServiceEndpointDefinition): SubgraphDataSource;
  close(): Promise<void>;
}

export function createSubgraphServices(
  config: Pick<GatewayConfig, 'subgraphUrls' | 'subgraphTimeoutMs'>,
  caches: Pick<GatewayCaches, 'versions' | 'entityCache'>,
  metrics: GatewayMetrics,
  logger: Logger,
  internalTokens: InternalTokenSigner,
): SubgraphServices {
  // Idle connections are kept 30 s (or less if the subgraph says so in Keep-Alive).
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: 128 });
  const inflight = new InflightFetches();
  return {
    buildService({ name, url }) {
      return new SubgraphDataSource({
        name,
        url: config.subgraphUrls[name] ?? url ?? '',
        fetcher: createUndiciFetcher({ serviceName: name, dispatcher: agent, timeoutMs: config.subgraphTimeoutMs, metrics }),
        inflight,
        versions: caches.versions,
        cache: caches.entityCache,
        metrics,
        logger,
        internalTokens,
      });
    },
    close: () => agent.close(),
  };
}
