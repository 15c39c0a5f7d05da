/**
 * The payments subgraph's configuration, read once from the environment at the entry
 * point. The defaults point at the payments sandbox, so `npm start` works with no env;
 * pointing STRIPE_API_URL at https://api.stripe.com and STRIPE_SECRET_KEY at a real key
 * is all it takes to talk to Stripe itself.
 */
import {
  checkUrl,
  ConfigError,
  envBoolean,
  envLogLevel,
  envNumber,
  envPort,
  envRedisUrl,
  envString,
  readGatewaySecret,
  readPreviousGatewaySecret,
  readOdooConnection,
  type Env,
  type OdooConnectionSettings,
} from '../../kit/src/index.js';

export interface StripeSettings {
  /** Base URL of the Stripe API (STRIPE_API_URL). Default http://127.0.0.1:4103, the sandbox. */
  apiUrl: string;
  /** Secret API key (STRIPE_SECRET_KEY). Default `sk_test_sandbox`. Never logged. */
  secretKey: string;
  /** Signing secret of the webhook endpoint (STRIPE_WEBHOOK_SECRET). Default `whsec_sandbox`. Never logged. */
  webhookSecret: string;
}

export interface PaymentsPolicySettings {
  /** Deadline of one backend attempt, in ms (PAYMENTS_TIMEOUT_MS). Default 5000. */
  timeoutMs: number;
  /** Attempts in all for a call that may be repeated (PAYMENTS_MAX_ATTEMPTS). Default 3. */
  maxAttempts: number;
  /** First backoff step, in ms (PAYMENTS_RETRY_BASE_MS). Default 100. */
  baseDelayMs: number;
  /** Consecutive failures that open the breaker (PAYMENTS_BREAKER_THRESHOLD). Default 5. */
  breakerThreshold: number;
  /** How long the breaker stays open before a trial call, in ms (PAYMENTS_BREAKER_HALF_OPEN_MS). Default 10000. */
  breakerHalfOpenAfterMs: number;
}

/** Where cache invalidations for webhook events go (the gateway's POST /internal/invalidate). */
export interface GatewayInvalidationSettings {
  /** The gateway's base URL (GATEWAY_URL). Default http://127.0.0.1:4000. */
  url: string;
  /** The gateway's invalidation secret (GATEWAY_INVALIDATION_SECRET). Default: the gateway's development secret. Never logged. */
  invalidationSecret: string;
}

/** The local read model of payments (src/readModel): see the README's "Read model". */
export interface ReadModelSettings {
  /** Keep one (PAYMENTS_READ_MODEL=on|off). Default on; off serves every lookup through Stripe's search. */
  enabled: boolean;
  /** Time between two catch-ups from GET /v1/events, in ms (PAYMENTS_READ_MODEL_CATCHUP_MS). Default 5000. */
  catchUpIntervalMs: number;
  /**
   * How long after its last successful catch-up the model is still served, in ms
   * (PAYMENTS_READ_MODEL_MAX_LAG_MS); past it lookups go to Stripe's search. Default 60000.
   */
  maxLagMs: number;
}

/**
 * The ERP, read before any money moves: payInvoice checks the invoice there (owner,
 * currency, open, residual) and asks which provider payments it has already applied.
 * The same ERP_URL, ERP_DB, ERP_USERNAME and ERP_PASSWORD as the erp subgraph.
 */
export interface ErpCheckSettings extends OdooConnectionSettings {
  /** Deadline of one ERP call, in ms (PAYMENTS_ERP_TIMEOUT_MS). Default 5000. */
  timeoutMs: number;
}

/** The paymentEvents subscription (src/events/). */
export interface PaymentEventsSettings {
  /**
   * The Redis pub/sub channel (and prefix of the de-duplication keys) shared by the
   * replicas of one deployment (PAYMENTS_EVENTS_CHANNEL). Default `graph360:payments:events`;
   * another deployment on the same Redis needs another one.
   */
  channel: string;
  /** First wait before asking the ERP, in ms, doubled after each look (PAYMENTS_RECONCILE_FIRST_DELAY_MS). Default 250. */
  reconcileFirstDelayMs: number;
  /** How long to keep asking in all, in ms (PAYMENTS_RECONCILE_WATCH_MS); past it a warning is logged, nothing published. Default 60000. */
  reconcileWatchMs: number;
}

