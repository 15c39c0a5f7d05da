/**
 * The fetcher every subgraph data source uses instead of RemoteGraphQLDataSource's
 * make-fetch-happen: undici's `request` over one keep-alive Agent per gateway (connections
 * to a subgraph are reused across requests), with a deadline per fetch. A fetch past the
 * deadline is aborted and fails with SUBGRAPH_TIMEOUT; one that cannot connect fails with
 * SUBGRAPH_UNREACHABLE; both are GraphQL errors carrying the subgraph's serviceName.
 *
 * Each fetch also tells the subgraph its deadline (x-graph360-deadline-ms,
 * lib/deadlineHeader.ts), less a margin for the answer's way back, so that a subgraph
 * waiting on a slow backend gives up first and answers with its own errors, at the paths of
 * the fields it could not resolve, rather than the gateway's one SUBGRAPH_TIMEOUT. Set here,
 * when the fetch starts, not when the request was planned: time spent before (cache
 * lookups, an earlier fetch of the plan) is not the subgraph's. The gateway has no deadline
 * per client request yet; when it gets one, the smaller of the two belongs here.
 */
import type { RemoteGraphQLDataSource } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import { request, type Dispatcher } from 'undici';
import { DEADLINE_HEADER } from '../../../lib/deadlineHeader.js';
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

/** The longest margin kept for a subgraph's answer to travel back and be read. */
const MAX_RETURN_MARGIN_MS = 500;

/** The deadline a subgraph is given for a fetch of `timeoutMs`: a fifth less, at most 500 ms less. */
export function subgraphDeadlineMs(timeoutMs: number): number {
  return timeoutMs - Math.min(MAX_RETURN_MARGIN_MS, Math.floor(timeoutMs / 5));
}

export class SubgraphFetchError extends GraphQLError {
  constructor(code: 'SUBGRAPH_TIMEOUT' | 'SUBGRAPH_UNREACHABLE', message: string, serviceName: string, cause?: unknown) {
    super(message, { extensions: { code, serviceName }, originalError: cause instanceof Error ? cause : undefined });
  }
}

/**
 * What RemoteGraphQLDataSource and our data source read of a fetched answer (`ok`,
 * `status`, `headers.get`, `json()`, `text()`, and `url`/`statusText` for an error
 * message), over the body text and undici's plain header object. A WHATWG Response
 * would wrap the text in a stream and copy the headers into a Headers object, per fetch,
 * only for them to be read back once. `url` and `statusText` are empty, as they were on the
 * Response built from the text.
 */
class FetchedResponse {
  readonly url = '';
  readonly statusText = '';
  readonly headers: { get(name: string): string | null };

  constructor(
    readonly status: number,
    raw: Record<string, string | string[] | undefined>,
    private readonly body: string,
  ) {
    // undici gives header names in lower case.
    this.headers = {
      get(name) {
        const value = raw[name.toLowerCase()];
        return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
      },
    };
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  async text(): Promise<string> {
    return this.body;
  }

  async json(): Promise<unknown> {
    return JSON.parse(this.body);
  }
}

export function createUndiciFetcher(options: UndiciFetcherOptions): Fetcher {
  const { serviceName, metrics } = options;
  const deadline = String(subgraphDeadlineMs(options.timeoutMs));
  return async (url, init = {}) => {
    const started = performance.now();
    const signal = AbortSignal.timeout(options.timeoutMs);
    try {
      const response = await request(url, {
        method: (init.method ?? 'POST') as Dispatcher.HttpMethod,
        headers: { ...init.headers, [DEADLINE_HEADER]: deadline },
        body: init.body,
        dispatcher: options.dispatcher,
        signal,
      });
      const text = await response.body.text();
      metrics.subgraphFetchDuration.observe({ subgraph: serviceName }, (performance.now() - started) / 1000);
      return new FetchedResponse(response.statusCode, response.headers, text) as unknown as FetcherResponse;
    } catch (error) {
      metrics.subgraphFetchDuration.observe({ subgraph: serviceName }, (performance.now() - started) / 1000);
      if (signal.aborted) {
        metrics.subgraphFetchErrors.inc({ subgraph: serviceName, code: 'SUBGRAPH_TIMEOUT' });
        throw new SubgraphFetchError('SUBGRAPH_TIMEOUT', `Subgraph ${serviceName} did not answer within ${options.timeoutMs} ms.`, serviceName, error);
      }
      metrics.subgraphFetchErrors.inc({ subgraph: serviceName, code: 'SUBGRAPH_UNREACHABLE' });
      throw new SubgraphFetchError(
        'SUBGRAPH_UNREACHABLE',
        `Subgraph ${serviceName} could not be reached.` /* the cause (with internal addresses) goes to the log, not the client */,
        serviceName,
        error,
      );
    }
  };
}
