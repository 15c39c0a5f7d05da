export { BackendError, codeForStatus, formatSubgraphError, parseRetryAfter, userError, type ErrorCode, type BackendErrorOptions } from './errors.js';
export { BackendPolicy, type BackendPolicyOptions, type BreakerState } from './BackendPolicy.js';
export { createCache, readThroughMany, type CacheOptions } from './cache.js';
export { createSubgraphServer, type SubgraphServer, type SubgraphServerOptions, type ExtraRoute } from './createSubgraphServer.js';
export { createLogger, type Logger } from './logger.js';
export { changedEntitiesPlugin, forwardInvalidation, markChanged, type ChangedEntity, type ForwardInvalidationOptions } from './invalidation.js';
export { ConfigError, envList, envNumber, envPort, envString, type Env } from '../../../lib/env.js';
export { selectsField } from './selection.js';
export { formatMinor, minorToDecimalString } from './money.js';
