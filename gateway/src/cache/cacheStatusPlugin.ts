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
 * The header says little and is sent in every mode (as a CDN's would be). The extension
 * tells how the gateway is built and how each query fans out to the subgraphs, so it is
 * opt-in where it matters (EXPOSE_CACHE_STATUS: on in development, off in production):
 * with it off, only a caller whose credential has the `gateway:debug` scope and who asks
 * with `x-graph360-debug: cache-status` gets it, as Apollo Router shows query plans only
 * to callers it lets ask.
 *
 * With an HTTP batch, every operation sets the header on the shared HTTP head: the last
 * one wins there; each operation's extensions are its own.
 */
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { authOf, DEBUG_SCOPE } from '../auth/identity.js';
import type { GatewayMetrics } from '../metrics.js';
import { cacheStateOf } from './requestCacheState.js';

/** The request header with which a caller holding DEBUG_SCOPE asks for internals; a comma-separated list. */
export const DEBUG_HEADER = 'x-graph360-debug';

export type CacheStatus = 'HIT' | 'PARTIAL' | 'MISS' | 'BYPASS';

export interface CacheStatusPluginOptions {
  metrics: GatewayMetrics;
  /** Whether the whole-response cache is on (RESPONSE_CACHE). */
  responseCache: boolean;
  /** `extensions.cacheStatus` in every response (EXPOSE_CACHE_STATUS); otherwise only for an authorised ask. */
  expose: boolean;
}

function asksForCacheStatus(header: string | undefined): boolean {
  return (header ?? '').split(',').some((item) => item.trim().toLowerCase() === 'cache-status');
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
          const shown =
            options.expose || (authOf(contextValue).scopes.includes(DEBUG_SCOPE) && asksForCacheStatus(requestContext.request.http?.headers.get(DEBUG_HEADER)));
          if (!shown) return;
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
