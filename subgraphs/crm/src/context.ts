/**
 * The per-request context: fresh loaders for every GraphQL request, so a batch never
 * mixes two requests and a cached value never outlives the request that loaded it.
 */
import type { Logger } from 'pino';
import type { HubSpotCrmConnector } from './connector/HubSpotCrmConnector.js';
import { createLoaders, type CrmLoaders } from './loaders.js';

export interface CrmContext {
  loaders: CrmLoaders;
  connector: HubSpotCrmConnector;
  logger: Logger;
}

export function createContextFactory(connector: HubSpotCrmConnector, logger: Logger): () => Promise<CrmContext> {
  return async () => ({ loaders: createLoaders(connector), connector, logger });
}
