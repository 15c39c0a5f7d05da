/**
 * Builds the payments subgraph from a config object: the Stripe connector with its
 * resilience policy, per-request loaders, the resolvers, the webhook route, the payment
 * events published to Subscription.paymentEvents (served over WebSocket), and the HTTP
 * server (not yet listening). Tests call this; index.ts only reads the env and listens.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { createKeyLock, createLogger, createSubgraphServer, type Logger, type SubgraphServer } from '../../kit/src/index.js';
import type { PaymentsSubgraphConfig } from './config.js';
import { ErpInvoiceConnector } from './connector/ErpInvoiceConnector.js';
import { StripePaymentsConnector } from './connector/StripePaymentsConnector.js';
import { createPaymentsContext, type PaymentsContext, type PaymentsShared } from './context.js';
import { createPaymentEventBus, type PaymentEventBus } from './events/PaymentEventBus.js';
import { PaymentEventPublisher } from './events/PaymentEventPublisher.js';
import { ReconciliationWatch } from './events/ReconciliationWatch.js';
import { IdempotencyRecords } from './money/IdempotencyRecords.js';
import { createSharedWebhooks } from './webhooks/SharedWebhooks.js';
import { PaymentsReadModel } from './readModel/PaymentsReadModel.js';
import { resolvers } from './resolvers/index.js';
import { stripeWebhookRoute, type StripeEventHandler } from './webhooks/stripeWebhookRoute.js';
import type { Service } from '../../../lib/service.js';

const typeDefs = parse(readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8'));

export interface CreatePaymentsSubgraphOptions {
  /** Default: a pino logger named "payments" at config.logLevel. */
  logger?: Logger;
  /** Receives each verified, not yet seen Stripe webhook event. Default: log only. */
  onEvent?: StripeEventHandler;
}

export interface PaymentsSubgraph extends Service {
  server: SubgraphServer;
  /** Starts draining before close() (kit's SubgraphServer.drain): /ready answers 503 from now on. */
  drain(delayMs: number): Promise<void>;
  connector: StripePaymentsConnector;
  /** The ERP connector payInvoice checks invoices with. */
  erp: ErpInvoiceConnector;
  logger: Logger;
  /** The read model, syncing from the start; null when PAYMENTS_READ_MODEL=off. server.close() stops it. */
  readModel: PaymentsReadModel | null;
  /** Where payment events are published (Redis with REDIS_URL, else memory). server.close() closes it. */
  events: PaymentEventBus;
}

