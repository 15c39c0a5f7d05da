/**
 * The CRM sandbox's configuration, read once from the environment at the entry point.
 * A bad value stops start-up with a message naming the variable (ConfigError).
 */
import { envList, envNumber, envString, readSandboxBaseConfig, type Env, type SandboxBaseConfig } from '../../kit/src/index.js';

export interface CrmSandboxConfig extends SandboxBaseConfig {
  /**
   * Bearer tokens the sandbox accepts: CRM_SANDBOX_TOKEN (default `crm-sandbox-token`)
   * plus any in CRM_SANDBOX_TOKENS (comma-separated). Each token has its own rate limit,
   * as each private app does.
   */
  tokens: string[];
  /**
   * Requests per token per rolling 10 s (CRM_SANDBOX_RATE_LIMIT). Default 190, HubSpot's
   * burst limit for a private app on a Professional account; 0 turns the limit off.
   */
  rateLimit: number;
}

export const DEFAULT_CRM_PORT = 4101;
export const DEFAULT_CRM_TOKEN = 'crm-sandbox-token';
export const DEFAULT_CRM_RATE_LIMIT = 190;

export function readCrmSandboxConfig(env: Env): CrmSandboxConfig {
  const base = readSandboxBaseConfig(env, 'crm', 'CRM_SANDBOX_PORT', DEFAULT_CRM_PORT);
  const tokens = [envString(env, 'CRM_SANDBOX_TOKEN', DEFAULT_CRM_TOKEN), ...envList(env, 'CRM_SANDBOX_TOKENS')];
  return {
    ...base,
    tokens: [...new Set(tokens)],
    rateLimit: envNumber(env, 'CRM_SANDBOX_RATE_LIMIT', DEFAULT_CRM_RATE_LIMIT, { min: 0, max: 1_000_000, integer: true }),
  };
}
