/**
 * The per-request context: fresh loaders for every GraphQL request, so a batch never
 * mixes two requests and a cached value never outlives the request that loaded it.
 */
import type { Logger } from 'pino';
import type { SubgraphAuth } from '../../kit/src/index.js';
import type { HubSpotCrmConnector } from './connector/HubSpotCrmConnector.js';
import { createLoaders, type CrmLoaders } from './loaders.js';

export interface CrmContext {
  loaders: CrmLoaders;
  connector: HubSpotCrmConnector;
  logger: Logger;
  /** The caller, as the gateway vouches for it (kit/auth.ts). */
  auth: SubgraphAuth;
}

export function createContextFactory(connector: HubSpotCrmConnector, logger: Logger): (req: unknown, auth: SubgraphAuth) => Promise<CrmContext> {
  return async (_req, auth) => ({ loaders: createLoaders(connector), connector, logger, auth });
}
