/**
 * Shows each client what the caches did for its operation, and counts the response
 * layer in the metrics:
 *
 * - header `x-cache`: HIT (no subgraph was asked: the whole response, or every fetch, came
 *   from a cache), PARTIAL (some cached, some fetched), MISS (nothing cached was used),
 *   BYPASS (not a query: mutations are never served from a cache);
 * - `extensions.cacheStatus`: `{ response, entities: {hits, misses}, rootFields: {hits,
 *   misses}, subgraphFetches, sharedFetches }`; subgraphFetches counts the fetches this
 *   operation sent, sharedFetches those it got from an identical fetch in flight.
 *
 * With an HTTP batch, every operation sets the header on the shared HTTP head: the last
 * one wins there; each operation's extensions are its own.
 */
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { GatewayMetrics } from '../metrics.js';
import { cacheStateOf } from './requestCacheState.js';

export type CacheStatus = 'HIT' | 'PARTIAL' | 'MISS' | 'BYPASS';

export interface CacheStatusPluginOptions {
  metrics: GatewayMetrics;
  /** Whether the whole-response cache is on (RESPONSE_CACHE). */
  responseCache: boolean;
}

export function cacheStatusPlugin(options: CacheStatusPluginOptions): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse(requestContext) {
          const { response, contextValue } = requestContext;
          const state = cacheStateOf(contextValue);
          const isQuery = requestContext.operation?.operation === 'query';
          const responseHit = requestContext.metrics.responseCacheHit === true;
          const responseLayer: CacheStatus = !isQuery || !options.responseCache ? 'BYPASS' : responseHit ? 'HIT' : 'MISS';
          if (responseLayer !== 'BYPASS') options.metrics.cache('response', responseHit ? 'hit' : 'miss');

          const hits = state.entityHits + state.rootHits;
          const fetches = state.subgraphFetches + state.sharedFetches;
          const status: CacheStatus = !isQuery ? 'BYPASS' : responseHit || (hits > 0 && fetches === 0) ? 'HIT' : hits > 0 ? 'PARTIAL' : 'MISS';
          response.http.headers.set('x-cache', status);
          if (response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          result.extensions = {
            ...result.extensions,
            cacheStatus: {
              status,
              response: responseLayer,
              entities: { hits: state.entityHits, misses: state.entityMisses },
              rootFields: { hits: state.rootHits, misses: state.rootMisses },
              subgraphFetches: state.subgraphFetches,
              sharedFetches: state.sharedFetches,
            },
          };
        },
      };
    },
  };
}
