/**
 * The ERP sandbox's configuration, read once from the environment at the entry point.
 */
import { envString, readSandboxBaseConfig, type Env, type SandboxBaseConfig } from '../../kit/src/index.js';

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
}

export const ERP_DEFAULT_PORT = 4102;

export function readErpSandboxConfig(env: Env): ErpSandboxConfig {
  return {
    ...readSandboxBaseConfig(env, 'erp', 'ERP_SANDBOX_PORT', ERP_DEFAULT_PORT),
    database: envString(env, 'ERP_SANDBOX_DB', 'sandbox'),
    login: envString(env, 'ERP_SANDBOX_LOGIN', 'admin'),
    password: envString(env, 'ERP_SANDBOX_PASSWORD', 'admin'),
    stripeWebhookSecret: envString(env, 'ERP_SANDBOX_STRIPE_WEBHOOK_SECRET', 'whsec_sandbox'),
  };
}
