/**
 * Entry point: `tsx sandboxes/payments/src/index.ts`. Reads the configuration from the
 * environment, opens the sandbox, prints one `listening on <url>` line and closes cleanly
 * on SIGINT or SIGTERM (lib/runService.ts).
 */
import { runService } from '../../../lib/runService.js';
import { readPaymentsSandboxConfig } from './config.js';
import { createPaymentsSandbox } from './createPaymentsSandbox.js';

await runService({
  name: 'payments sandbox',
  config: readPaymentsSandboxConfig,
  async start(config) {
    const sandbox = await createPaymentsSandbox(config);
    const url = await sandbox.listen();
    const webhooks = config.webhookUrls.length === 0 ? 'no webhook endpoints' : `webhooks to ${config.webhookUrls.join(', ')}`;
    return {
      line: `listening on ${url} (seed ${config.seed.seed}, scale ${config.seed.scale}, data ${config.dataFile}, ${webhooks})`,
      close: () => sandbox.close(),
    };
  },
});
