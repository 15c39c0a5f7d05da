/**
 * The gateway's Prometheus metrics (prom-client), served at /metrics. One registry per
 * gateway instance, so tests that start several gateways in one process do not mix counts.
 *
 * Every distinct label value is a time series the registry keeps for the life of the
 * process, so no label takes a value straight from outside: layers, results, outcomes,
 * stages and auth codes are the gateway's own; subgraph names come from the supergraph;
 * operation names (clients') and error codes (subgraphs') go through a LabelValues,
 * which lets a bounded set through and counts the rest as `(other)`.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The gateway's cache layers (docs/gateway.md, "Caches"), as metric labels; `root` is whole root-field fetches to
 * one subgraph (e.g. crm's `customers(first: 50)`).
 */
export type CacheLayer = 'apq' | 'document' | 'plan' | 'entity' | 'root' | 'response';
export type CacheResult = 'hit' | 'miss' | 'error';

export const OTHER_LABEL = '(other)';
export const ANONYMOUS_OPERATION = '(anonymous)';

export interface LabelValuesOptions {
  /** Distinct values let through, first come first served; later ones are `(other)`. */
  max: number;
  /** Values that are always let through, and then the only ones (e.g. the safelist's operation names). */
  known?: (value: string) => boolean;
  /** What a value must look like to be let through at all. */
  valid?: (value: string) => boolean;
}

/** A bounded set of label values for one label fed from outside the gateway. */
export class LabelValues {
  private readonly seen = new Set<string>();
  constructor(private readonly options: LabelValuesOptions) {}

  of(value: string): string {
    if (this.options.known) return this.options.known(value) ? value : OTHER_LABEL;
    if (this.seen.has(value)) return value;
    if (this.seen.size >= this.options.max || (this.options.valid && !this.options.valid(value))) return OTHER_LABEL;
    this.seen.add(value);
    return value;
  }
}

export interface GatewayMetricsOptions {
  /** Node's default process metrics. Default true. */
  defaultMetrics?: boolean;
  /** Distinct operation names counted under their own label (METRICS_MAX_OPERATION_NAMES). Default 100. */
  maxOperationNames?: number;
  /** Longest operation name counted under its own label. Default 128 (LIMIT_MAX_OPERATION_NAME_LENGTH refuses longer ones before). */
  maxOperationNameLength?: number;
  /**
   * With the safelist on: whether a name is one of the manifest's operations. Then those
   * names, and only those, get their own label, whoever sends what first.
   */
  persistedOperationName?: (name: string) => boolean;
}

