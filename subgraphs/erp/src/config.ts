/**
 * The erp subgraph's configuration, read once from the environment at the entry point.
 * The defaults point at the ERP sandbox, so `npm start` works with no env; pointing
 * ERP_URL, ERP_DB, ERP_USERNAME and ERP_PASSWORD (an API key) at an Odoo database is all
 * it takes to talk to Odoo itself.
 */
import {
  ConfigError,
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
import { CURRENCY_CODES, type CurrencyCode } from './models.js';

export interface OdooSettings extends OdooConnectionSettings {
  /**
   * The company currency (ERP_COMPANY_CURRENCY): product list prices are in it, and a
   * customer with no invoice owes zero in it. Default USD, the sandbox company's.
   */
  companyCurrency: CurrencyCode;
}

export interface ErpPolicySettings {
  /** Deadline of one backend attempt, in ms (ERP_TIMEOUT_MS). Default 5000. */
  timeoutMs: number;
  /** Attempts in all for a call that may be repeated (ERP_MAX_ATTEMPTS). Default 3. */
  maxAttempts: number;
  /** Consecutive failures that open the breaker (ERP_BREAKER_THRESHOLD). Default 5. */
  breakerThreshold: number;
  /** How long the breaker stays open before a trial call, in ms (ERP_BREAKER_HALF_OPEN_MS). Default 10000. */
  breakerHalfOpenAfterMs: number;
}

export interface CatalogCacheSettings {
  /** How long a product read from Odoo is served from the cache, in ms (CATALOG_CACHE_TTL_MS). Default 300000. */
  ttlMs: number;
  /** Redis URL (REDIS_URL); the cache is in this process's memory when absent. */
  redisUrl: string | undefined;
}

export interface ErpSubgraphConfig {
  /** Port to listen on (ERP_SUBGRAPH_PORT); 0 picks a free one. Default 4002. */
  port: number;
  /** Interface to listen on (SUBGRAPH_HOST). Default 127.0.0.1. */
  host: string;
  odoo: OdooSettings;
  policy: ErpPolicySettings;
  catalogCache: CatalogCacheSettings;
  /** pino level (LOG_LEVEL). Default info. */
  logLevel: string;
  /** GATEWAY_SUBGRAPH_SECRET: only requests carrying the gateway's token signed with it are answered. Required. Never logged. */
  gatewaySecret: string;
  /** GATEWAY_SUBGRAPH_SECRET_PREVIOUS: during a rotation, the secret being replaced, still accepted. Optional. Never logged. */
  gatewaySecretPrevious?: string;
}

export function readErpSubgraphConfig(env: Env): ErpSubgraphConfig {
  const logLevel = envLogLevel(env);
  const companyCurrency = envString(env, 'ERP_COMPANY_CURRENCY', 'USD');
  if (!(CURRENCY_CODES as readonly string[]).includes(companyCurrency)) {
    throw new ConfigError('ERP_COMPANY_CURRENCY', `must be one of ${CURRENCY_CODES.join(', ')}, got "${companyCurrency}"`);
  }
  return {
    port: envPort(env, 'ERP_SUBGRAPH_PORT', 4002),
    host: envString(env, 'SUBGRAPH_HOST', '127.0.0.1'),
    odoo: {
      ...readOdooConnection(env),
      companyCurrency: companyCurrency as CurrencyCode,
    },
    policy: {
      timeoutMs: envNumber(env, 'ERP_TIMEOUT_MS', 5000, { min: 1, max: 600_000, integer: true }),
      maxAttempts: envNumber(env, 'ERP_MAX_ATTEMPTS', 3, { min: 1, max: 10, integer: true }),
      breakerThreshold: envNumber(env, 'ERP_BREAKER_THRESHOLD', 5, { min: 1, max: 1000, integer: true }),
      breakerHalfOpenAfterMs: envNumber(env, 'ERP_BREAKER_HALF_OPEN_MS', 10_000, { min: 1, max: 3_600_000, integer: true }),
    },
    catalogCache: {
      ttlMs: envNumber(env, 'CATALOG_CACHE_TTL_MS', 300_000, { min: 1, max: 86_400_000, integer: true }),
      redisUrl: envRedisUrl(env),
    },
    logLevel,
    gatewaySecret: readGatewaySecret(env),
    gatewaySecretPrevious: readPreviousGatewaySecret(env),
  };
}
