/**
 * The gateway's configuration, read from the environment once, at the entry point.
 */
import { fileURLToPath } from 'node:url';
import { ConfigError, envBoolean, envList, envLogLevel, envNumber, envPort, envString, envUrl, type Env } from '../../lib/env.js';
import { shutdownDrainMs } from '../../lib/drain.js';
import { readHeapGrowthPercent } from '../../lib/heapGrowth.js';
import { readOperationLimits, type OperationLimits } from './limits/config.js';
import { readSubscriptionsConfig, type SubscriptionsConfig } from './subscriptions/config.js';
import { readRateLimitConfig, type RateLimitConfig } from './rateLimit/config.js';
import { readSupergraphUrlConfig, type SupergraphUrlConfig } from './supergraph/config.js';

export type GatewayMode = 'development' | 'production';

/** Who executes query plans: our executor (gateway/src/execution/) or @apollo/gateway's own. */
export type ExecutorKind = 'graph360' | 'apollo';

export interface GatewayConfig {
  /** development or production (NODE_ENV=production). Default development. */
  mode: GatewayMode;
  /** Port to listen on (GATEWAY_PORT). Default 4000. */
  port: number;
  /** Interface to listen on (GATEWAY_HOST). Default 127.0.0.1. */
  host: string;
  /** The composed supergraph file (SUPERGRAPH_PATH). Default schema/supergraph.graphql. */
  supergraphPath: string;
  /**
   * The supergraph fetched from a URL and polled, instead of the file (SUPERGRAPH_URL,
   * SUPERGRAPH_POLL_INTERVAL_MS, SUPERGRAPH_FETCH_TIMEOUT_MS, SUPERGRAPH_URL_AUTHORIZATION;
   * supergraph/config.ts). Not with an explicit SUPERGRAPH_PATH. Default: the file.
   */
  supergraphUrl: SupergraphUrlConfig | undefined;
  /** Subgraph URLs that replace the ones in the supergraph (<NAME>_SUBGRAPH_URL, e.g. CRM_SUBGRAPH_URL). */
  subgraphUrls: Record<string, string>;
  /** Deadline for one subgraph fetch, in ms (SUBGRAPH_TIMEOUT_MS). Default 10000. */
  subgraphTimeoutMs: number;
  /** Redis for every cache, shared by replicas (REDIS_URL). Default: caches in memory. */
  redisUrl: string | undefined;
  /** Origins allowed by CORS (CORS_ORIGINS, comma-separated). Default: none in production, localhost dev servers in development. */
  corsOrigins: string[];
  /** Largest request body, in bytes (MAX_BODY_BYTES). Default 1 MiB. */
  maxBodyBytes: number;
  /**
   * On SIGTERM, how long the gateway keeps serving with /ready at 503 before it closes its
   * listener, so that a load balancer's health check takes it out of rotation first
   * (SHUTDOWN_DRAIN_MS). Default 0.
   */
  shutdownDrainMs: number;
  /** Entity cache on or off (ENTITY_CACHE=off to disable). Default on. */
  entityCache: boolean;
  /** Whole-response cache for public cacheable operations (RESPONSE_CACHE=off to disable). Default on. */
  responseCache: boolean;
  /**
   * `extensions.cacheStatus` (subgraph fetches, cache layers) in every response
   * (EXPOSE_CACHE_STATUS). Default on in development, off in production, where only a
   * caller with the `gateway:debug` scope who sends `x-graph360-debug: cache-status` gets
   * it. The `x-cache` header is sent in every mode.
   */
  exposeCacheStatus: boolean;
  /**
   * Shared secret that authorises cache invalidations sent by subgraphs to
   * POST /internal/invalidate (GATEWAY_INVALIDATION_SECRET). Required in production;
   * a fixed development value otherwise.
   */
  invalidationSecret: string;
  /**
   * During a rotation of the invalidation secret, the one being replaced, still accepted
   * beside the current one (GATEWAY_INVALIDATION_SECRET_PREVIOUS). Unset otherwise.
   */
  invalidationSecretPrevious: string | undefined;
  /** Prefix of every cache key in Redis, so that deployments (or test runs) can share one Redis (CACHE_KEY_PREFIX). Default graph360. */
  cacheKeyPrefix: string;
  /**
   * Deadline of one cache operation in ms; a slower cache is a miss (CACHE_TIMEOUT_MS).
   * Also bounds one rate-limit take from Redis, after which it is taken from memory. Default 250.
   */
  cacheTimeoutMs: number;
  /**
   * After an entity is invalidated, how long fresh reads of it are served but not cached,
   * in ms, so that a backend applying the change a moment later is not cached stale
   * (INVALIDATION_HOLD_MS). Default 3000.
   */
  invalidationHoldMs: number;
  /** Log level (LOG_LEVEL). Default info. */
  logLevel: string;
  /** Authentication of callers (gateway/src/auth/). */
  auth: GatewayAuthConfig;
  /**
   * Secret that signs the gateway's internal token to the subgraphs (GATEWAY_SUBGRAPH_SECRET,
   * at least 32 characters, the same in every subgraph). Required: `npm start` and the test
   * stacks generate one per run.
   */
  subgraphSecret: string;
  /**
   * Bearer token that GET /metrics requires (METRICS_TOKEN). Unset: /metrics is open in
   * development and switched off (404) in production, where metrics describe traffic.
   */
  metricsToken: string | undefined;
  /**
   * Distinct operation names that /metrics counts under their own `operation` label
   * (METRICS_MAX_OPERATION_NAMES); later names are counted as `(other)`, so clients
   * cannot grow the registry. With the safelist on, the manifest's names instead, and
   * only those. Default 100.
   */
  metricsMaxOperationNames: number;
  /**
   * Limits on one operation, checked before planning (limits/): LIMIT_MAX_DEPTH (15),
   * LIMIT_MAX_ALIASES (30), LIMIT_MAX_ROOT_FIELDS (20), LIMIT_MAX_TOKENS (5000),
   * LIMIT_MAX_COST (25000: the customer-360 query for 100 customers costs about 22,600),
   * LIMIT_DEFAULT_LIST_SIZE (10, for lists without first/limit or @listSize),
   * LIMIT_MAX_BATCH_SIZE (10 operations in an HTTP batch), LIMIT_MAX_JSON_DEPTH (128
   * levels of arrays and objects in a request's JSON) and LIMIT_MAX_OPERATION_NAME_LENGTH (128).
   */
  limits: OperationLimits;
  /**
   * Rate limiting per client (rateLimit/): RATE_LIMIT (on/off, default on),
   * RATE_LIMIT_RPS (50) and RATE_LIMIT_BURST (100) requests, RATE_LIMIT_COST_PER_SECOND
   * (50000) and RATE_LIMIT_COST_BURST (100000) of estimated cost.
   */
  rateLimit: RateLimitConfig;
  /**
   * Proxies in front of the gateway whose X-Forwarded-For entries are trusted for the
   * client IP (TRUST_PROXY_HOPS). Default 0: the socket's address.
   */
  trustProxyHops: number;
  /**
   * Safelist mode (safelist/): only the operations of the persisted-operation manifest
   * run, sent by id or as their exact document, and APQ registers nothing (SAFELIST=on).
   * Default off, in development and production alike; production should turn it on.
   */
  safelist: boolean;
  /** The manifest the safelist enforces (SAFELIST_MANIFEST). Default schema/persisted-operations.json. */
  safelistManifest: string;
  /**
   * Who executes query plans (EXECUTOR): graph360, the gateway's own executor
   * (gateway/src/execution/), or apollo, @apollo/gateway's, kept for comparison and
   * rollback. Default graph360.
   */
  executor: ExecutorKind;
  /**
   * Inbound deduplication (inboundDedup/): identical read operations of the same caller
   * in flight at the same time share one execution (INBOUND_DEDUP=off to disable). Default on.
   */
  inboundDedup: boolean;
  /**
   * How much the V8 heap may grow past the live data of the last full collection before
   * the next one, in percent (GATEWAY_HEAP_GROWTH_PERCENT; lib/heapGrowth.ts). Default 50;
   * 0 leaves it to V8, which lets a busy gateway's heap reach about 4x its live data.
   * Applied before this configuration is read, by gateway/src/heapGrowth.ts (index.ts's
   * first import: V8 needs it before the dependencies load); read here as well so that a
   * bad value stops the start with the other configuration errors.
   */
  heapGrowthPercent: number;
  /** Subscriptions' limits and heartbeats (SUBSCRIPTIONS_*; subscriptions/config.ts). */
  subscriptions: SubscriptionsConfig;
}

