/**
 * Entry point: reads the configuration from the environment, starts the payments
 * subgraph, prints one `listening on <url>` line and stops cleanly on SIGINT/SIGTERM
 * (lib/runService.ts).
 */
import { runService } from '../../../lib/runService.js';
import { createLogger, forwardInvalidation, shutdownDrainMs } from '../../kit/src/index.js';
import { readPaymentsSubgraphConfig } from './config.js';
import { createPaymentsSubgraph } from './createPaymentsSubgraph.js';
import { entitiesChangedBy } from './webhooks/changedEntities.js';

await runService({
  name: 'payments subgraph',
  config: readPaymentsSubgraphConfig,
  drainMs: (_config, env) => shutdownDrainMs(env),
  tracing: 'graph360-payments-subgraph',
  async start(config) {
    const logger = createLogger('payments', config.logLevel, undefined, [
      config.stripe.secretKey,
      config.stripe.webhookSecret,
      config.gateway.invalidationSecret,
      config.gatewaySecret,
      config.gatewaySecretPrevious,
    ]);
    // Every webhook event's changed entities go on to the gateway's caches; if the gateway
    // does not take them, the webhook answers 500 and the provider delivers the event again.
    const subgraph = await createPaymentsSubgraph(config, {
      logger,
      onEvent: async (event) => {
        const entities = entitiesChangedBy(event);
        await forwardInvalidation(entities, { gatewayUrl: config.gateway.url, secret: config.gateway.invalidationSecret });
        if (entities.length > 0) logger.info({ eventId: event.id, type: event.type, entities }, 'cache invalidation sent to the gateway');
      },
    });
    const url = await subgraph.listen(config.port, config.host);
    logger.info({ url, stripeApi: config.stripe.apiUrl }, 'payments subgraph started');
    return {
      line: `listening on ${url}`,
      drain: (ms) => subgraph.drain(ms),
      close: () => subgraph.close(),
      onStop: (signal) => logger.info({ signal }, 'payments subgraph stopping'),
      onStopError: (error) => logger.error({ err: error }, 'payments subgraph did not stop cleanly'),
    };
  },
});
