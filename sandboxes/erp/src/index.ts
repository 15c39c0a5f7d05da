/**
 * Entry point: reads the configuration, opens the sandbox, listens, and says where.
 */
import { ConfigError } from '../../kit/src/index.js';
import { readErpSandboxConfig, type ErpSandboxConfig } from './config.js';
import { createErpSandbox } from './createErpSandbox.js';

let config: ErpSandboxConfig;
try {
  config = readErpSandboxConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`[erp sandbox] ${error.message}`);
  process.exit(2);
}
const sandbox = await createErpSandbox(config);
const url = await sandbox.listen();
console.log(
  `[erp sandbox] listening on ${url} (Odoo 17 XML-RPC, db ${config.database}, seed ${config.seed.seed}, scale ${config.seed.scale}, data ${config.dataFile})`,
);

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  sandbox.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error('[erp sandbox] failed to close:', error);
      process.exit(1);
    },
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
