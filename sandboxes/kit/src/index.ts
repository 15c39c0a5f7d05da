export { Prng } from './prng.js';
export * from './seed.js';
export { SandboxStore, Collection, type Doc, type DocId, type OpenStoreOptions } from './SandboxStore.js';
export { createdCutoff, schedulePruning } from './pruning.js';
export { FaultInjector, parseFaultConfig, NO_FAULTS, type FaultConfig, type FaultAction } from './faults.js';
export {
  createSandboxServer,
  type SandboxServer,
  type SandboxServerOptions,
  type SandboxRequest,
  type SandboxResponse,
  type RoutedCall,
  type ProductErrors,
} from './createSandboxServer.js';
export { checkUrl, ConfigError, envString, envNumber, envPort, envList, type Env } from '../../../lib/env.js';
export { readSandboxBaseConfig, type SandboxBaseConfig } from './sandboxConfig.js';
