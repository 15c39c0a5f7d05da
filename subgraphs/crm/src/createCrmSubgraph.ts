/**
 * Builds the crm subgraph from a config object: the backend policy, the HubSpot
 * connector, the per-request context and the server. This is what tests call; index.ts
 * only reads the environment, listens and handles signals.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { BackendPolicy, createLogger, createSubgraphServer, type Logger, type SubgraphServer } from '../../kit/src/index.js';
import type { CrmSubgraphConfig } from './config.js';
import { HubSpotCrmConnector } from './connector/HubSpotCrmConnector.js';
import { createContextFactory, type CrmContext } from './context.js';
import { resolvers } from './resolvers/index.js';
import type { Service } from '../../../lib/service.js';

const typeDefs = parse(readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8'));

export interface CrmSubgraph extends Service {
  readonly server: SubgraphServer;
  readonly connector: HubSpotCrmConnector;
  readonly policy: BackendPolicy;
  /** Starts listening; resolves with the /graphql URL (port 0 gives the real port). */
  listen(port?: number, host?: string): Promise<string>;
  /** Starts draining before close() (kit's SubgraphServer.drain): /ready answers 503 from now on. */
  drain(delayMs: number): Promise<void>;
  /** Stops the server and closes the connector's connections. */
  close(): Promise<void>;
}

export async function createCrmSubgraph(config: CrmSubgraphConfig, options: { logger?: Logger } = {}): Promise<CrmSubgraph> {
  const logger = options.logger ?? createLogger('crm-subgraph', config.logLevel);
  const policy = new BackendPolicy({ backend: 'crm', ...config.policy });
  policy.onBreakerStateChange((state) => logger.warn({ backend: 'crm', state }, 'CRM circuit breaker changed state'));
  const connector = new HubSpotCrmConnector({
    apiUrl: config.hubspot.apiUrl,
    token: config.hubspot.token,
    currencyProperty: config.hubspot.currencyProperty,
    defaultCurrency: config.hubspot.defaultCurrency,
    policy,
    logger,
  });
  const server = await createSubgraphServer<CrmContext>({
    name: 'crm',
    typeDefs,
    // The generated Resolvers type is stricter than buildSubgraphSchema's map (typed
    // parents, __resolveReference); the shapes are the same at run time.
    resolvers: resolvers as unknown as GraphQLResolverMap<CrmContext>,
    context: createContextFactory(connector, logger),
    gatewaySecret: config.gatewaySecret,
    gatewaySecretPrevious: config.gatewaySecretPrevious,
    logger,
    health: () => ({ backend: { crm: policy.breakerState } }),
  });
  return {
    server,
    connector,
    policy,
    listen: (port = config.port, host = config.host) => server.listen(port, host),
    drain: (delayMs) => server.drain(delayMs),
    async close() {
      await server.close();
      await connector.close();
    },
  };
}
