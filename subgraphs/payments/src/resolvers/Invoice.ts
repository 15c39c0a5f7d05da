/** Invoice: an ERP invoice, as the payment provider knows it (payments whose metadata names it). */
import { maySeeCustomer } from '../../../kit/src/index.js';
import type { InvoiceResolvers } from '../__generated__/resolvers-types.js';

export const Invoice: InvoiceResolvers = {
  __resolveReference: (reference) => ({ id: reference.id }),
  // A caller bound to one customer (kit/auth.ts) sees only that customer's payments.
  payments: async (invoice, _args, context) =>
    (await context.loaders.paymentsByInvoiceId.load(invoice.id)).filter((payment) => maySeeCustomer(context, payment.companyId)),
};
