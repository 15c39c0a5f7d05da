/** Query.payment: one payment by its intent id, null when there is none. */
import type { QueryResolvers } from '../__generated__/resolvers-types.js';

export const Query: QueryResolvers = {
  // Stripe intent ids start with pi_; anything else cannot exist, so it costs no call.
  payment: (_parent, { id }, { loaders }) => (/^pi_[A-Za-z0-9]+$/.test(id) ? loaders.paymentById.load(id) : null),
};
