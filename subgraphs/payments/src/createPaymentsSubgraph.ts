/**
 * Builds the payments subgraph from a config object: the Stripe connector with its
 * resilience policy, per-request loaders, the resolvers, the webhook route, and the
 * HTTP server (not yet listening). Tests call this; index.ts only reads the env and listens.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { createLogger, createSubgraphServer, type Logger, type SubgraphServer } from '../../kit/src/index.js';
import type { PaymentsSubgraphConfig } from './config.js';
import { StripePaymentsConnector } from './connector/StripePaymentsConnector.js';
import { createPaymentsContext, type PaymentsContext } from './context.js';
import { resolvers } from './resolvers/index.js';
import { stripeWebhookRoute, type StripeEventHandler } from './webhooks/stripeWebhookRoute.js';

const typeDefs = parse(readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8'));

export interface CreatePaymentsSubgraphOptions {
  /** Default: a pino logger named "payments" at config.logLevel. */
  logger?: Logger;
  /** Receives each verified, not yet seen Stripe webhook event. Default: log only. */
  onEvent?: StripeEventHandler;
}

export interface PaymentsSubgraph {
  server: SubgraphServer;
  connector: StripePaymentsConnector;
  logger: Logger;
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

  const server = await createSubgraphServer<PaymentsContext>({
    name: 'payments',
    typeDefs,
    // The generated Resolvers type is stricter than buildSubgraphSchema's map; the shapes agree at run time.
    resolvers: resolvers as unknown as GraphQLResolverMap<PaymentsContext>,
    context: async () => createPaymentsContext(connector, logger),
    logger,
    health: () => ({ backend: 'payments', breaker: connector.policy.breakerState }),
    routes: [stripeWebhookRoute({ connector, logger, onEvent: options.onEvent })],
  });
  return { server, connector, logger };
}
