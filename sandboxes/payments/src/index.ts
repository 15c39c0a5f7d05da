/**
 * Entry point: `tsx sandboxes/payments/src/index.ts`. Reads the configuration from the
 * environment, opens the sandbox, prints one `listening on <url>` line and closes cleanly
 * on SIGINT or SIGTERM.
 */
import { ConfigError } from '../../kit/src/index.js';
import { readPaymentsSandboxConfig } from './config.js';
import { createPaymentsSandbox } from './createPaymentsSandbox.js';

async function main(): Promise<void> {
  const config = readPaymentsSandboxConfig(process.env);
  const sandbox = await createPaymentsSandbox(config);
  const url = await sandbox.listen();
  const webhooks = config.webhookUrls.length === 0 ? 'no webhook endpoints' : `webhooks to ${config.webhookUrls.join(', ')}`;
  console.log(
    `[payments sandbox] listening on ${url} (seed ${config.seed.seed}, scale ${config.seed.scale}, data ${config.dataFile}, ${webhooks})`,
  );
  const shutdown = (): void => {
    sandbox.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('[payments sandbox] error while closing:', error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? `[payments sandbox] configuration error: ${error.message}` : error);
  process.exit(1);
});
