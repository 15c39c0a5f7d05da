/**
 * The payments sandbox's configuration, read once from the environment at the entry
 * point. Tests build it the same way, from a plain object, so they exercise the parsing.
 */
import { checkUrl, ConfigError, envList, envNumber, envString, readSandboxBaseConfig, type Env, type SandboxBaseConfig } from '../../kit/src/index.js';

/**
 * The API version the sandbox account "defaults" to: the one stripe-node 23.1.0 pins, so
 * that events (which carry the account's version, not the request's) match what the
 * official client expects.
 */
export const DEFAULT_API_VERSION = '2026-10-28.endive';

export interface PaymentsSandboxConfig extends SandboxBaseConfig {
  /** The one secret API key accepted (PAYMENTS_SANDBOX_SECRET_KEY). Default `sk_test_sandbox`. */
  secretKey: string;
  /** Signing secret of the configured webhook endpoints (PAYMENTS_SANDBOX_WEBHOOK_SECRET). Default `whsec_sandbox`. */
  webhookSecret: string;
  /** Endpoints every event is POSTed to (PAYMENTS_SANDBOX_WEBHOOK_URLS, comma-separated). Default none. */
  webhookUrls: string[];
  /** Delay before the first retry of a failed delivery, doubled each time (PAYMENTS_SANDBOX_WEBHOOK_RETRY_BASE_MS). Default 1000. */
  webhookRetryBaseMs: number;
  /** Longest delay between two attempts (PAYMENTS_SANDBOX_WEBHOOK_RETRY_MAX_MS). Default 3,600,000 (1 h). */
  webhookRetryMaxMs: number;
  /** Attempts per delivery before it is given up (PAYMENTS_SANDBOX_WEBHOOK_MAX_ATTEMPTS). Default 10. */
  webhookMaxAttempts: number;
  /** How long one delivery attempt may take (PAYMENTS_SANDBOX_WEBHOOK_TIMEOUT_MS). Default 10,000. */
  webhookTimeoutMs: number;
  /** The account's default API version, sent when a request names none (PAYMENTS_SANDBOX_API_VERSION). */
  apiVersion: string;
  /**
   * How long an idempotency key is honoured, and after which its record is deleted
   * (PAYMENTS_SANDBOX_IDEMPOTENCY_RETENTION_MS). Default 86,400,000 (24 h, Stripe's).
   */
  idempotencyRetentionMs: number;
  /**
   * How long events are listed and retrievable, after which they and their finished
   * webhook deliveries are deleted (PAYMENTS_SANDBOX_EVENT_RETENTION_MS). Default
   * 2,592,000,000 (30 days, Stripe's).
   */
  eventRetentionMs: number;
  /** How often what outlived its retention is deleted (PAYMENTS_SANDBOX_PRUNE_INTERVAL_MS). Default 300,000 (5 min). */
  pruneIntervalMs: number;
}

/** Stripe's: idempotency keys "can be pruned ... after they're at least 24 hours old". */
export const DEFAULT_IDEMPOTENCY_RETENTION_MS = 24 * 60 * 60 * 1000;
/** Stripe's: events are listed "going back 30 days", retrieved "if created in the last 30 days". */
export const DEFAULT_EVENT_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;
const YEAR_MS = 365 * 24 * 60 * 60 * 1000;

function webhookUrls(env: Env): string[] {
  const name = 'PAYMENTS_SANDBOX_WEBHOOK_URLS';
  const urls = envList(env, name);
  for (const url of urls) checkUrl(name, url);
  return urls;
}

export function readPaymentsSandboxConfig(env: Env): PaymentsSandboxConfig {
  const apiVersion = envString(env, 'PAYMENTS_SANDBOX_API_VERSION', DEFAULT_API_VERSION);
  if (!/^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$/.test(apiVersion)) {
    throw new ConfigError('PAYMENTS_SANDBOX_API_VERSION', `must look like 2026-10-28.endive, got "${apiVersion}"`);
  }
  return {
    ...readSandboxBaseConfig(env, 'payments', 'PAYMENTS_SANDBOX_PORT', 4103),
    secretKey: envString(env, 'PAYMENTS_SANDBOX_SECRET_KEY', 'sk_test_sandbox'),
    webhookSecret: envString(env, 'PAYMENTS_SANDBOX_WEBHOOK_SECRET', 'whsec_sandbox'),
    webhookUrls: webhookUrls(env),
    webhookRetryBaseMs: envNumber(env, 'PAYMENTS_SANDBOX_WEBHOOK_RETRY_BASE_MS', 1000, { min: 1, max: 86_400_000, integer: true }),
    webhookRetryMaxMs: envNumber(env, 'PAYMENTS_SANDBOX_WEBHOOK_RETRY_MAX_MS', 3_600_000, { min: 1, max: 86_400_000, integer: true }),
    webhookMaxAttempts: envNumber(env, 'PAYMENTS_SANDBOX_WEBHOOK_MAX_ATTEMPTS', 10, { min: 1, max: 100, integer: true }),
    webhookTimeoutMs: envNumber(env, 'PAYMENTS_SANDBOX_WEBHOOK_TIMEOUT_MS', 10_000, { min: 1, max: 600_000, integer: true }),
    apiVersion,
    idempotencyRetentionMs: envNumber(env, 'PAYMENTS_SANDBOX_IDEMPOTENCY_RETENTION_MS', DEFAULT_IDEMPOTENCY_RETENTION_MS, {
      min: 1,
      max: YEAR_MS,
      integer: true,
    }),
    eventRetentionMs: envNumber(env, 'PAYMENTS_SANDBOX_EVENT_RETENTION_MS', DEFAULT_EVENT_RETENTION_MS, { min: 1, max: YEAR_MS, integer: true }),
    pruneIntervalMs: envNumber(env, 'PAYMENTS_SANDBOX_PRUNE_INTERVAL_MS', 300_000, { min: 1, max: 86_400_000, integer: true }),
  };
}
