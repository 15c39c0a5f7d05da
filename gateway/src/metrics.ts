/**
 * The gateway's Prometheus metrics (prom-client), served at /metrics. One registry per
 * gateway instance, so tests that start several gateways in one process do not mix counts.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The cache layers of DESIGN.md, as metric labels; `root` is whole root-field fetches to
 * one subgraph (e.g. crm's `customers(first: 50)`).
 */
export type CacheLayer = 'apq' | 'document' | 'plan' | 'entity' | 'root' | 'response';
export type CacheResult = 'hit' | 'miss' | 'error';

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

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  cache(layer: CacheLayer, result: CacheResult, count = 1): void {
    if (count > 0) this.cacheRequests.inc({ layer, result }, count);
  }
}
