/**
 * The ERP sandbox's configuration, read once from the environment at the entry point.
 */
import { envNumber, envString, readSandboxBaseConfig, type Env, type SandboxBaseConfig } from '../../kit/src/index.js';

export interface ErpSandboxConfig extends SandboxBaseConfig {
  /** The one database the server has (ERP_SANDBOX_DB). Default `sandbox`. */
  database: string;
  /** The admin user's login (ERP_SANDBOX_LOGIN). Default `admin`. */
  login: string;
  /** The admin user's password, also accepted as its API key (ERP_SANDBOX_PASSWORD). Default `admin`. */
  password: string;
  /**
   * The signing secret of the Stripe webhook endpoint, POST /payment/stripe/webhook
   * (ERP_SANDBOX_STRIPE_WEBHOOK_SECRET). Default `whsec_sandbox`, the payments sandbox's.
   */
  stripeWebhookSecret: string;
  /**
   * How long the ids of processed Stripe events are remembered to recognise a redelivery
   * (ERP_SANDBOX_STRIPE_EVENT_RETENTION_MS). Default 2,592,000,000: 30 days, as long as
   * Stripe keeps an event (it stops retrying a delivery after 3 days).
   */
  stripeEventRetentionMs: number;
  /** How often the older ones are deleted (ERP_SANDBOX_PRUNE_INTERVAL_MS). Default 300,000 (5 min). */
  pruneIntervalMs: number;
}

/** Stripe keeps events 30 days: no delivery of an older one can come. */
export const DEFAULT_STRIPE_EVENT_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

export const ERP_DEFAULT_PORT = 4102;

export function readErpSandboxConfig(env: Env): ErpSandboxConfig {
  return {
    ...readSandboxBaseConfig(env, 'erp', 'ERP_SANDBOX_PORT', ERP_DEFAULT_PORT),
    database: envString(env, 'ERP_SANDBOX_DB', 'sandbox'),
    login: envString(env, 'ERP_SANDBOX_LOGIN', 'admin'),
    password: envString(env, 'ERP_SANDBOX_PASSWORD', 'admin'),
    stripeWebhookSecret: envString(env, 'ERP_SANDBOX_STRIPE_WEBHOOK_SECRET', 'whsec_sandbox'),
    stripeEventRetentionMs: envNumber(env, 'ERP_SANDBOX_STRIPE_EVENT_RETENTION_MS', DEFAULT_STRIPE_EVENT_RETENTION_MS, {
      min: 1,
      max: 365 * 24 * 60 * 60 * 1000,
      integer: true,
    }),
    pruneIntervalMs: envNumber(env, 'ERP_SANDBOX_PRUNE_INTERVAL_MS', 300_000, { min: 1, max: 86_400_000, integer: true }),
  };
}