export async function createPaymentsSubgraph(config: PaymentsSubgraphConfig, options: CreatePaymentsSubgraphOptions = {}): Promise<PaymentsSubgraph> {
  const logger = options.logger ?? createLogger('payments', config.logLevel);
  // The kit's logger redacts config.*.secretKey and config.*.webhookSecret.
  logger.debug({ config }, 'payments subgraph configured');
  const connector = new StripePaymentsConnector({
    apiUrl: config.stripe.apiUrl,
    secretKey: config.stripe.secretKey,
    webhookSecret: config.stripe.webhookSecret,
    policy: config.policy,
    logger,
  });
  connector.policy.onBreakerStateChange((state) => logger.warn({ backend: 'payments', breaker: state }, 'payments breaker changed state'));

  // The read model's calls (sync, catch-up, re-reads) go through a connector of their own, with its own
  // breaker: a background sync failing again and again must not open the breaker of the requests it stands in for.
  const readModel = config.readModel.enabled
    ? new PaymentsReadModel({
        connector: new StripePaymentsConnector({
          apiUrl: config.stripe.apiUrl,
          secretKey: config.stripe.secretKey,
          webhookSecret: config.stripe.webhookSecret,
          policy: config.policy,
          logger,
        }),
        logger,
        catchUpIntervalMs: config.readModel.catchUpIntervalMs,
        maxLagMs: config.readModel.maxLagMs,
        // Declared below; the read model starts after everything is built.
        onCaughtUp: (event) => publisher.offer(event),
      })
    : null;

  // Money writes check invoices in the ERP (below); payment events watch it for reconciliations.
  const erp = new ErpInvoiceConnector({ settings: config.erp, logger });
  erp.policy.onBreakerStateChange((state) => logger.warn({ backend: 'erp', breaker: state }, 'ERP (invoice checks) breaker changed state'));

  // Payment events (events/): from webhooks and catch-ups, published once across replicas, streamed by paymentEvents.
  const events = createPaymentEventBus({ redisUrl: config.redisUrl, channel: config.events.channel, logger });
  const reconciliation = new ReconciliationWatch({
    erp,
    publish: (event) => events.publish(event),
    logger,
    firstDelayMs: config.events.reconcileFirstDelayMs,
    totalMs: config.events.reconcileWatchMs,
  });
  const publisher = new PaymentEventPublisher({ bus: events, connector, readModel, reconciliation, logger });

  // A webhook reaches one replica: the others apply it to their read models as soon as it is shared, and
  // a redelivery to any replica is a duplicate (webhooks/SharedWebhooks.ts; in memory without Redis).
  const webhooks = createSharedWebhooks({
    redisUrl: config.redisUrl,
    channel: config.events.channel,
    logger,
    onShared: (event) => readModel?.applyEvent(event),
  });

  // The read model first, here and (shared) on the other replicas: the gateway, told next to evict what
  // the event changed, must not re-cache the state it replaced, and the event's subscribers read the payment from it.
  const onEvent: StripeEventHandler = async (event) => {
    await readModel?.applyEvent(event);
    await webhooks.share(event);
    publisher.offer(event);
    await options.onEvent?.(event);
  };

  // Money writes: the invoice is checked in the ERP, and one write at a time per invoice
  // (or payment) runs, across replicas with Redis; without the lease it refuses (money/).
  const moneyLock = createKeyLock({ namespace: 'payments:money-lock', redisUrl: config.redisUrl, leaseMs: 120_000, requireLease: true });
  const idempotency = new IdempotencyRecords({ redisUrl: config.redisUrl, logger });
  const shared: PaymentsShared = { connector, erp, moneyLock, idempotency, logger, readModel, events };

  const server = await createSubgraphServer<PaymentsContext>({
    name: 'payments',
    typeDefs,
    // The generated Resolvers type is stricter than buildSubgraphSchema's map; the shapes agree at run time.
    resolvers: resolvers as unknown as GraphQLResolverMap<PaymentsContext>,
    // `auth`: the caller the gateway vouches for (kit/auth.ts), read by the kit's checks and requireCustomer.
    context: async (_req, auth) => Object.assign(createPaymentsContext(shared), { auth }),
    gatewaySecret: config.gatewaySecret,
    gatewaySecretPrevious: config.gatewaySecretPrevious,
    logger,
    health: () => ({
      backend: 'payments',
      breaker: connector.policy.breakerState,
      erpBreaker: erp.policy.breakerState,
      readModel: readModel ? readModel.health() : { state: 'off' },
      events: { bus: events.kind, reconciliationWatches: reconciliation.size },
    }),
    routes: [stripeWebhookRoute({ connector, logger, onEvent, dedup: webhooks })],
    // Subscription.paymentEvents, over WebSocket on /graphql.
    subscriptions: true,
  });
  readModel?.start();
  const close = async (): Promise<void> => {
    await readModel?.stop();
    // The sockets close (1001) and the HTTP server stops (no more webhooks); the events in hand are
    // published, the ERP watches stopped, and only then the connections they use closed.
    await server.close();
    await publisher.drain();
    await reconciliation.close();
    await Promise.all([erp.close(), moneyLock.close(), idempotency.close(), events.close(), webhooks.close()]);
  };
  return {
    server: { ...server, close },
    listen: (port, host) => server.listen(port, host),
    drain: (delayMs) => server.drain(delayMs),
    close,
    connector,
    erp,
    logger,
    readModel,
    events,
  };
}
