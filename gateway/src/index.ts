/** Entry point: reads the configuration, starts the gateway, stops it on SIGINT/SIGTERM. */
// First, before the gateway's dependencies load (lib/heapGrowth.ts says why).
import './heapGrowth.js';
import { ConfigError } from '../../lib/env.js';
import { listenError } from '../../lib/listen.js';
import { ConfigFileError, loadGatewayConfig } from './configFile.js';
import { createGateway, SafelistManifestError, SupergraphError } from './createGateway.js';
import { createGatewayLogger } from './observability/logger.js';
import { startTracing } from '../../lib/tracing.js';

async function main(): Promise<void> {
  // The configuration file GRAPH360_CONFIG names, if any, with the environment over it (configFile.ts).
  const { config, loaded } = loadGatewayConfig(process.env);
  // The file's settings as variables too, for what reads them there (the log format).
  for (const [name, value] of Object.entries(loaded.env)) if (value !== undefined) process.env[name] ??= value;
  // @apollo/gateway otherwise sends anonymous usage metrics to Apollo every few seconds
  // and probes the AWS/GCP/Azure metadata endpoints at start (utilities/opentelemetry.js):
  // traffic to other hosts that an offline or private deployment must not make. An
  // operator who wants it sets APOLLO_TELEMETRY_DISABLED=false.
  process.env.APOLLO_TELEMETRY_DISABLED ??= 'true';
  // OpenTelemetry tracing, when OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT is set (lib/tracing.ts): before the logger, whose lines then carry trace ids.
  const tracing = await startTracing('graph360-gateway');
  if (tracing.enabled) console.log(`[gateway] tracing on: spans of ${tracing.serviceName} to ${tracing.endpoint}`);
  // Configured secrets are redacted by value from every log line, wherever they would appear.
  const logger = createGatewayLogger({ level: config.logLevel, secrets: [config.invalidationSecret, config.invalidationSecretPrevious, config.subgraphSecret, ...(config.metricsToken ? [config.metricsToken] : [])] });
  const gateway = await createGateway(config, logger);
  // A busy port is one line naming GATEWAY_PORT (lib/listen.ts), not EADDRINUSE's stack.
  const url = await gateway.listen(config.port, config.host).catch((error: unknown) => {
    throw listenError(error, 'GATEWAY_PORT', config.port, config.host);
  });
  console.log(`[gateway] listening on ${url}`);
  let stopping = false;
  // SIGTERM (a rolling restart) drains first: /ready turns 503 and the balancer has SHUTDOWN_DRAIN_MS to notice (lib/drain.ts); SIGINT stops at once.
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    // The spans still buffered are exported before the process exits.
    gateway
      .drain(signal === 'SIGTERM' ? config.shutdownDrainMs : 0)
      .then(() => gateway.close())
      .then(() => tracing.shutdown())
      .then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof SupergraphError || error instanceof SafelistManifestError) {
    console.error(`[gateway] cannot start: ${error.message}`);
  } else if (error instanceof ConfigFileError) {
    for (const problem of error.problems) console.error(`[gateway] cannot start: ${problem}`);
  } else {
    console.error('[gateway] cannot start:', error);
  }
  process.exit(1);
});