/** A subgraph error code as the gateway's own codes look; a subgraph's free text is not a label. */
const ERROR_CODE = /^[A-Z][A-Z0-9_]{0,63}$/;
const MAX_SUBGRAPH_ERROR_CODES = 50;

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'graphql_requests_total',
    help: 'GraphQL operations served, by operation name and outcome (ok or error).',
    labelNames: ['operation', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly requestDuration = new Histogram({
    name: 'graphql_request_duration_seconds',
    help: 'Time to answer a GraphQL operation, by operation name.',
    labelNames: ['operation'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly subgraphFetchDuration = new Histogram({
    name: 'subgraph_fetch_duration_seconds',
    help: 'Time of one fetch from the gateway to a subgraph.',
    labelNames: ['subgraph'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly subgraphFetchErrors = new Counter({
    name: 'subgraph_fetch_errors_total',
    help: 'Subgraph fetches that failed or answered with errors, by subgraph and error code.',
    labelNames: ['subgraph', 'code'] as const,
    registers: [this.registry],
  });
  readonly cacheRequests = new Counter({
    name: 'gateway_cache_requests_total',
    help: 'Cache lookups by layer (apq, document, plan, entity, root, response) and result (hit, miss, error).',
    labelNames: ['layer', 'result'] as const,
    registers: [this.registry],
  });

  readonly authRefusals = new Counter({
    name: 'gateway_auth_refusals_total',
    help: 'Requests refused a credential (401) and fields refused by authorization, by code (UNAUTHENTICATED, FORBIDDEN).',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  readonly rateLimitBackend = new Gauge({
    name: 'gateway_rate_limit_backend',
    help: 'Where the rate limiter keeps its buckets: 1 for the backend in use (redis, or memory: per replica, also while Redis is down), 0 for the other.',
    labelNames: ['backend'] as const,
    registers: [this.registry],
  });

  readonly clientAborts = new Counter({
    name: 'gateway_client_aborts_total',
    help: 'Requests whose client closed the connection early, by stage: request (before its body was complete) or response (before the answer was sent).',
    labelNames: ['stage'] as const,
    registers: [this.registry],
  });

  readonly inboundDedup = new Counter({
    name: 'gateway_inbound_dedup_total',
    help: 'Read operations that could share an execution, by outcome: leader (it ran), shared (it got the result of an identical execution in flight) or response (an identical HTTP request joined the response of one in flight).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly subscriptions = new Gauge({
    name: 'gateway_subscriptions_active',
    help: 'Subscriptions being served, by transport (websocket, multipart).',
    labelNames: ['transport'] as const,
    registers: [this.registry],
  });

  readonly subscriptionSources = new Gauge({
    name: 'gateway_subscription_sources_active',
    help: 'Subscriptions open with the subgraphs; subscribers of the same operation, variables and caller share one.',
    registers: [this.registry],
  });

  readonly subscriptionEvents = new Counter({
    name: 'gateway_subscription_events_total',
    help: 'Results delivered to subscribers (one per subscriber per event).',
    registers: [this.registry],
  });

  readonly subscriptionsEnded = new Counter({
    name: 'gateway_subscriptions_ended_total',
    help: 'Subscriptions ended, by reason: complete (the source or the client ended it), or the code of the error that ended it (UNAUTHENTICATED when the credential expired, SLOW_CONSUMER, SHUTTING_DOWN, SUBGRAPH_UNREACHABLE, ...).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly supergraphInfo = new Gauge({
    name: 'gateway_supergraph_info',
    help: 'The supergraph served: 1 for its revision (the first 12 hex digits of the SHA-256 of its SDL) and source (file or url); one series at a time.',
    labelNames: ['revision', 'source'] as const,
    registers: [this.registry],
  });

  readonly supergraphLoadFailures = new Counter({
    name: 'gateway_supergraph_load_failures_total',
    help: 'New supergraphs not applied (the previous one stays served), by source (file, url) and reason: fetch (the URL failed: network error, non-2xx answer, timeout), invalid (not a supergraph the gateway can serve; each revision counted once) or refused (by the gateway).',
    labelNames: ['source', 'reason'] as const,
    registers: [this.registry],
  });

  private readonly operationNames: LabelValues;
  private readonly subgraphErrorCodes = new LabelValues({ max: MAX_SUBGRAPH_ERROR_CODES, valid: (code) => ERROR_CODE.test(code) });

  constructor(options: GatewayMetricsOptions = {}) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    const maxLength = options.maxOperationNameLength ?? 128;
    this.operationNames = new LabelValues({
      max: options.maxOperationNames ?? 100,
      valid: (name) => name.length <= maxLength,
      ...(options.persistedOperationName ? { known: options.persistedOperationName } : {}),
    });
  }

  /** The `operation` label for an operation name; `(anonymous)` for none. */
  /** Counts one operation served, and how long it took, under its bounded label. */
  countOperation(name: string | null | undefined, outcome: 'ok' | 'error', seconds: number): void {
    const operation = this.operationLabel(name);
    this.requests.inc({ operation, outcome });
    this.requestDuration.observe({ operation }, seconds);
  }

  operationLabel(name: string | null | undefined): string {
    return name ? this.operationNames.of(name) : ANONYMOUS_OPERATION;
  }

  /** Counts a failed subgraph fetch, or one error in a subgraph's answer, by its code. */
  subgraphFetchError(subgraph: string, code: unknown): void {
    this.subgraphFetchErrors.inc({ subgraph, code: typeof code === 'string' ? this.subgraphErrorCodes.of(code) : 'UNKNOWN' });
  }

  /** The supergraph served is now `revision` from `source`. */
  supergraphServed(source: string, revision: string): void {
    this.supergraphInfo.reset();
    this.supergraphInfo.set({ revision, source }, 1);
  }

  cache(layer: CacheLayer, result: CacheResult, count = 1): void {
    if (count > 0) this.cacheRequests.inc({ layer, result }, count);
  }
}
