/**
 * Rate limiting per client: two token buckets per client, one counting
 * GraphQL requests (RATE_LIMIT_RPS, RATE_LIMIT_BURST) and one counting the estimated
 * cost of their operations (RATE_LIMIT_COST_PER_SECOND, RATE_LIMIT_COST_BURST; the cost
 * from limits/). Over either budget: HTTP 429, a `Retry-After` header in whole seconds
 * and the error code RATE_LIMITED. RATE_LIMIT=off switches both off.
 *
 * The client is `contextValue.auth.subject` when the request is authenticated (a token's
 * subject or an API key's id, set by auth/), else `anon:<client IP>` (the socket's
 * address, or the X-Forwarded-For entry written by the trusted proxies, TRUST_PROXY_HOPS).
 *
 * One step of the pipeline (rateLimitStep, pipeline/GatewayStep.ts). Its `http` stage
 * takes the request bucket once the caller is authenticated and the body is read, before
 * anything else refuses it or Apollo Server sees it, so requests that then fail parsing
 * or validation count too; a batch takes one request per operation, all at once or not
 * at all (the batch limit of limits/ keeps a batch within the burst, see createGateway.ts).
 * Its `admit` stage charges the cost bucket once limits/ has estimated and accepted the
 * cost of an operation (`facts.cost`), for each operation of a batch too; a thrown error
 * becomes that operation's response.
 *
 * State: memory or Redis (buckets.ts). When Redis is configured but unreachable, fails
 * or is slower than `timeoutMs`, the buckets are taken from memory, per replica, with the
 * same budgets (FallbackBuckets.ts), and from Redis again once it answers: a Redis outage
 * loosens the limits by the number of replicas instead of lifting them. Each switch is
 * logged once and shown by the gauge gateway_rate_limit_backend{backend}.
 */
