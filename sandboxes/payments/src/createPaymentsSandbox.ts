/**
 * Builds the payments sandbox: a Stripe-style REST API over the seed world's customers,
 * cards, payment intents, charges and refunds, with idempotent POSTs and signed webhooks.
 * Tests call this; src/index.ts only reads the config and listens.
 */
import { createSandboxServer, schedulePruning, type SandboxRequest, type SandboxServer } from '../../kit/src/index.js';
import type { PaymentsSandboxConfig } from './config.js';
import { createProductErrors, jsonBody } from './errors.js';
import { IdempotencyKeys } from './idempotency.js';
import { PaymentsState } from './PaymentsState.js';
import { pruneExpired, type PruneResult } from './retention.js';
import { createRouter } from './router.js';
import { ROUTES } from './routes/index.js';
import { WebhookEndpoints } from './webhooks/endpoints.js';
import { WebhookDispatcher, type WebhookStats } from './webhooks/WebhookDispatcher.js';

/** Where the webhook counters and deliveries can be read over HTTP (the kit owns /__sandbox/). */
export const WEBHOOKS_OPERATOR_PATH = '/__payments/webhooks';

export interface PaymentsSandboxOptions {
  /**
   * The sandbox's clock, ms since the epoch: objects' and events' `created`, idempotency
   * records, delivery scheduling and retention. Default Date.now. (Webhook signatures
   * carry the real time: receivers check them against theirs.)
   */
  now?: () => number;
}

export interface PaymentsSandbox extends SandboxServer {
  readonly config: PaymentsSandboxConfig;
  /** The data, for tests and operators (e.g. counting rows in the file through `state.store`). */
  readonly state: PaymentsState;
  /**
   * Deletes what outlived its retention (idempotency records, events, finished webhook
   * deliveries) now; it also runs at start and every `config.pruneIntervalMs`.
   */
  prune(): PruneResult;
  /** The base URL once listen() has resolved; null before. */
  readonly url: string | null;
  /** API calls per operation, as the kit counts them, plus webhook deliveries (not API calls). */
  stats(): ReturnType<SandboxServer['stats']> & { webhooks: WebhookStats };
  /** Listens on the configured port and host unless others are given. */
  listen(port?: number, host?: string): Promise<string>;
}

export async function createPaymentsSandbox(config: PaymentsSandboxConfig, options: PaymentsSandboxOptions = {}): Promise<PaymentsSandbox> {
  const state = PaymentsState.open(config.dataFile, config.seed, { now: options.now, eventRetentionMs: config.eventRetentionMs });
  const idempotency = new IdempotencyKeys(state.store, { ttlMs: config.idempotencyRetentionMs, now: state.now });
  const endpoints = new WebhookEndpoints(state, config.webhookUrls, config.webhookSecret);
  const dispatcher = new WebhookDispatcher(state, endpoints, {
    baseMs: config.webhookRetryBaseMs,
    maxMs: config.webhookRetryMaxMs,
    maxAttempts: config.webhookMaxAttempts,
    timeoutMs: config.webhookTimeoutMs,
  });
  const routeApi = createRouter({
    state,
    idempotency,
    endpoints,
    secretKey: config.secretKey,
    apiVersion: config.apiVersion,
    routes: ROUTES,
    deliver: (deliveries) => dispatcher.enqueue(deliveries),
  });
  const route = (request: SandboxRequest) => {
    if (request.path === WEBHOOKS_OPERATOR_PATH && request.method === 'GET') {
      const body = { sandbox: 'payments', ...dispatcher.stats(), deliveries: dispatcher.deliveries() };
      return { status: 200, headers: { 'content-type': 'application/json' }, body: jsonBody(body) };
    }
    return routeApi(request);
  };
  const server = createSandboxServer({ name: 'payments', route, errors: createProductErrors(config.apiVersion) });
  dispatcher.resume();
  const prune = () => pruneExpired(state, idempotency);
  const stopPruning = schedulePruning('payments', prune, config.pruneIntervalMs);

  let url: string | null = null;
  let closing: Promise<void> | null = null;
  return {
    ...server,
    config,
    state,
    prune,
    get url() {
      return url;
    },
    stats: () => ({ ...server.stats(), webhooks: dispatcher.stats() }),
    resetStats() {
      server.resetStats();
      dispatcher.resetStats();
    },
    async listen(port = config.port, host = config.host) {
      url = await server.listen(port, host);
      return url;
    },
    close() {
      closing ??= (async () => {
        stopPruning();
        await server.close();
        await dispatcher.close();
        state.close();
      })();
      return closing;
    },
  };
}
