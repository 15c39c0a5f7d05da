/** Query.payment: one payment by its intent id, null when there is none. */
import { requireCustomer } from '../../../kit/src/index.js';
import type { QueryResolvers } from '../__generated__/resolvers-types.js';

export const Query: QueryResolvers = {
  // Stripe intent ids start with pi_; anything else cannot exist, so it costs no call.
  // A caller bound to one customer (kit/auth.ts) gets FORBIDDEN for another's payment.
  payment: async (_parent, { id }, context) => {
    const payment = /^pi_[A-Za-z0-9]+$/.test(id) ? await context.loaders.paymentById.load(id) : null;
    if (payment) requireCustomer(context, payment.companyId);
    return payment;
  },
};