import type { BaseContext, GraphQLRequestContext } from '@apollo/server';
import { HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import type { HttpRejection, RawGraphQLRequest } from '../../../lib/http.js';
import type { GatewayMetrics } from '../metrics.js';
import type { GatewayStep } from '../pipeline/GatewayStep.js';
import { MemoryBuckets, RedisBuckets, type BucketStore, type ScriptClient } from './buckets.js';
import { FallbackBuckets, type Backend } from './FallbackBuckets.js';
import type { RateLimitConfig } from './config.js';

export { readRateLimitConfig, type RateLimitConfig } from './config.js';

export { MemoryBuckets, RedisBuckets, TOKEN_BUCKET_SCRIPT, type BucketRule, type BucketStore } from './buckets.js';
export { FallbackBuckets, type Backend } from './FallbackBuckets.js';

export const RATE_LIMITED = 'RATE_LIMITED';

/** What the limiter reads from the Apollo context (auth/ and the HTTP handler set it). */
export interface RateLimitContext extends BaseContext {
  auth?: { kind: string; subject: string };
  clientIp?: string;
  requestId?: string;
}

/** The bucket key of a request's client. */
export function clientKey(context: RateLimitContext): string {
  const auth = context.auth;
  if (auth && auth.kind !== 'anonymous' && auth.subject) return `sub:${auth.subject}`;
  return `anon:${context.clientIp ?? 'unknown'}`;
}

export function rateLimitedError(retryAfterMs: number, budget: 'requests' | 'cost'): GraphQLError {
  const retryAfter = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new GraphQLError(`Too many ${budget === 'cost' ? 'expensive operations' : 'requests'}; retry after ${retryAfter} s.`, {
    extensions: { code: RATE_LIMITED, budget, retryAfter, http: { status: 429, headers: new HeaderMap([['retry-after', String(retryAfter)]]) } },
  });
}

export interface RateLimiterOptions {
  config: RateLimitConfig;
  /** The Redis client of the cache stores, when REDIS_URL is set. */
  redis: ScriptClient | undefined;
  /** CACHE_KEY_PREFIX: the Redis keys live under it. */
  keyPrefix: string;
  /** Deadline of one Redis take in ms (CACHE_TIMEOUT_MS); a slower one is taken from memory. */
  timeoutMs: number;
  /** Least time between two attempts at Redis while it is down, in ms. Default 1000. */
  probeEveryMs?: number;
  logger: Logger;
  /** Sets gateway_rate_limit_backend. */
  metrics?: GatewayMetrics;
}

export interface RateLimiter<TContext extends RateLimitContext> {
  readonly store: BucketStore | undefined;
  /** Takes `requests` (default 1: a batch takes one per operation) from its client's request bucket; the answer to send when it is short. */
  takeRequest(context: RateLimitContext, requests?: number): Promise<HttpRejection | undefined>;
  /** The most requests one HTTP request can take (the request burst), or Infinity when rate limiting is off. */
  readonly largestRequest: number;
  /** Takes an operation's cost from its client's cost bucket; throws RATE_LIMITED when it is short. */
  chargeCost(context: GraphQLRequestContext<TContext>, cost: number): Promise<void>;
  /**
   * Takes `cost` from the client's cost bucket if it holds that much: true if taken, false
   * (nothing taken, nothing logged) if not. For a request that would share another's
   * answer (inboundDedup/sharedResponses.ts); refused, it runs and is refused as usual.
   */
  tryChargeCost(context: RateLimitContext, cost: number): Promise<boolean>;
}

export function createRateLimiter<TContext extends RateLimitContext>(options: RateLimiterOptions): RateLimiter<TContext> {
  const { config } = options;
  const logger = options.logger.child({ component: 'rateLimit' });
  const showBackend = (backend: Backend): void => {
    options.metrics?.rateLimitBackend.set({ backend: 'redis' }, backend === 'redis' ? 1 : 0);
    options.metrics?.rateLimitBackend.set({ backend: 'memory' }, backend === 'memory' ? 1 : 0);
  };
  const onSwitch = (backend: Backend, error?: unknown): void => {
    showBackend(backend);
    if (backend === 'memory') logger.warn({ err: error }, 'rate limit store (Redis) unavailable; limiting per replica in memory until it is back');
    else logger.info('rate limit store (Redis) back; budgets shared through it again');
  };
  let store: BucketStore | undefined;
  if (config.enabled && options.redis) {
    store = new FallbackBuckets({
      redis: new RedisBuckets(options.redis, options.keyPrefix),
      timeoutMs: options.timeoutMs,
      probeEveryMs: options.probeEveryMs,
      onSwitch,
    });
    showBackend('redis');
  } else if (config.enabled) {
    store = new MemoryBuckets();
    showBackend('memory');
  }

  /** The refusal when the bucket is short, else undefined. */
  const take = async (context: RateLimitContext, bucket: 'requests' | 'cost', amount: number, quiet = false): Promise<GraphQLError | undefined> => {
    if (!store || amount <= 0) return undefined;
    const key = clientKey(context);
    const result = await store.take(`${bucket}:${key}`, amount, config[bucket]);
    if (result.allowed) return undefined;
    if (!quiet) logger.info({ client: key, budget: bucket, amount, retryAfterMs: result.retryAfterMs, requestId: context.requestId }, 'rate limited');
    return rateLimitedError(result.retryAfterMs, bucket);
  };

  return {
    store,
    largestRequest: store ? config.requests.burst : Number.POSITIVE_INFINITY,
    async takeRequest(context, requests = 1) {
      const refused = await take(context, 'requests', requests);
      if (!refused) return undefined;
      const { retryAfter, budget } = refused.extensions as { retryAfter: number; budget: string };
      return { status: 429, code: RATE_LIMITED, message: refused.message, extensions: { budget, retryAfter }, headers: { 'retry-after': String(retryAfter) } };
    },
    async chargeCost(context, cost) {
      const refused = await take(context.contextValue, 'cost', cost);
      if (refused) throw refused;
    },
    async tryChargeCost(context, cost) {
      return (await take(context, 'cost', cost, true)) === undefined;
    },
  };
}

/**
 * How many requests of the client's budget an HTTP request is: one per operation of a
 * batch that the batch limit lets through, else one (a refused batch is one request).
 */
export function requestCount(request: RawGraphQLRequest | undefined, maxBatchSize: number): number {
  return request?.method === 'POST' && Array.isArray(request.body) && request.body.length > 0 && request.body.length <= maxBatchSize ? request.body.length : 1;
}

/** The rate-limit step: requests taken over HTTP, cost charged at admission. */
export function rateLimitStep(limiter: RateLimiter<RateLimitContext>, options: { maxBatchSize: number }): GatewayStep {
  return {
    name: 'rate limits',
    http: ({ auth, clientIp, requestId, request }) => limiter.takeRequest({ auth, clientIp, requestId }, requestCount(request, options.maxBatchSize)),
    async admit(operation, facts) {
      if (facts.cost !== undefined) await limiter.chargeCost(operation, facts.cost);
    },
  };
}
