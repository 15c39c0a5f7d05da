/**
 * What every resolver of one request sees: the connector (shared by all requests, with
 * its breaker) and loaders made for this request alone, so that nothing one request
 * loaded is ever served to another.
 */
import type { Logger } from '../../kit/src/index.js';
import type { StripePaymentsConnector } from './connector/StripePaymentsConnector.js';
import { createPaymentsLoaders, type PaymentsLoaders } from './loaders.js';
import type { PaymentsReadModel } from './readModel/PaymentsReadModel.js';

export interface PaymentsContext {
  connector: StripePaymentsConnector;
  loaders: PaymentsLoaders;
  logger: Logger;
  /** The read model (null when PAYMENTS_READ_MODEL=off): writes are recorded in it before they return. */
  readModel: PaymentsReadModel | null;
}

/** The request reads from the read model if it is served when the request starts, for the whole request. */
export function createPaymentsContext(connector: StripePaymentsConnector, logger: Logger, readModel: PaymentsReadModel | null = null): PaymentsContext {
  return { connector, loaders: createPaymentsLoaders(connector, readModel?.serving() ?? null), logger, readModel };
}
