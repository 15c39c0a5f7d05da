/**
 * Entry point: reads the configuration, starts the CRM sandbox and reports its URL in the
 * one line `npm start` and the tests wait for; stops cleanly on SIGINT/SIGTERM
 * (lib/runService.ts).
 */
import { runService } from '../../../lib/runService.js';
import { readCrmSandboxConfig } from './config.js';
import { createCrmSandbox } from './createCrmSandbox.js';

await runService({
  name: 'crm sandbox',
  config: readCrmSandboxConfig,
  async start(config) {
    const sandbox = await createCrmSandbox(config);
    return {
      line: `listening on ${sandbox.url} (seed ${config.seed.seed}, scale ${config.seed.scale}, data ${config.dataFile}, rate limit ${config.rateLimit || 'off'}/10s)`,
      close: () => sandbox.close(),
    };
  },
});
