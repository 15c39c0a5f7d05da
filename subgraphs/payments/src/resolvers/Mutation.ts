/**
 * The writes: paying an ERP invoice with a saved card, refunding a payment. The input is
 * checked here; the money rules (the invoice checked against the ERP, one payment at a
 * time per invoice, refunds within what was captured, replays by idempotency key) are in
 * ../money/. Both pass the client's idempotency key to Stripe as the request's
 * Idempotency-Key, so a client (or our own retry after a timeout) sending the same
 * request again gets the first result back and the card is charged, or the money
 * refunded, once.
 */
import { userError } from '../../../kit/src/index.js';
import type { MutationResolvers } from '../__generated__/resolvers-types.js';
import { payInvoice } from '../money/payInvoice.js';
import { refundPayment } from '../money/refundPayment.js';

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

export const Mutation: MutationResolvers = {
  payInvoice: async (_parent, { input }, context) => {
    checkIdempotencyKey(input.idempotencyKey);
    checkAmount(input.amount.amount, 'amount.amount');
    const payment = await payInvoice(
      {
        companyId: checkId(input.customerId, 'customerId'),
        invoiceId: checkId(input.invoiceId, 'invoiceId'),
        amount: input.amount.amount,
        currency: input.amount.currency,
        paymentMethodId: input.paymentMethodId === null || input.paymentMethodId === undefined ? null : checkId(input.paymentMethodId, 'paymentMethodId'),
        idempotencyKey: input.idempotencyKey,
      },
      context,
    );
    return { payment };
  },

  refundPayment: async (_parent, { input }, context) => {
    checkIdempotencyKey(input.idempotencyKey);
    if (input.amount) checkAmount(input.amount.amount, 'amount.amount');
    return refundPayment({ paymentId: checkId(input.paymentId, 'paymentId'), amount: input.amount ?? null, idempotencyKey: input.idempotencyKey }, context);
  },
};
