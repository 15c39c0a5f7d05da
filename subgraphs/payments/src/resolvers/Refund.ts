/** Refund: amounts in the payment's currency, times from Stripe's unix seconds. */
import type { RefundResolvers } from '../__generated__/resolvers-types.js';
import { toMoney } from '../money.js';

export const Refund: RefundResolvers = {
  amount: (refund) => toMoney(refund.amount, refund.currency),
  createdAt: (refund) => new Date(refund.created * 1000).toISOString(),
};
