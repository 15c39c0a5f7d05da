/**
 * Entry point: reads the configuration, starts the erp subgraph and prints the one line
 * `npm start` waits for; stops cleanly on SIGINT/SIGTERM.
 */
import { startTracing } from '../../../lib/tracing.js';
import { ConfigError, createLogger, shutdownDrainMs } from '../../kit/src/index.js';
import { readErpSubgraphConfig } from './config.js';
import { createErpSubgraph } from './createErpSubgraph.js';

async function main(): Promise<void> {
  const config = readErpSubgraphConfig(process.env);
  const drainMs = shutdownDrainMs(process.env);
  // OpenTelemetry tracing, when OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT is set (lib/tracing.ts): before the logger, whose lines then carry trace ids.
  const tracing = await startTracing('graph360-erp-subgraph');
  if (tracing.enabled) console.log(`[erp subgraph] tracing on: spans of ${tracing.serviceName} to ${tracing.endpoint}`);
  const logger = createLogger('erp-subgraph', config.logLevel, undefined, [config.odoo.password, config.gatewaySecret, config.gatewaySecretPrevious]);
  const subgraph = await createErpSubgraph(config, { logger });
  const url = await subgraph.listen();
  const cache = config.catalogCache.redisUrl ? 'catalog cache in Redis' : 'catalog cache in memory';
  console.log(`[erp subgraph] listening on ${url} (ERP at ${config.odoo.url}, database ${config.odoo.db}; ${cache})`);
  let stopping = false;
  // SIGTERM (a rolling restart) drains first: /ready turns 503 and the balancer has SHUTDOWN_DRAIN_MS to notice; SIGINT stops at once.
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    // The spans still buffered are exported before the process exits.
    subgraph.drain(signal === 'SIGTERM' ? drainMs : 0).then(() => subgraph.close()).then(() => tracing.shutdown()).then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('[erp subgraph] error while stopping:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? `[erp subgraph] configuration error: ${error.message}` : error);
  process.exit(1);
});
