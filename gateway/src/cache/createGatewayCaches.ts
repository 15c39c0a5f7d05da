/**
 * Every cache layer of the gateway, built from the config in one place (docs/gateway.md, "Caches"), for createGateway to hand to Apollo:
 *
 * | layer     | where                                   | store                        |
 * |-----------|-----------------------------------------|------------------------------|
 * | apq       | Apollo Server persistedQueries          | keyv `apq` (Redis if set)    |
 * | document  | Apollo Server documentStore             | in-memory LRU (apolloCaches) |
 * | plan      | our executor's prepared operations (plan and response shape), or, with EXECUTOR=apollo, ApolloGateway queryPlannerConfig.cache | in-memory LRU (apolloCaches) |
 * | entity    | SubgraphDataSource, `_entities` fetches | keyv `entity` (+ versions)   |
 * | root      | SubgraphDataSource, other reads         | keyv `root`                  |
 * | response  | response-cache plugin                   | keyv `response`              |
 */
import type { GatewayConfig as ApolloGatewayConfig } from '@apollo/gateway';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { DocumentNode } from 'graphql';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config.js';
import type { PreparedOperation } from '../execution/PreparedOperation.js';
import type { GatewayMetrics } from '../metrics.js';
import { CountingLRUCache, GuardedKeyValueCache } from './apolloCaches.js';
import { cacheStatusPlugin } from './cacheStatusPlugin.js';
import { createCacheStores, type CacheStores } from './createCacheStores.js';
import { EntityCache } from './EntityCache.js';
import { EntityVersions } from './EntityVersions.js';
import { invalidateRoute } from './invalidateRoute.js';
import { responseCachePlugin } from './responseCachePlugin.js';

export interface GatewayCaches {
  stores: CacheStores;
  /** Entity versions and the invalidation generation: what every eviction bumps. */
  versions: EntityVersions;
  /** The entity and root caches, or undefined with ENTITY_CACHE=off. */
  entityCache: EntityCache | undefined;
  persistedQueries: { cache: GuardedKeyValueCache };
  documentStore: CountingLRUCache<DocumentNode>;
  queryPlanStore: CountingLRUCache<QueryPlan>;
  /** Our executor's plans with their compiled response shapes (execution/PreparedOperation.ts). */
  preparedOperations: CountingLRUCache<PreparedOperation>;
  /** The response cache (unless RESPONSE_CACHE=off) and the cache-status reporter. */
  plugins: Array<ApolloServerPlugin<BaseContext>>;
  /** The handler of POST /internal/invalidate. */
  invalidate: ReturnType<typeof invalidateRoute>;
  close(): Promise<void>;
}

type QueryPlanStore = NonNullable<NonNullable<ApolloGatewayConfig['queryPlannerConfig']>['cache']>;
type QueryPlan = NonNullable<Awaited<ReturnType<QueryPlanStore['get']>>>;
type CacheConfig = Pick<
  GatewayConfig,
  | 'redisUrl'
  | 'cacheKeyPrefix'
  | 'cacheTimeoutMs'
  | 'invalidationHoldMs'
  | 'entityCache'
  | 'responseCache'
  | 'exposeCacheStatus'
  | 'invalidationSecret'
  | 'invalidationSecretPrevious'
>;

export function createGatewayCaches(config: CacheConfig, logger: Logger, metrics: GatewayMetrics): GatewayCaches {
  const stores = createCacheStores({ redisUrl: config.redisUrl, keyPrefix: config.cacheKeyPrefix, operationTimeoutMs: config.cacheTimeoutMs, logger, metrics });
  const versions = new EntityVersions(stores.store('entity', 'entity'), config.invalidationHoldMs);
  const plugins: Array<ApolloServerPlugin<BaseContext>> = [];
  if (config.responseCache) plugins.push(responseCachePlugin({ store: stores.store('response', 'response'), versions, metrics }));
  plugins.push(cacheStatusPlugin({ metrics, responseCache: config.responseCache, expose: config.exposeCacheStatus }));
  logger.info({ store: stores.kind, entityCache: config.entityCache, responseCache: config.responseCache }, 'gateway caches configured');
  return {
    stores,
    versions,
    entityCache: config.entityCache ? new EntityCache(stores.store('entity', 'entity'), stores.store('root', 'root'), metrics) : undefined,
    persistedQueries: { cache: new GuardedKeyValueCache(stores.store('apq', 'apq'), metrics, true) },
    documentStore: new CountingLRUCache<DocumentNode>('document', metrics),
    queryPlanStore: new CountingLRUCache<QueryPlan>('plan', metrics),
    // Live objects holding the supergraph revision: measured by their plan, not serialised.
    preparedOperations: new CountingLRUCache<PreparedOperation>('plan', metrics, (prepared) => prepared.size),
    plugins,
    invalidate: invalidateRoute({ secret: config.invalidationSecret, previousSecret: config.invalidationSecretPrevious, versions, logger }),
    close: () => stores.close(),
  };
}
