/**
 * A subgraph fetch that failed, as the errors-only answer the query planner expects
 * instead of an exception: an exception would reach the client without serviceName and
 * without a path, while errors in an answer get both from the gateway. Every error has a
 * code: SUBGRAPH_TIMEOUT and SUBGRAPH_UNREACHABLE from the fetcher, the subgraph's own
 * errors when a non-2xx answer carries GraphQL errors, else SUBGRAPH_BAD_RESPONSE.
 *
 * The errors the gateway makes itself are repeated once per field the fetch asked for, at
 * that field's path in the subgraph's answer (fetchFieldPaths), which the gateway maps to
 * the client's response: every field the failure leaves null has its error, as when the
 * subgraph fails each field itself.
 */
import { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import type { GatewayMetrics } from '../metrics.js';
import { fetchFieldPaths } from './fetchFieldPaths.js';
import type { SubgraphResponse } from './InflightFetches.js';
import { SubgraphFetchError } from './undiciFetcher.js';

type GraphQLErrorJson = NonNullable<SubgraphResponse['errors']>[number];

/** The fetch that failed: its query and variables (those of the request sent, after any entity-cache subsetting). */
export interface FailedFetch {
  query?: string;
  variables?: Record<string, unknown>;
}

/** One error per field of the fetch, at its path; one without a path when the fields cannot be told. */
function atEachField(error: GraphQLErrorJson, fetch: FailedFetch): NonNullable<SubgraphResponse['errors']> {
  const paths = fetchFieldPaths(fetch.query ?? '', fetch.variables);
  return paths.length === 0 ? [error] : paths.map((path) => ({ ...error, path }));
}

export function errorResponseFor(error: unknown, serviceName: string, metrics: GatewayMetrics, logger: Logger, fetch: FailedFetch = {}): SubgraphResponse {
  // Counted by the fetcher already.
  if (error instanceof SubgraphFetchError) return { errors: atEachField({ message: error.message, extensions: error.extensions }, fetch) };
  const bad = (message: string, extra: Record<string, unknown> = {}): SubgraphResponse => {
    metrics.subgraphFetchErrors.inc({ subgraph: serviceName, code: 'SUBGRAPH_BAD_RESPONSE' });
    return { errors: atEachField({ message, extensions: { code: 'SUBGRAPH_BAD_RESPONSE', serviceName, ...extra } }, fetch) };
  };
  // A non-2xx answer (RemoteGraphQLDataSource.errorFromResponse): its GraphQL errors when it has any.
  if (error instanceof GraphQLError) {
    const response = error.extensions.response as { status?: number; body?: { errors?: unknown } } | undefined;
    if (Array.isArray(response?.body?.errors)) {
      const errors = response.body.errors as NonNullable<SubgraphResponse['errors']>;
      for (const e of errors) metrics.subgraphFetchError(serviceName, e.extensions?.code);
      return { errors };
    }
    return bad(`Subgraph ${serviceName} answered ${error.message}`, { status: response?.status });
  }
  logger.error({ err: error, subgraph: serviceName }, 'subgraph fetch failed');
  return bad(`Subgraph ${serviceName} sent an unusable answer.`);
}
