/**
 * Builds the erp subgraph from a config object: the backend policy, the Odoo connector,
 * the catalog cache, the per-request context and the server. This is what tests call;
 * index.ts only reads the environment, listens and handles signals.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import type Keyv from 'keyv';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import {
  BackendPolicy,
  createCache,
  createKeyLock,
  createLogger,
  createSubgraphServer,
  withDeadline,
  type KeyLock,
  type Logger,
  type SubgraphServer,
} from '../../kit/src/index.js';
import type { ErpSubgraphConfig } from './config.js';
import { OdooErpConnector } from './connector/OdooErpConnector.js';
import { createContextFactory, type ErpContext } from './context.js';
import { resolvers } from './resolvers/index.js';
import type { Service } from '../../../lib/service.js';

/** How long close() waits for the cache to disconnect. */
const CACHE_CLOSE_DEADLINE_MS = 1000;

/**
 * Disconnects the cache, bounded: @keyv/redis's disconnect never settles while Redis is
 * unreachable (the client is still trying to connect), and a stop must not hang on it.
 */
async function disconnect(cache: Keyv, onError: (error: unknown) => void): Promise<void> {
  await withDeadline(
    cache.disconnect().catch((error: unknown) => onError(error)),
    CACHE_CLOSE_DEADLINE_MS,
    () => onError(new Error(`the cache did not disconnect within ${CACHE_CLOSE_DEADLINE_MS} ms`)),
  );
}

/** At most one cache warning per this many ms: an unreachable Redis fails every call and every reconnect. */
const CACHE_WARNING_INTERVAL_MS = 10_000;

/**
 * A failing cache is a miss: Odoo is read instead, and the failure is logged, at most once
 * per interval with the count of the ones left out, and without the Redis URL (it may hold
 * a password).
 */
function cacheErrorLog(logger: Logger): (error: unknown) => void {
  let lastAt = -Infinity;
  let suppressed = 0;
  return (error) => {
    const now = Date.now();
    if (now - lastAt < CACHE_WARNING_INTERVAL_MS) {
      suppressed++;
      return;
    }
    logger.warn({ cache: 'erp:catalog', reason: error instanceof Error ? error.message : String(error), suppressed }, 'catalog cache failed; reading the ERP');
    lastAt = now;
    suppressed = 0;
  };
}

const typeDefs = parse(readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8'));

export interface ErpSubgraph extends Service {
  readonly server: SubgraphServer;
  readonly connector: OdooErpConnector;
  readonly policy: BackendPolicy;
  /** The shared catalog cache (namespace erp:catalog). */
  readonly catalogCache: Keyv;
  /** createSalesOrder's per-key lock (Redis-backed when REDIS_URL is set). */
  readonly orderLock: KeyLock;
  /** Starts listening; resolves with the /graphql URL (port 0 gives the real port). */
  listen(port?: number, host?: string): Promise<string>;
  /** Starts draining before close() (kit's SubgraphServer.drain): /ready answers 503 from now on. */
  drain(delayMs: number): Promise<void>;
  /** Stops the server, closes the connector's connections and the cache. */
  close(): Promise<void>;
}

export interface ErpSubgraphOptions {
  logger?: Logger;
  /** The clock invoice statuses are read against. Default: the real one. */
  now?: () => Date;
}

export async function createErpSubgraph(config: ErpSubgraphConfig, options: ErpSubgraphOptions = {}): Promise<ErpSubgraph> {
  const logger = options.logger ?? createLogger('erp-subgraph', config.logLevel);
  const policy = new BackendPolicy({ backend: 'erp', ...config.policy });
  policy.onBreakerStateChange((state) => logger.warn({ backend: 'erp', state }, 'ERP circuit breaker changed state'));
  const connector = new OdooErpConnector({ ...config.odoo, policy, logger });
  const onCacheError = cacheErrorLog(logger);
  const catalogCache = createCache({ namespace: 'erp:catalog', redisUrl: config.catalogCache.redisUrl, onError: onCacheError });
  // createSalesOrder with an idempotency key: one at a time per key, across replicas through the same Redis.
  const orderLock = createKeyLock({
    namespace: 'graph360:erp:order-lock',
    redisUrl: config.catalogCache.redisUrl,
    onDegraded: (reason) => logger.warn({ reason }, 'createSalesOrder ran without the cross-replica lock'),
  });
  const server = await createSubgraphServer<ErpContext>({
    name: 'erp',
    typeDefs,
    // The generated Resolvers type is stricter than buildSubgraphSchema's map (typed
    // parents, __resolveReference); the shapes are the same at run time.
    resolvers: resolvers as unknown as GraphQLResolverMap<ErpContext>,
    context: createContextFactory({
      connector,
      catalog: { cache: catalogCache, ttlMs: config.catalogCache.ttlMs, onError: onCacheError },
      logger,
      companyCurrency: config.odoo.companyCurrency,
      now: options.now ?? (() => new Date()),
      orderLock,
    }),
    gatewaySecret: config.gatewaySecret,
    gatewaySecretPrevious: config.gatewaySecretPrevious,
    logger,
    health: () => ({ backend: { erp: policy.breakerState } }),
  });
  return {
    server,
    connector,
    policy,
    catalogCache,
    orderLock,
    listen: (port = config.port, host = config.host) => server.listen(port, host),
    drain: (delayMs) => server.drain(delayMs),
    async close() {
      await server.close();
      await connector.close();
      await disconnect(catalogCache, onCacheError);
      await orderLock.close();
    },
  };
}
