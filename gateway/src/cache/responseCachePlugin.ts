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
 *   responses are still observed, and the first cacheable one puts it back (and is
 *   stored). A skipped operation does not enter Apollo's plugin at all, which would read
 *   the invalidation generation and hash the request before asking whether to look up.
 */
import type { ApolloServerPlugin, BaseContext, GraphQLRequestContext, GraphQLRequestListener } from '@apollo/server';
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
  const operationOf = (requestContext: GraphQLRequestContext<BaseContext>): string =>
    `${requestContext.queryHash ?? ''}\n${requestContext.operationName ?? ''}`;
  /** What one response teaches about its operation (see Cacheability). */
  const observe = (requestContext: GraphQLRequestContext<BaseContext>): void => {
    const body = requestContext.response.body;
    const errors = body?.kind === 'single' ? body.singleResult.errors : undefined;
    const policy = requestContext.overallCachePolicy.policyIfCacheable();
    cacheability.observe(operationOf(requestContext), policy ? { maxAge: policy.maxAge, scope: policy.scope ?? 'PUBLIC' } : null, Boolean(errors?.length));
  };
  /** Requests whose key Apollo's plugin computes without reading the store (see willSendResponse below). */
  const keyOnly = new WeakSet<object>();
  const apollo = ApolloServerPluginResponseCache<BaseContext>({
    // Hits and misses are counted by the cache-status plugin: one lookup may read two keys (private, then public).
    cache: new GuardedKeyValueCache(options.store, options.metrics, false),
    sessionId: async (requestContext) => userScope(identityKey(authOf(requestContext.contextValue))),
    extraCacheKeyData: async (requestContext) =>
      `${(await generationOf(requestContext.contextValue, options.versions)).version}:${accessProfile(authOf(requestContext.contextValue))}`,
    shouldReadFromCache: async (requestContext) => !keyOnly.has(requestContext),
    // Called for every query response that was not a hit: where what it was is learnt.
    shouldWriteToCache: async (requestContext) => {
      observe(requestContext);
      return !cacheStateOf(requestContext.contextValue).doNotCacheResponse && !(await generationOf(requestContext.contextValue, options.versions)).held;
    },
  });
  return {
    async requestDidStart(outer) {
      let listener: GraphQLRequestListener<BaseContext> | void = undefined;
      let skipped = false;
      return {
        async responseForOperation(requestContext) {
          // A skipped operation costs nothing here: Apollo's plugin would read the
          // invalidation generation and hash the request for its key before asking.
          if (requestContext.operation.operation === 'query' && !cacheability.worthLookingUp(operationOf(requestContext))) {
            skipped = true;
            requestContext.metrics.responseCacheHit = false;
            return null;
          }
          listener = await apollo.requestDidStart!(outer);
          return (await listener?.responseForOperation?.(requestContext)) ?? null;
        },
        async willSendResponse(requestContext) {
          if (skipped) {
            const body = requestContext.response.body;
            const cacheable = body.kind === 'single' && !body.singleResult.errors?.length && requestContext.overallCachePolicy.policyIfCacheable();
            if (!cacheable) return observe(requestContext);
            // The first cacheable response of a skipped operation puts it back, and is
            // stored: Apollo's plugin computes its key (reading nothing) and writes it.
            listener = await apollo.requestDidStart!(outer);
            keyOnly.add(requestContext);
            try {
              await listener?.responseForOperation?.(requestContext as Parameters<NonNullable<GraphQLRequestListener<BaseContext>['responseForOperation']>>[0]);
            } finally {
              keyOnly.delete(requestContext);
            }
          }
          await listener?.willSendResponse?.(requestContext);
        },
      };
    },
  };
}
