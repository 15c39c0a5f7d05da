/**
 * Entry point: reads the configuration from the environment, starts the payments
 * subgraph, prints one `listening on <url>` line and stops cleanly on SIGINT/SIGTERM.
 */
import { startTracing } from '../../../lib/tracing.js';
import { ConfigError, createLogger, forwardInvalidation, shutdownDrainMs } from '../../kit/src/index.js';
import { readPaymentsSubgraphConfig } from './config.js';
import { createPaymentsSubgraph } from './createPaymentsSubgraph.js';
import { entitiesChangedBy } from './webhooks/changedEntities.js';

async function main(): Promise<void> {
  const config = readPaymentsSubgraphConfig(process.env);
  const drainMs = shutdownDrainMs(process.env);
  // OpenTelemetry tracing, when OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT is set (lib/tracing.ts): before the logger, whose lines then carry trace ids.
  const tracing = await startTracing('graph360-payments-subgraph');
  if (tracing.enabled) console.log(`[payments subgraph] tracing on: spans of ${tracing.serviceName} to ${tracing.endpoint}`);
  const logger = createLogger('payments', config.logLevel, undefined, [config.stripe.secretKey, config.stripe.webhookSecret, config.gateway.invalidationSecret, config.gatewaySecret, config.gatewaySecretPrevious]);
  // Every webhook event's changed entities go on to the gateway's caches; if the gateway
  // does not take them, the webhook answers 500 and the provider delivers the event again.
  const { server } = await createPaymentsSubgraph(config, {
    logger,
    onEvent: async (event) => {
      const entities = entitiesChangedBy(event);
      await forwardInvalidation(entities, { gatewayUrl: config.gateway.url, secret: config.gateway.invalidationSecret });
      if (entities.length > 0) logger.info({ eventId: event.id, type: event.type, entities }, 'cache invalidation sent to the gateway');
    },
  });
  const url = await server.listen(config.port, config.host);
  logger.info({ url, stripeApi: config.stripe.apiUrl }, 'payments subgraph started');
  console.log(`[payments subgraph] listening on ${url}`);

  let stopping = false;
  // SIGTERM (a rolling restart) drains first: /ready turns 503 and the balancer has SHUTDOWN_DRAIN_MS to notice; SIGINT stops at once.
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'payments subgraph stopping');
    // The spans still buffered are exported before the process exits.
    server.drain(signal === 'SIGTERM' ? drainMs : 0).then(() => server.close()).then(() => tracing.shutdown()).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'payments subgraph did not stop cleanly');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? `[payments subgraph] configuration error: ${error.message}` : error);
  process.exit(1);
});
