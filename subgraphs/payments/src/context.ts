/**
 * What every resolver of one request sees: the connector (shared by all requests, with
 * its breaker) and loaders made for this request alone, so that nothing one request
 * loaded is ever served to another.
 */
import type { Logger } from '../../kit/src/index.js';
import type { StripePaymentsConnector } from './connector/StripePaymentsConnector.js';
import { createPaymentsLoaders, type PaymentsLoaders } from './loaders.js';

export interface PaymentsContext {
  connector: StripePaymentsConnector;
  loaders: PaymentsLoaders;
  logger: Logger;
}

export function createPaymentsContext(connector: StripePaymentsConnector, logger: Logger): PaymentsContext {
  return { connector, loaders: createPaymentsLoaders(connector), logger };
}