export interface GatewayAuthConfig {
  /** JWKS of the token issuer (AUTH_JWKS_URL); production uses this. */
  jwksUrl: string | undefined;
  /** A PEM or JWK JSON public key (AUTH_PUBLIC_KEY), for development and tests. One of the two is required. */
  publicKey: string | undefined;
  /** Expected `iss` (AUTH_ISSUER). Default graph360-dev. */
  issuer: string;
  /** Expected `aud` (AUTH_AUDIENCE). Default graph360. */
  audience: string;
  /** JSON file of hashed API keys (API_KEYS_FILE): [{ "id", "sha256", "scopes": [...], "customerId"? }]. */
  apiKeysFile: string | undefined;
  /** A development token the playground pre-fills (AUTH_DEV_TOKEN); ignored in production. */
  devToken: string | undefined;
}

const SUBGRAPH_NAMES = ['crm', 'erp', 'payments'] as const;
const DEV_CORS_ORIGINS = ['http://localhost:5173', 'http://127.0.0.1:5173', 'http://localhost:4000', 'http://127.0.0.1:4000'];
export const DEV_INVALIDATION_SECRET = 'dev-invalidation-secret';

function readExecutor(env: Env): ExecutorKind {
  const value = env.EXECUTOR || 'graph360';
  if (value !== 'graph360' && value !== 'apollo') throw new ConfigError('EXECUTOR', `must be graph360 or apollo, got "${value}"`);
  return value;
}

