/** Invoice: an ERP invoice, as the payment provider knows it (payments whose metadata names it). */
import type { InvoiceResolvers } from '../__generated__/resolvers-types.js';

export const Invoice: InvoiceResolvers = {
  __resolveReference: (reference) => ({ id: reference.id }),
  payments: (invoice, _args, { loaders }) => loaders.paymentsByInvoiceId.load(invoice.id),
};
