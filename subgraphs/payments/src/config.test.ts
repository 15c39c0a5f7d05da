import { describe, expect, it } from 'vitest';
import { readPaymentsSubgraphConfig } from './config.js';

const SECRET = 'a-gateway-subgraph-secret-of-32-chars!';

describe('readPaymentsSubgraphConfig', () => {
  it('defaults to the sandbox and the documented settings', () => {
    expect(readPaymentsSubgraphConfig({ GATEWAY_SUBGRAPH_SECRET: SECRET })).toEqual({
      port: 4003,
      host: '127.0.0.1',
      stripe: { apiUrl: 'http://127.0.0.1:4103', secretKey: 'sk_test_sandbox', webhookSecret: 'whsec_sandbox' },
      policy: { timeoutMs: 5000, maxAttempts: 3, baseDelayMs: 100, breakerThreshold: 5, breakerHalfOpenAfterMs: 10_000 },
      gateway: { url: 'http://127.0.0.1:4000', invalidationSecret: 'dev-invalidation-secret' },
      readModel: { enabled: true, catchUpIntervalMs: 5000, maxLagMs: 60_000 },
      erp: { url: 'http://127.0.0.1:4102', db: 'sandbox', username: 'admin', password: 'admin', timeoutMs: 5000 },
      events: { channel: 'graph360:payments:events', reconcileFirstDelayMs: 250, reconcileWatchMs: 60_000 },
      redisUrl: undefined,
      logLevel: 'info',
      gatewaySecret: SECRET,
    });
  });

  it('reads every variable', () => {
    const config = readPaymentsSubgraphConfig({
      GATEWAY_SUBGRAPH_SECRET: SECRET,
      PAYMENTS_SUBGRAPH_PORT: '0',
      SUBGRAPH_HOST: '0.0.0.0',
      STRIPE_API_URL: 'https://api.stripe.com/',
      STRIPE_SECRET_KEY: 'sk_live_x',
      STRIPE_WEBHOOK_SECRET: 'whsec_x',
      PAYMENTS_TIMEOUT_MS: '800',
      PAYMENTS_MAX_ATTEMPTS: '1',
      PAYMENTS_RETRY_BASE_MS: '5',
      PAYMENTS_BREAKER_THRESHOLD: '2',
      PAYMENTS_BREAKER_HALF_OPEN_MS: '50',
      GATEWAY_URL: 'http://gateway.internal:4000/graphql',
      GATEWAY_INVALIDATION_SECRET: 'a-long-shared-secret',
      PAYMENTS_READ_MODEL: 'off',
      PAYMENTS_READ_MODEL_CATCHUP_MS: '250',
      PAYMENTS_READ_MODEL_MAX_LAG_MS: '2000',
      ERP_URL: 'https://erp.example.com/odoo/',
      ERP_DB: 'prod',
      ERP_USERNAME: 'payments-api',
      ERP_PASSWORD: 'an-api-key',
      PAYMENTS_ERP_TIMEOUT_MS: '1500',
      PAYMENTS_EVENTS_CHANNEL: 'staging:payments:events',
      PAYMENTS_RECONCILE_FIRST_DELAY_MS: '10',
      PAYMENTS_RECONCILE_WATCH_MS: '500',
      REDIS_URL: 'redis://cache.internal:6379',
      LOG_LEVEL: 'debug',
    });
    expect(config).toEqual({
      port: 0,
      host: '0.0.0.0',
      stripe: { apiUrl: 'https://api.stripe.com', secretKey: 'sk_live_x', webhookSecret: 'whsec_x' },
      policy: { timeoutMs: 800, maxAttempts: 1, baseDelayMs: 5, breakerThreshold: 2, breakerHalfOpenAfterMs: 50 },
      gateway: { url: 'http://gateway.internal:4000', invalidationSecret: 'a-long-shared-secret' },
      readModel: { enabled: false, catchUpIntervalMs: 250, maxLagMs: 2000 },
      erp: { url: 'https://erp.example.com/odoo', db: 'prod', username: 'payments-api', password: 'an-api-key', timeoutMs: 1500 },
      events: { channel: 'staging:payments:events', reconcileFirstDelayMs: 10, reconcileWatchMs: 500 },
      redisUrl: 'redis://cache.internal:6379',
      logLevel: 'debug',
      gatewaySecret: SECRET,
    });
  });

  it('stops on a bad value and names the variable', () => {
    expect(() => readPaymentsSubgraphConfig({ STRIPE_API_URL: 'api.stripe.com' })).toThrow(/^STRIPE_API_URL: /);
    expect(() => readPaymentsSubgraphConfig({ STRIPE_API_URL: 'ftp://x' })).toThrow(/^STRIPE_API_URL: /);
    expect(() => readPaymentsSubgraphConfig({ STRIPE_API_URL: 'https://api.stripe.com/v1' })).toThrow(/^STRIPE_API_URL: /);
    expect(() => readPaymentsSubgraphConfig({ PAYMENTS_SUBGRAPH_PORT: '70000' })).toThrow(/^PAYMENTS_SUBGRAPH_PORT: /);
    expect(() => readPaymentsSubgraphConfig({ PAYMENTS_MAX_ATTEMPTS: '0' })).toThrow(/^PAYMENTS_MAX_ATTEMPTS: /);
    expect(() => readPaymentsSubgraphConfig({ PAYMENTS_TIMEOUT_MS: 'soon' })).toThrow(/^PAYMENTS_TIMEOUT_MS: /);
    expect(() => readPaymentsSubgraphConfig({ LOG_LEVEL: 'loud' })).toThrow(/^LOG_LEVEL: /);
    expect(() => readPaymentsSubgraphConfig({ GATEWAY_URL: 'gateway:4000' })).toThrow(/^GATEWAY_URL: /);
    expect(() => readPaymentsSubgraphConfig({ ERP_URL: 'https://admin:pw@erp.example.com' })).toThrow(/^ERP_URL: /);
    expect(() => readPaymentsSubgraphConfig({ REDIS_URL: 'http://cache:6379' })).toThrow(/^REDIS_URL: /);
    expect(() => readPaymentsSubgraphConfig({ PAYMENTS_ERP_TIMEOUT_MS: '0' })).toThrow(/^PAYMENTS_ERP_TIMEOUT_MS: /);
    expect(() => readPaymentsSubgraphConfig({ PAYMENTS_RECONCILE_FIRST_DELAY_MS: '0' })).toThrow(/^PAYMENTS_RECONCILE_FIRST_DELAY_MS: /);
    expect(() => readPaymentsSubgraphConfig({ PAYMENTS_RECONCILE_WATCH_MS: '-1' })).toThrow(/^PAYMENTS_RECONCILE_WATCH_MS: /);
    // The subgraph answers only the gateway: no secret (or a short one), no start.
    expect(() => readPaymentsSubgraphConfig({})).toThrow(/^GATEWAY_SUBGRAPH_SECRET: /);
    expect(() => readPaymentsSubgraphConfig({ GATEWAY_SUBGRAPH_SECRET: 'short' })).toThrow(/^GATEWAY_SUBGRAPH_SECRET: /);
    expect(() => readPaymentsSubgraphConfig({ PAYMENTS_READ_MODEL: 'sometimes' })).toThrow(/^PAYMENTS_READ_MODEL: /);
    // Served no longer than it has been caught up: the lag bound must leave room for one interval.
    expect(() => readPaymentsSubgraphConfig({ PAYMENTS_READ_MODEL_CATCHUP_MS: '10000', PAYMENTS_READ_MODEL_MAX_LAG_MS: '5000' })).toThrow(
      /^PAYMENTS_READ_MODEL_MAX_LAG_MS: /,
    );
  });
});
