/**
 * Entry point: reads the configuration, starts the erp subgraph and prints the one line
 * `npm start` waits for; stops cleanly on SIGINT/SIGTERM (lib/runService.ts).
 */
import { runService } from '../../../lib/runService.js';
import { createLogger, shutdownDrainMs } from '../../kit/src/index.js';
import { readErpSubgraphConfig } from './config.js';
import { createErpSubgraph } from './createErpSubgraph.js';

await runService({
  name: 'erp subgraph',
  config: readErpSubgraphConfig,
  drainMs: (_config, env) => shutdownDrainMs(env),
  tracing: 'graph360-erp-subgraph',
  async start(config) {
    const logger = createLogger('erp-subgraph', config.logLevel, undefined, [config.odoo.password, config.gatewaySecret, config.gatewaySecretPrevious]);
    const subgraph = await createErpSubgraph(config, { logger });
    const url = await subgraph.listen();
    const cache = config.catalogCache.redisUrl ? 'catalog cache in Redis' : 'catalog cache in memory';
    return {
      line: `listening on ${url} (ERP at ${config.odoo.url}, database ${config.odoo.db}; ${cache})`,
      drain: (ms) => subgraph.drain(ms),
      close: () => subgraph.close(),
    };
  },
});
