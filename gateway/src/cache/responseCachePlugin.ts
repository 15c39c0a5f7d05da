/**
 * The whole-response cache (the last cache layer): Apollo's response-cache plugin over the
 * `response` keyv namespace. It stores a query's data only when the operation's overall
 * cache policy is cacheable, which in a gateway means every subgraph answer (or cached
 * value) it used carried a hint: the policy is the smallest max-age and the narrowest
 * scope of them (RemoteGraphQLDataSource and SubgraphDataSource restrict it per fetch).
 * Mutations are never cached (the plugin only looks at queries), nor responses with errors.
 *
 * - sessionId is the user scope (the caller's identity: auth/identity.ts), so PRIVATE
 *   responses are kept per caller.
 * - The cache key holds the invalidation generation, so any invalidation retires every
 *   cached response at once: a response cannot be traced to the entities inside it.
 * - It also holds the caller's access profile (authenticated or not, scopes, customer
 *   binding): a PUBLIC response one caller may see is never served to a caller who may
 *   see less. (A response with a field refused by authorization carries an error, so it
 *   is never stored at all.)
 * - Nothing is written while an invalidation hold lasts, or when the operation used a
 *   value under a hold (see EntityVersions).
 * - An operation whose recent responses were all uncacheable (no subgraph hint: the
 *   common case where subgraphs send none) is not looked up: a lookup that cannot hit is
 *   a hash of the whole request and a store read per request for nothing. Learnt per
 *   operation (query hash and name) as for entity selections (Cacheability.ts): its
 *   responses are still observed, and the first cacheable one puts it back.
 */
import type { ApolloServerPlugin, BaseContext, GraphQLRequestContext } from '@apollo/server';
import ApolloServerPluginResponseCache from '@apollo/server-plugin-response-cache';
import type { GatewayMetrics } from '../metrics.js';
import { GuardedKeyValueCache } from './apolloCaches.js';
import { Cacheability } from './Cacheability.js';
import type { CacheStore } from './CacheStore.js';
import type { EntityVersions } from './EntityVersions.js';
import { accessProfile, authOf, identityKey } from '../auth/identity.js';
import { userScope } from './keys.js';
import { cacheStateOf, generationOf } from './requestCacheState.js';

export interface ResponseCachePluginOptions {
  store: CacheStore;
  versions: EntityVersions;
  metrics: GatewayMetrics;
}

export function responseCachePlugin(options: ResponseCachePluginOptions): ApolloServerPlugin<BaseContext> {
  const cacheability = new Cacheability();
  const operationOf = (requestContext: GraphQLRequestContext<BaseContext>): string => `${requestContext.queryHash ?? ''}\n${requestContext.operationName ?? ''}`;
  return ApolloServerPluginResponseCache<BaseContext>({
    // Hits and misses are counted by the cache-status plugin: one lookup may read two keys (private, then public).
    cache: new GuardedKeyValueCache(options.store, options.metrics, false),
    sessionId: async (requestContext) => userScope(identityKey(authOf(requestContext.contextValue))),
    extraCacheKeyData: async (requestContext) =>
      `${(await generationOf(requestContext.contextValue, options.versions)).version}:${accessProfile(authOf(requestContext.contextValue))}`,
    shouldReadFromCache: async (requestContext) => cacheability.worthLookingUp(operationOf(requestContext)),
    // Called for every query response that was not a hit: where what it was is learnt.
    shouldWriteToCache: async (requestContext) => {
      const body = requestContext.response.body;
      const errors = body?.kind === 'single' ? body.singleResult.errors : undefined;
      const policy = requestContext.overallCachePolicy.policyIfCacheable();
      cacheability.observe(operationOf(requestContext), policy ? { maxAge: policy.maxAge, scope: policy.scope ?? 'PUBLIC' } : null, Boolean(errors?.length));
      return !cacheStateOf(requestContext.contextValue).doNotCacheResponse && !(await generationOf(requestContext.contextValue, options.versions)).held;
    },
  });
}
