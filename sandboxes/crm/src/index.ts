/**
 * Entry point: reads the configuration, starts the CRM sandbox and reports its URL in the
 * one line `npm start` and the tests wait for; stops cleanly on SIGINT/SIGTERM.
 */
import { ConfigError } from '../../kit/src/index.js';
import { readCrmSandboxConfig } from './config.js';
import { createCrmSandbox } from './createCrmSandbox.js';

async function main(): Promise<void> {
  const config = readCrmSandboxConfig(process.env);
  const sandbox = await createCrmSandbox(config);
  console.log(
    `[crm sandbox] listening on ${sandbox.url} (seed ${config.seed.seed}, scale ${config.seed.scale}, data ${config.dataFile}, rate limit ${config.rateLimit || 'off'}/10s)`,
  );
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    sandbox.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('[crm sandbox] error while stopping:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? `[crm sandbox] configuration error: ${error.message}` : error);
  process.exit(1);
});
