/**
 * The crm subgraph's configuration, read once from the environment at the entry point.
 * The defaults point at the CRM sandbox, so `npm start` works with no env; pointing
 * CRM_API_URL at https://api.hubapi.com and CRM_API_TOKEN at a private app's access token
 * is all it takes to talk to HubSpot itself.
 */
import {
  checkUrl,
  ConfigError,
  envLogLevel,
  envNumber,
  envPort,
  envString,
  readGatewaySecret,
  readPreviousGatewaySecret,
  type Env,
} from '../../kit/src/index.js';
import { CURRENCY_CODES, type CurrencyCode } from './models.js';

export interface HubSpotSettings {
  /** Base URL of the CRM API (CRM_API_URL). Default http://127.0.0.1:4101, the sandbox. */
  apiUrl: string;
  /** Bearer token of a private app (CRM_API_TOKEN). Default `crm-sandbox-token`. Never logged. */
  token: string;
  /**
   * The company property that holds the billing currency (CRM_CURRENCY_PROPERTY). HubSpot
   * has no default one, so each portal names its own custom property. Default `company_currency`.
   */
  currencyProperty: string;
  /** Currency of a company whose currency property is empty (CRM_DEFAULT_CURRENCY). Default USD. */
  defaultCurrency: CurrencyCode;
}

export interface CrmPolicySettings {
  /** Deadline of one backend attempt, in ms (CRM_TIMEOUT_MS). Default 5000. */
  timeoutMs: number;
  /** Attempts in all for a call that may be repeated (CRM_MAX_ATTEMPTS). Default 3. */
  maxAttempts: number;
  /** Consecutive failures that open the breaker (CRM_BREAKER_THRESHOLD). Default 5. */
  breakerThreshold: number;
  /** How long the breaker stays open before a trial call, in ms (CRM_BREAKER_HALF_OPEN_MS). Default 10000. */
  breakerHalfOpenAfterMs: number;
}

export interface CrmSubgraphConfig {
  /** Port to listen on (CRM_SUBGRAPH_PORT); 0 picks a free one. Default 4001. */
  port: number;
  /** Interface to listen on (SUBGRAPH_HOST). Default 127.0.0.1. */
  host: string;
  hubspot: HubSpotSettings;
  policy: CrmPolicySettings;
  /** pino level (LOG_LEVEL). Default info. */
  logLevel: string;
  /** GATEWAY_SUBGRAPH_SECRET: only requests carrying the gateway's token signed with it are answered. Required. Never logged. */
  gatewaySecret: string;
  /** GATEWAY_SUBGRAPH_SECRET_PREVIOUS: during a rotation, the secret being replaced, still accepted. Optional. Never logged. */
  gatewaySecretPrevious?: string;
}

function apiUrl(env: Env): string {
  const value = envString(env, 'CRM_API_URL', 'http://127.0.0.1:4101');
  const url = checkUrl('CRM_API_URL', value);
  // Every path the connector sends starts at /crm/..., so a base path would be lost.
  if (url.pathname !== '/' || url.search !== '') throw new ConfigError('CRM_API_URL', `must be a bare origin such as https://api.hubapi.com, got "${value}"`);
  return url.origin;
}

export function readCrmSubgraphConfig(env: Env): CrmSubgraphConfig {
  const logLevel = envLogLevel(env);
  const defaultCurrency = envString(env, 'CRM_DEFAULT_CURRENCY', 'USD');
  if (!(CURRENCY_CODES as readonly string[]).includes(defaultCurrency)) {
    throw new ConfigError('CRM_DEFAULT_CURRENCY', `must be one of ${CURRENCY_CODES.join(', ')}, got "${defaultCurrency}"`);
  }
  const token = envString(env, 'CRM_API_TOKEN', 'crm-sandbox-token');
  // Never echo the value: a token pasted with a stray space would otherwise reach a log.
  if (/\s/.test(token)) throw new ConfigError('CRM_API_TOKEN', 'must not contain whitespace');
  return {
    port: envPort(env, 'CRM_SUBGRAPH_PORT', 4001),
    host: envString(env, 'SUBGRAPH_HOST', '127.0.0.1'),
    hubspot: {
      apiUrl: apiUrl(env),
      token,
      currencyProperty: envString(env, 'CRM_CURRENCY_PROPERTY', 'company_currency'),
      defaultCurrency: defaultCurrency as CurrencyCode,
    },
    policy: {
      timeoutMs: envNumber(env, 'CRM_TIMEOUT_MS', 5000, { min: 1, max: 600_000, integer: true }),
      maxAttempts: envNumber(env, 'CRM_MAX_ATTEMPTS', 3, { min: 1, max: 10, integer: true }),
      breakerThreshold: envNumber(env, 'CRM_BREAKER_THRESHOLD', 5, { min: 1, max: 1000, integer: true }),
      breakerHalfOpenAfterMs: envNumber(env, 'CRM_BREAKER_HALF_OPEN_MS', 10_000, { min: 1, max: 3_600_000, integer: true }),
    },
    logLevel,
    gatewaySecret: readGatewaySecret(env),
    gatewaySecretPrevious: readPreviousGatewaySecret(env),
  };
}
