/**
 * Entry point: reads the configuration, opens the sandbox, listens, and says where; stops
 * cleanly on SIGINT/SIGTERM (lib/runService.ts).
 */
import { runService } from '../../../lib/runService.js';
import { readErpSandboxConfig } from './config.js';
import { createErpSandbox } from './createErpSandbox.js';

await runService({
  name: 'erp sandbox',
  config: readErpSandboxConfig,
  async start(config) {
    const sandbox = await createErpSandbox(config);
    const url = await sandbox.listen();
    return {
      line: `listening on ${url} (Odoo 17 XML-RPC, db ${config.database}, seed ${config.seed.seed}, scale ${config.seed.scale}, data ${config.dataFile})`,
      close: () => sandbox.close(),
    };
  },
});
