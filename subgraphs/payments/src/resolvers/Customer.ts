/**
 * Customer: the CRM company, as the payment provider knows it. A reference costs
 * nothing; each field finds the company's Stripe customer through a batched search,
 * then its payments (another batched search) or its cards (one list per customer).
 */
import { requireCustomer } from '../../../kit/src/index.js';
import type { CustomerResolvers } from '../__generated__/resolvers-types.js';
import { decodeCursor, paginate, readFirst } from '../pagination.js';

export const Customer: CustomerResolvers = {
  // A caller bound to one customer (kit/auth.ts) may reach no other.
  __resolveReference: (reference, context) => {
    requireCustomer(context, reference.id);
    return { id: reference.id };
  },

  payments: async (customer, { first, after }, { loaders }) => {
    // Arguments are checked before any backend call.
    const size = readFirst(first);
    const afterId = after === null || after === undefined ? null : decodeCursor(after);
    return paginate(await loaders.paymentsByCompanyId.load(customer.id), size, afterId);
  },

  paymentMethods: async (customer, _args, { loaders }) => {
    const stripeCustomer = await loaders.stripeCustomerByCompanyId.load(customer.id);
    return stripeCustomer ? loaders.paymentMethodsByStripeCustomerId.load(stripeCustomer.id) : [];
  },

  defaultPaymentMethod: async (customer, _args, { loaders }) => {
    const stripeCustomer = await loaders.stripeCustomerByCompanyId.load(customer.id);
    return stripeCustomer?.defaultPaymentMethod ?? null;
  },
};
