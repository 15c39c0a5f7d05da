/**
 * PaymentEvent: a published event (events/), as plain JSON. The invoice and the customer
 * are references: the gateway gets their other fields from the ERP and the CRM.
 */
import type { PaymentEventResolvers } from '../__generated__/resolvers-types.js';

export const PaymentEvent: PaymentEventResolvers = {
  occurredAt: (event) => new Date(event.created * 1000).toISOString(),
  invoice: (event) => (event.invoiceId === null ? null : { id: event.invoiceId }),
  customer: (event) => ({ id: event.customerId }),
};
