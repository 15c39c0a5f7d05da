export {
  BackendError,
  codeForStatus,
  DeadlineExceededError,
  formatSubgraphError,
  parseRetryAfter,
  userError,
  type ErrorCode,
  type BackendErrorOptions,
} from './errors.js';
export { BackendPolicy, type BackendPolicyOptions, type BreakerState, type ExecuteOptions } from './BackendPolicy.js';
export { outsideRequestDeadline, requestDeadline, runWithRequestDeadline, withinRequestDeadline } from './requestDeadline.js';
export { createCache, readThroughMany, type CacheOptions } from './cache.js';
export { createKeyLock, LockUnavailableError, type KeyLock, type KeyLockOptions } from './keyLock.js';
export { createSubgraphServer, type SubgraphServer, type SubgraphServerOptions, type ExtraRoute } from './createSubgraphServer.js';
export { createLogger, type Logger } from './logger.js';
export { tracedBatch } from './tracedBatch.js';
export { changedEntitiesPlugin, forwardInvalidation, markChanged, type ChangedEntity, type ForwardInvalidationOptions } from './invalidation.js';
export { shutdownDrainMs } from '../../../lib/drain.js';
export { checkUrl, ConfigError, envBoolean, envList, envLogLevel, envNumber, envPort, envRedisUrl, envString, type Env } from '../../../lib/env.js';
export { withDeadline } from '../../../lib/withDeadline.js';
export { selectsField } from './selection.js';
export { formatMinor, minorToDecimalString } from './money.js';
export {
  checkFirst,
  cursorCodec,
  isCount,
  MAX_PAGE_SIZE,
  pageOf,
  type Connection,
  type CursorCodec,
  type OffsetCursor,
  type OffsetPage,
} from './pagination.js';
export {
  authOf,
  authorizeResolvers,
  forbidden,
  GATEWAY_TOKEN_HEADER,
  maySeeCustomer,
  readGatewaySecret,
  readPreviousGatewaySecret,
  requireCustomer,
  signGatewayToken,
  unauthenticated,
  verifyGatewayToken,
  type SubgraphAuth,
} from './auth.js';
export { OdooClient, readRecords, type OdooClientOptions } from './odoo/OdooClient.js';
export {
  DEFAULT_RATE_LIMIT_WAIT_MS,
  errorForFault,
  errorForStatus,
  faultMessage,
  isUnknownMethodFault,
  malformed,
  scrub,
  unreachable,
} from './odoo/odooErrors.js';
export { readOdooConnection, type OdooConnectionSettings } from './odoo/odooSettings.js';
