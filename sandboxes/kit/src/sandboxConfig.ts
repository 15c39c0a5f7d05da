import { join } from 'node:path';
import { envNumber, envPort, envString, type Env } from '../../../lib/env.js';
import type { SeedOptions } from './seed.js';

/** What every sandbox reads from the environment. */
export interface SandboxBaseConfig {
  /** Port to listen on. Defaults: crm 4101, erp 4102, payments 4103. */
  port: number;
  /** Interface to listen on. Default 127.0.0.1 (SANDBOX_HOST). */
  host: string;
  /** Seed number and scale of the seed world (SANDBOX_SEED, default 1; SANDBOX_SCALE, default 1). */
  seed: SeedOptions;
  /** The embedded database file (SANDBOX_DATA_DIR, default .data/sandboxes, then <name>.sqlite). */
  dataFile: string;
}

export function readSandboxBaseConfig(env: Env, name: string, portVariable: string, defaultPort: number): SandboxBaseConfig {
  const dataDir = envString(env, 'SANDBOX_DATA_DIR', join(process.cwd(), '.data', 'sandboxes'));
  return {
    port: envPort(env, portVariable, defaultPort),
    host: envString(env, 'SANDBOX_HOST', '127.0.0.1'),
    seed: {
      seed: envNumber(env, 'SANDBOX_SEED', 1, { min: 0, max: 2 ** 31, integer: true }),
      scale: envNumber(env, 'SANDBOX_SCALE', 1, { min: 0.001, max: 100 }),
    },
    dataFile: join(dataDir, `${name}.sqlite`),
  };
}
