/** Entry point: reads the configuration, starts the gateway, stops it on SIGINT/SIGTERM (lib/runService.ts). */
// First, before the gateway's dependencies load (lib/heapGrowth.ts says why).
import './heapGrowth.js';
import { ConfigError } from '../../lib/env.js';
import { listenError } from '../../lib/listen.js';
import { runService } from '../../lib/runService.js';
import { ConfigFileError, loadGatewayConfig } from './configFile.js';
import { createGateway, SafelistManifestError, SupergraphError } from './createGateway.js';
import { createGatewayLogger } from './observability/logger.js';

await runService({
  name: 'gateway',
  config(env) {
    // The configuration file GRAPH360_CONFIG names, if any, with the environment over it (configFile.ts).
    const { config, loaded } = loadGatewayConfig(env);
    // The file's settings as variables too, for what reads them there (the log format).
    for (const [name, value] of Object.entries(loaded.env)) if (value !== undefined) process.env[name] ??= value;
    // @apollo/gateway otherwise sends anonymous usage metrics to Apollo every few seconds
    // and probes the AWS/GCP/Azure metadata endpoints at start (utilities/opentelemetry.js):
    // traffic to other hosts that an offline or private deployment must not make. An
    // operator who wants it sets APOLLO_TELEMETRY_DISABLED=false.
    process.env.APOLLO_TELEMETRY_DISABLED ??= 'true';
    return config;
  },
  drainMs: (config) => config.shutdownDrainMs,
  tracing: 'graph360-gateway',
  async start(config) {
    // Configured secrets are redacted by value from every log line, wherever they would appear.
    const logger = createGatewayLogger({
      level: config.logLevel,
      secrets: [config.invalidationSecret, config.invalidationSecretPrevious, config.subgraphSecret, ...(config.metricsToken ? [config.metricsToken] : [])],
    });
    const gateway = await createGateway(config, logger);
    // A busy port is one line naming GATEWAY_PORT (lib/listen.ts), not EADDRINUSE's stack.
    const url = await gateway.listen(config.port, config.host).catch((error: unknown) => {
      throw listenError(error, 'GATEWAY_PORT', config.port, config.host);
    });
    return { line: `listening on ${url}`, drain: (ms) => gateway.drain(ms), close: () => gateway.close() };
  },
  startErrorLines(error) {
    if (error instanceof ConfigError || error instanceof SupergraphError || error instanceof SafelistManifestError) return [`cannot start: ${error.message}`];
    if (error instanceof ConfigFileError) return error.problems.map((problem) => `cannot start: ${problem}`);
    return undefined;
  },
});
