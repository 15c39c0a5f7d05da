/**
 * Entry point: reads the configuration, starts the crm subgraph and prints the one line
 * `npm start` waits for; stops cleanly on SIGINT/SIGTERM (lib/runService.ts).
 */
import { runService } from '../../../lib/runService.js';
import { createLogger, shutdownDrainMs } from '../../kit/src/index.js';
import { readCrmSubgraphConfig } from './config.js';
import { createCrmSubgraph } from './createCrmSubgraph.js';

await runService({
  name: 'crm subgraph',
  config: readCrmSubgraphConfig,
  drainMs: (_config, env) => shutdownDrainMs(env),
  tracing: 'graph360-crm-subgraph',
  async start(config) {
    const logger = createLogger('crm-subgraph', config.logLevel, undefined, [config.hubspot.token, config.gatewaySecret, config.gatewaySecretPrevious]);
    const subgraph = await createCrmSubgraph(config, { logger });
    const url = await subgraph.listen();
    return { line: `listening on ${url} (CRM at ${config.hubspot.apiUrl})`, drain: (ms) => subgraph.drain(ms), close: () => subgraph.close() };
  },
});
