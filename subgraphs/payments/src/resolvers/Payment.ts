/**
 * Payment: a Stripe payment intent. Its charge, card and customer were expanded when it
 * was loaded, so only refunds may cost a call, and only for payments that have some.
 */
import { requireCustomer } from '../../../kit/src/index.js';
import type { PaymentResolvers } from '../__generated__/resolvers-types.js';
import type { RefundModel } from '../models.js';
import { toMoney } from '../money.js';

/** What Stripe counts in a charge's amount_refunded: refunds not failed or cancelled. */
function refundedSum(refunds: readonly RefundModel[]): number {
  return refunds.reduce((sum, r) => (r.status === 'FAILED' || r.status === 'CANCELED' ? sum : sum + r.amount), 0);
}

export const Payment: PaymentResolvers = {
  __resolveReference: async (reference, context) => {
    const payment = await context.loaders.paymentById.load(reference.id);
    if (payment) requireCustomer(context, payment.companyId);
    return payment;
  },
  amount: (payment) => toMoney(payment.amount, payment.currency),
  amountRefunded: async (payment, _args, { loaders }) =>
    toMoney(payment.amountRefunded ?? refundedSum(await loaders.refundsByPaymentId.load(payment.id)), payment.currency),
  createdAt: (payment) => new Date(payment.created * 1000).toISOString(),
  invoice: (payment) => (payment.invoiceId === null ? null : { id: payment.invoiceId }),
  customer: (payment) => (payment.companyId === null ? null : { id: payment.companyId }),
  // Nothing refunded means no refund to list: the call is saved for most payments.
  refunds: (payment, _args, { loaders }) => (payment.amountRefunded === 0 ? [] : loaders.refundsByPaymentId.load(payment.id)),
};
