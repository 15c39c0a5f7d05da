/**
 * The gateway's heap growth (GATEWAY_HEAP_GROWTH_PERCENT, lib/heapGrowth.ts), set when
 * this module is evaluated: index.ts imports it first. A bad value is left for
 * readGatewayConfig to report with the rest of the configuration.
 */
import { ConfigError } from '../../lib/env.js';
import { applyHeapGrowth, readHeapGrowthPercent } from '../../lib/heapGrowth.js';

try {
  applyHeapGrowth(readHeapGrowthPercent(process.env, 'GATEWAY_HEAP_GROWTH_PERCENT'), process.execArgv, process.env.NODE_OPTIONS);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
}
