/**
 * The writes: paying an ERP invoice with a saved card, refunding a payment. Both pass
 * the client's idempotency key to Stripe as the request's Idempotency-Key, so a client
 * (or our own retry after a timeout) sending the same request again gets the first
 * result back and the card is charged, or the money refunded, once.
 */
import { BackendError, markChanged, requireCustomer, userError } from '../../../kit/src/index.js';
import type { MutationResolvers } from '../__generated__/resolvers-types.js';
import type { PaymentsContext } from '../context.js';

const KEY_LENGTH = { min: 8, max: 255 };

function checkIdempotencyKey(key: string): void {
  if (key.length < KEY_LENGTH.min || key.length > KEY_LENGTH.max) {
    throw userError('BAD_USER_INPUT', `idempotencyKey must be ${KEY_LENGTH.min} to ${KEY_LENGTH.max} characters, got ${key.length}`, {
      argumentName: 'idempotencyKey',
    });
  }
}

function checkId(value: string, name: string): string {
  const id = value.trim();
  if (id === '') throw userError('BAD_USER_INPUT', `${name} must not be empty`, { argumentName: name });
  return id;
}

function checkAmount(amount: number, name: string): void {
  if (!Number.isSafeInteger(amount) || amount < 1) {
    throw userError('BAD_USER_INPUT', `${name} must be a whole number of minor units, at least 1, got ${amount}`, { argumentName: name });
  }
}

/**
 * A declined card still leaves a failed payment intent at Stripe: the read model gets it
 * before the error answers (one retrieve), so the invoice's payments show the attempt.
 */
async function recordDeclined(context: PaymentsContext, error: unknown): Promise<void> {
  if (!context.readModel || !(error instanceof BackendError) || error.code !== 'PAYMENT_DECLINED') return;
  const paymentId = error.details.paymentId;
  if (typeof paymentId !== 'string') return;
  try {
    const failed = await context.connector.retrievePayment(paymentId);
    if (failed) context.readModel.recordPayment(failed);
  } catch (readError) {
    // The webhook or the next catch-up brings it; the client gets the decline either way.
    context.logger.warn({ err: readError, paymentId }, 'declined payment not read back into the read model');
  }
}

export const Mutation: MutationResolvers = {
  payInvoice: async (_parent, { input }, context) => {
    const { connector, loaders, logger } = context;
    checkIdempotencyKey(input.idempotencyKey);
    const companyId = checkId(input.customerId, 'customerId');
    // A caller bound to one customer (kit/auth.ts) pays only that customer's invoices.
    requireCustomer(context, companyId);
    const invoiceId = checkId(input.invoiceId, 'invoiceId');
    checkAmount(input.amount.amount, 'amount.amount');
    const requestedMethod = input.paymentMethodId === null || input.paymentMethodId === undefined ? null : checkId(input.paymentMethodId, 'paymentMethodId');

    const customer = await loaders.stripeCustomerByCompanyId.load(companyId);
    if (!customer) throw userError('NOT_FOUND', `customer ${companyId} has no account at the payment provider`, { argumentName: 'customerId' });
    // The customer's default card, else the first card on file: what "their card" means to a clerk.
    const paymentMethodId =
      requestedMethod ?? customer.defaultPaymentMethod?.id ?? (await loaders.paymentMethodsByStripeCustomerId.load(customer.id))[0]?.id ?? null;
    if (paymentMethodId === null) throw userError('BAD_USER_INPUT', `customer ${companyId} has no saved card`, { argumentName: 'paymentMethodId' });

    const payment = await connector
      .createPayment({
        stripeCustomerId: customer.id,
        paymentMethodId,
        amount: input.amount.amount,
        currency: input.amount.currency,
        invoiceId,
        companyId,
        idempotencyKey: input.idempotencyKey,
      })
      .catch(async (error: unknown) => {
        await recordDeclined(context, error);
        throw error;
      });
    // Read-your-writes: the read model holds the payment before the mutation answers (the webhook comes later).
    context.readModel?.recordPayment(payment);
    logger.info({ paymentId: payment.id, invoiceId, companyId, status: payment.status }, 'invoice payment made');
    // The gateway evicts what this changed: the new payment, the invoice's payments, the customer's payments.
    markChanged(context, [
      { __typename: 'Payment', id: payment.id },
      { __typename: 'Invoice', id: invoiceId },
      { __typename: 'Customer', id: companyId },
    ]);
    return { payment };
  },

  refundPayment: async (_parent, { input }, context) => {
    const { connector, loaders, logger } = context;
    checkIdempotencyKey(input.idempotencyKey);
    const paymentId = checkId(input.paymentId, 'paymentId');
    if (input.amount) checkAmount(input.amount.amount, 'amount.amount');

    const before = /^pi_[A-Za-z0-9]+$/.test(paymentId) ? await loaders.paymentById.load(paymentId) : null;
    if (!before) throw userError('NOT_FOUND', `no payment ${paymentId}`, { argumentName: 'paymentId' });
    requireCustomer(context, before.companyId);
    if (input.amount && input.amount.currency !== before.currency) {
      throw userError('BAD_USER_INPUT', `payment ${paymentId} is in ${before.currency}, not ${input.amount.currency}`, { argumentName: 'amount.currency' });
    }

    const refund = await connector.createRefund({ paymentId, amount: input.amount?.amount, idempotencyKey: input.idempotencyKey });
    context.readModel?.recordRefund(paymentId, refund);
    // Read again, bypassing this request's cache: the payload shows the payment after the refund
    // (from the read model when it is served: the refund is in it).
    loaders.paymentById.clear(paymentId);
    const after = await loaders.paymentById.load(paymentId);
    if (!after) throw new BackendError('BACKEND_ERROR', `payment ${paymentId} vanished after its refund`, { backend: 'payments' });
    logger.info({ paymentId, refundId: refund.id, amount: refund.amount }, 'payment refunded');
    markChanged(context, [
      { __typename: 'Payment', id: paymentId },
      ...(after.invoiceId ? [{ __typename: 'Invoice', id: after.invoiceId }] : []),
      ...(after.companyId ? [{ __typename: 'Customer', id: after.companyId }] : []),
    ]);
    return { refund, payment: after };
  },
};
