/**
 * The fetcher every subgraph data source uses instead of RemoteGraphQLDataSource's
 * make-fetch-happen: undici's `request` over one keep-alive Agent per gateway (connections
 * to a subgraph are reused across requests), with a deadline per fetch. A fetch past the
 * deadline is aborted and fails with SUBGRAPH_TIMEOUT; one that cannot connect fails with
 * SUBGRAPH_UNREACHABLE; both are GraphQL errors carrying the subgraph's serviceName.
 */
import type { RemoteGraphQLDataSource } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import { request, type Dispatcher } from 'undici';
import type { GatewayMetrics } from '../metrics.js';

type Fetcher = RemoteGraphQLDataSource['fetcher'];
type FetcherResponse = Awaited<ReturnType<Fetcher>>;

export interface UndiciFetcherOptions {
  serviceName: string;
  dispatcher: Dispatcher;
  /** Deadline of one fetch (connect, answer and body), in ms. */
  timeoutMs: number;
  metrics: GatewayMetrics;
}

export class SubgraphFetchError extends GraphQLError {
  constructor(code: 'SUBGRAPH_TIMEOUT' | 'SUBGRAPH_UNREACHABLE', message: string, serviceName: string, cause?: unknown) {
    super(message, { extensions: { code, serviceName }, originalError: cause instanceof Error ? cause : undefined });
  }
}

export function createUndiciFetcher(options: UndiciFetcherOptions): Fetcher {
  const { serviceName, metrics } = options;
  return async (url, init = {}) => {
    const started = performance.now();
    const signal = AbortSignal.timeout(options.timeoutMs);
    try {
      const response = await request(url, {
        method: (init.method ?? 'POST') as Dispatcher.HttpMethod,
        headers: init.headers,
        body: init.body,
        dispatcher: options.dispatcher,
        signal,
      });
      const text = await response.body.text();
      metrics.subgraphFetchDuration.observe({ subgraph: serviceName }, (performance.now() - started) / 1000);
      const headers = new Headers();
      for (const [name, value] of Object.entries(response.headers)) {
        if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
      }
      return new Response(text, { status: response.statusCode, headers }) as unknown as FetcherResponse;
    } catch (error) {
      metrics.subgraphFetchDuration.observe({ subgraph: serviceName }, (performance.now() - started) / 1000);
      if (signal.aborted) {
        metrics.subgraphFetchErrors.inc({ subgraph: serviceName, code: 'SUBGRAPH_TIMEOUT' });
        throw new SubgraphFetchError('SUBGRAPH_TIMEOUT', `Subgraph ${serviceName} did not answer within ${options.timeoutMs} ms.`, serviceName, error);
      }
      metrics.subgraphFetchErrors.inc({ subgraph: serviceName, code: 'SUBGRAPH_UNREACHABLE' });
      throw new SubgraphFetchError('SUBGRAPH_UNREACHABLE', `Subgraph ${serviceName} could not be reached.` /* the cause (with internal addresses) goes to the log, not the client */, serviceName, error);
    }
  };
}