function readMetricsToken(env: Env): string | undefined {
  const token = env.METRICS_TOKEN || undefined;
  if (token !== undefined && token.length < 16) throw new ConfigError('METRICS_TOKEN', 'must be at least 16 characters');
  return token;
}

export function readGatewayConfig(env: Env): GatewayConfig {
  const mode: GatewayMode = env.NODE_ENV === 'production' ? 'production' : 'development';
  const subgraphUrls: Record<string, string> = {};
  for (const name of SUBGRAPH_NAMES) {
    const variable = `${name.toUpperCase()}_SUBGRAPH_URL`;
    const url = env[variable];
    if (!url) continue;
    envUrl(env, variable);
    subgraphUrls[name] = url;
  }
  const invalidationSecret = envString(env, 'GATEWAY_INVALIDATION_SECRET', mode === 'production' ? '' : DEV_INVALIDATION_SECRET);
  if (invalidationSecret.length < 16) {
    throw new ConfigError('GATEWAY_INVALIDATION_SECRET', 'must be set to a secret of at least 16 characters in production');
  }
  const invalidationSecretPrevious = env.GATEWAY_INVALIDATION_SECRET_PREVIOUS || undefined;
  if (invalidationSecretPrevious !== undefined && invalidationSecretPrevious.length < 16) {
    throw new ConfigError('GATEWAY_INVALIDATION_SECRET_PREVIOUS', 'must be unset or a secret of at least 16 characters, the one being rotated out');
  }
  const corsOrigins = envList(env, 'CORS_ORIGINS');
  const subgraphSecret = envString(env, 'GATEWAY_SUBGRAPH_SECRET', '');
  if (subgraphSecret.length < 32) {
    throw new ConfigError(
      'GATEWAY_SUBGRAPH_SECRET',
      'must be set to a secret of at least 32 characters, the same one the subgraphs are given (`npm start` generates one)',
    );
  }
  const jwksUrl = env.AUTH_JWKS_URL || undefined;
  const publicKey = env.AUTH_PUBLIC_KEY || undefined;
  if (!jwksUrl && !publicKey) {
    throw new ConfigError(
      'AUTH_JWKS_URL',
      "set AUTH_JWKS_URL (the token issuer's JWKS) or AUTH_PUBLIC_KEY (a PEM or JWK public key; `npm start` generates a development one)",
    );
  }
  if (jwksUrl) {
    const url = envUrl(env, 'AUTH_JWKS_URL', jwksUrl);
    if (mode === 'production' && url.protocol !== 'https:') throw new ConfigError('AUTH_JWKS_URL', 'must be an https URL in production');
  }
  return {
    mode,
    port: envPort(env, 'GATEWAY_PORT', 4000),
    host: envString(env, 'GATEWAY_HOST', '127.0.0.1'),
    supergraphPath: envString(env, 'SUPERGRAPH_PATH', fileURLToPath(new URL('../../schema/supergraph.graphql', import.meta.url))),
    supergraphUrl: readSupergraphUrlConfig(env),
    subgraphUrls,
    subgraphTimeoutMs: envNumber(env, 'SUBGRAPH_TIMEOUT_MS', 10_000, { min: 1, max: 600_000, integer: true }),
    redisUrl: env.REDIS_URL || undefined,
    corsOrigins: corsOrigins.length > 0 ? corsOrigins : mode === 'production' ? [] : DEV_CORS_ORIGINS,
    maxBodyBytes: envNumber(env, 'MAX_BODY_BYTES', 1024 * 1024, { min: 1024, max: 100 * 1024 * 1024, integer: true }),
    shutdownDrainMs: shutdownDrainMs(env),
    entityCache: envBoolean(env, 'ENTITY_CACHE', true),
    responseCache: envBoolean(env, 'RESPONSE_CACHE', true),
    exposeCacheStatus: envBoolean(env, 'EXPOSE_CACHE_STATUS', mode !== 'production'),
    invalidationSecret,
    invalidationSecretPrevious,
    cacheKeyPrefix: envString(env, 'CACHE_KEY_PREFIX', 'graph360'),
    cacheTimeoutMs: envNumber(env, 'CACHE_TIMEOUT_MS', 250, { min: 1, max: 60_000, integer: true }),
    invalidationHoldMs: envNumber(env, 'INVALIDATION_HOLD_MS', 3000, { min: 0, max: 600_000, integer: true }),
    logLevel: envLogLevel(env),
    auth: {
      jwksUrl,
      publicKey,
      issuer: envString(env, 'AUTH_ISSUER', 'graph360-dev'),
      audience: envString(env, 'AUTH_AUDIENCE', 'graph360'),
      apiKeysFile: env.API_KEYS_FILE || undefined,
      devToken: mode === 'production' ? undefined : env.AUTH_DEV_TOKEN || undefined,
    },
    subgraphSecret,
    metricsToken: readMetricsToken(env),
    metricsMaxOperationNames: envNumber(env, 'METRICS_MAX_OPERATION_NAMES', 100, { min: 1, max: 10_000, integer: true }),
    limits: readOperationLimits(env),
    rateLimit: readRateLimitConfig(env),
    trustProxyHops: envNumber(env, 'TRUST_PROXY_HOPS', 0, { min: 0, max: 10, integer: true }),
    safelist: envBoolean(env, 'SAFELIST', false),
    safelistManifest: envString(env, 'SAFELIST_MANIFEST', fileURLToPath(new URL('../../schema/persisted-operations.json', import.meta.url))),
    executor: readExecutor(env),
    inboundDedup: envBoolean(env, 'INBOUND_DEDUP', true),
    heapGrowthPercent: readHeapGrowthPercent(env, 'GATEWAY_HEAP_GROWTH_PERCENT'),
    subscriptions: readSubscriptionsConfig(env),
  };
}
