/** Entry point: reads the configuration, starts the gateway, stops it on SIGINT/SIGTERM. */
import { pino } from 'pino';
import { ConfigError } from '../../lib/env.js';
import { readGatewayConfig } from './config.js';
import { createGateway, SupergraphError } from './createGateway.js';

async function main(): Promise<void> {
  const config = readGatewayConfig(process.env);
  const logger = pino({ name: 'gateway', level: config.logLevel, redact: ['req.headers.authorization'] });
  const gateway = await createGateway(config, logger);
  const url = await gateway.listen(config.port, config.host);
  console.log(`[gateway] listening on ${url}`);
  const stop = (): void => {
    gateway.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof SupergraphError) {
    console.error(`[gateway] cannot start: ${error.message}`);
  } else {
    console.error('[gateway] cannot start:', error);
  }
  process.exit(1);
});