export interface PaymentsSubgraphConfig {
  /** Port to listen on (PAYMENTS_SUBGRAPH_PORT); 0 picks a free one. Default 4003. */
  port: number;
  /** Interface to listen on (SUBGRAPH_HOST). Default 127.0.0.1. */
  host: string;
  stripe: StripeSettings;
  policy: PaymentsPolicySettings;
  gateway: GatewayInvalidationSettings;
  readModel: ReadModelSettings;
  erp: ErpCheckSettings;
  events: PaymentEventsSettings;
  /**
   * Redis (REDIS_URL): payments on one invoice are serialised across replicas through a
   * lease in it, idempotency records are shared, and payment events go to every
   * replica's subscribers (published once). Unset: one process, in memory.
   */
  redisUrl: string | undefined;
  /** pino level (LOG_LEVEL). Default info. */
  logLevel: string;
  /** GATEWAY_SUBGRAPH_SECRET: only requests carrying the gateway's token signed with it are answered. Required. Never logged. */
  gatewaySecret: string;
  /** GATEWAY_SUBGRAPH_SECRET_PREVIOUS: during a rotation, the secret being replaced, still accepted. Optional. Never logged. */
  gatewaySecretPrevious?: string;
}

function apiUrl(env: Env): string {
  const value = envString(env, 'STRIPE_API_URL', 'http://127.0.0.1:4103');
  const url = checkUrl('STRIPE_API_URL', value);
  // The stripe client takes a host, a port and a protocol: a path would be silently dropped.
  if (url.pathname !== '/' || url.search !== '')
    throw new ConfigError('STRIPE_API_URL', `must be a bare origin such as https://api.stripe.com, got "${value}"`);
  return url.origin;
}

export function readPaymentsSubgraphConfig(env: Env): PaymentsSubgraphConfig {
  const logLevel = envLogLevel(env);
  return {
    port: envPort(env, 'PAYMENTS_SUBGRAPH_PORT', 4003),
    host: envString(env, 'SUBGRAPH_HOST', '127.0.0.1'),
    stripe: {
      apiUrl: apiUrl(env),
      secretKey: envString(env, 'STRIPE_SECRET_KEY', 'sk_test_sandbox'),
      webhookSecret: envString(env, 'STRIPE_WEBHOOK_SECRET', 'whsec_sandbox'),
    },
    policy: {
      timeoutMs: envNumber(env, 'PAYMENTS_TIMEOUT_MS', 5000, { min: 1, max: 120_000, integer: true }),
      maxAttempts: envNumber(env, 'PAYMENTS_MAX_ATTEMPTS', 3, { min: 1, max: 10, integer: true }),
      baseDelayMs: envNumber(env, 'PAYMENTS_RETRY_BASE_MS', 100, { min: 0, max: 60_000, integer: true }),
      breakerThreshold: envNumber(env, 'PAYMENTS_BREAKER_THRESHOLD', 5, { min: 1, max: 1000, integer: true }),
      breakerHalfOpenAfterMs: envNumber(env, 'PAYMENTS_BREAKER_HALF_OPEN_MS', 10_000, { min: 1, max: 3_600_000, integer: true }),
    },
    gateway: {
      url: gatewayUrl(env),
      // The gateway's own development default (gateway/src/config.ts); production sets both.
      invalidationSecret: envString(env, 'GATEWAY_INVALIDATION_SECRET', 'dev-invalidation-secret'),
    },
    readModel: readModelSettings(env),
    erp: { ...readOdooConnection(env), timeoutMs: envNumber(env, 'PAYMENTS_ERP_TIMEOUT_MS', 5000, { min: 1, max: 120_000, integer: true }) },
    events: {
      channel: envString(env, 'PAYMENTS_EVENTS_CHANNEL', 'graph360:payments:events'),
      reconcileFirstDelayMs: envNumber(env, 'PAYMENTS_RECONCILE_FIRST_DELAY_MS', 250, { min: 1, max: 60_000, integer: true }),
      reconcileWatchMs: envNumber(env, 'PAYMENTS_RECONCILE_WATCH_MS', 60_000, { min: 0, max: 3_600_000, integer: true }),
    },
    redisUrl: envRedisUrl(env),
    logLevel,
    gatewaySecret: readGatewaySecret(env),
    gatewaySecretPrevious: readPreviousGatewaySecret(env),
  };
}

function readModelSettings(env: Env): ReadModelSettings {
  const enabled = envBoolean(env, 'PAYMENTS_READ_MODEL', true);
  const catchUpIntervalMs = envNumber(env, 'PAYMENTS_READ_MODEL_CATCHUP_MS', 5000, { min: 100, max: 3_600_000, integer: true });
  const maxLagMs = envNumber(env, 'PAYMENTS_READ_MODEL_MAX_LAG_MS', 60_000, { min: 1000, max: 86_400_000, integer: true });
  if (maxLagMs <= catchUpIntervalMs) {
    throw new ConfigError('PAYMENTS_READ_MODEL_MAX_LAG_MS', `must be longer than PAYMENTS_READ_MODEL_CATCHUP_MS (${catchUpIntervalMs}), got ${maxLagMs}`);
  }
  return { enabled, catchUpIntervalMs, maxLagMs };
}

function gatewayUrl(env: Env): string {
  const value = envString(env, 'GATEWAY_URL', 'http://127.0.0.1:4000');
  return checkUrl('GATEWAY_URL', value).origin;
}
