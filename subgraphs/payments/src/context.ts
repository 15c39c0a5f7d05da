/**
 * What every resolver of one request sees: what all requests share (the connectors with
 * their breakers, the money lock and idempotency records) and loaders made for this
 * request alone, so that nothing one request loaded is ever served to another.
 */
import type { KeyLock, Logger } from '../../kit/src/index.js';
import type { ErpInvoiceConnector } from './connector/ErpInvoiceConnector.js';
import type { StripePaymentsConnector } from './connector/StripePaymentsConnector.js';
import type { PaymentEventBus } from './events/PaymentEventBus.js';
import { createPaymentsLoaders, type PaymentsLoaders } from './loaders.js';
import type { IdempotencyRecords } from './money/IdempotencyRecords.js';
import type { PaymentsReadModel } from './readModel/PaymentsReadModel.js';

/** What the subgraph builds once and every request shares. */
export interface PaymentsShared {
  connector: StripePaymentsConnector;
  /** The ERP, read before money moves (money/payInvoice.ts). */
  erp: ErpInvoiceConnector;
  /** One money write at a time per invoice or payment, across replicas with Redis. */
  moneyLock: KeyLock;
  idempotency: IdempotencyRecords;
  logger: Logger;
  /** The read model (null when PAYMENTS_READ_MODEL=off): writes are recorded in it before they return. */
  readModel: PaymentsReadModel | null;
  /** Payment events, which Subscription.paymentEvents streams (events/). */
  events: PaymentEventBus;
}

export interface PaymentsContext extends PaymentsShared {
  loaders: PaymentsLoaders;
}

/** The request reads from the read model if it is served when the request starts, for the whole request. */
export function createPaymentsContext(shared: PaymentsShared): PaymentsContext {
  return { ...shared, loaders: createPaymentsLoaders(shared.connector, shared.readModel?.serving() ?? null) };
}
