/**
 * The per-request context: fresh loaders for every GraphQL request, so a batch never
 * mixes two requests and a value never outlives the request that loaded it (the catalog
 * cache, shared across requests on purpose, sits behind the product loader). Today's
 * date is fixed here, once per request, for invoice statuses.
 */
import type { Logger } from 'pino';
import type { KeyLock, SubgraphAuth } from '../../kit/src/index.js';
import type { OdooErpConnector } from './connector/OdooErpConnector.js';
import { createLoaders, type CatalogCache, type ErpLoaders } from './loaders.js';
import type { CurrencyCode } from './models.js';
import { utcDate } from './statuses.js';

export interface ErpContext {
  loaders: ErpLoaders;
  connector: OdooErpConnector;
  logger: Logger;
  /** Currency of list prices, and of a zero balance for a customer without invoices. */
  companyCurrency: CurrencyCode;
  /** Today in UTC (YYYY-MM-DD), for invoice statuses. */
  today: string;
  /** The caller, as the gateway vouches for it (kit/auth.ts). */
  auth: SubgraphAuth;
  /** One createSalesOrder per idempotency key at a time (across replicas with Redis). */
  orderLock: KeyLock;
}

export interface ContextDependencies {
  connector: OdooErpConnector;
  catalog: CatalogCache;
  logger: Logger;
  companyCurrency: CurrencyCode;
  /** The clock; tests pass a fixed one. */
  now: () => Date;
  orderLock: KeyLock;
}

export function createContextFactory(deps: ContextDependencies): (req: unknown, auth: SubgraphAuth) => Promise<ErpContext> {
  return async (_req, auth) => ({
    auth,
    loaders: createLoaders(deps.connector, deps.catalog),
    connector: deps.connector,
    logger: deps.logger,
    companyCurrency: deps.companyCurrency,
    today: utcDate(deps.now()),
    orderLock: deps.orderLock,
  });
}
