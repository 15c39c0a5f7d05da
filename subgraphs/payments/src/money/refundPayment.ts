/**
 * Refunding a payment: never more than was captured less what was refunded already,
 * checked against the provider's payment as it is now, one refund at a time per payment
 * (this process's queue and, with Redis, a lease every replica honours), so that two
 * refunds with different keys cannot both take the same remainder.
 */
import { BackendError, LockUnavailableError, markChanged, requireCustomer } from '../../../kit/src/index.js';
import type { CurrencyCode } from '../__generated__/resolvers-types.js';
import type { PaymentsContext } from '../context.js';
import type { PaymentModel, RefundModel } from '../models.js';
import { moneyRefusal } from './moneyErrors.js';

const PAYMENT_ID = /^pi_[A-Za-z0-9]+$/;

export interface RefundPaymentRequest {
  paymentId: string;
  /** Minor units; everything still refundable when absent. */
  amount: { amount: number; currency: CurrencyCode } | null;
  idempotencyKey: string;
}

export async function refundPayment(request: RefundPaymentRequest, context: PaymentsContext): Promise<{ refund: RefundModel; payment: PaymentModel }> {
  if (!PAYMENT_ID.test(request.paymentId)) throw moneyRefusal('PAYMENT_NOT_FOUND', `no payment ${request.paymentId}`, { paymentId: request.paymentId });
  try {
    return await context.moneyLock.run(`payment:${request.paymentId}`, () => refundLocked(request, context));
  } catch (error) {
    if (error instanceof LockUnavailableError) {
      context.logger.warn({ paymentId: request.paymentId, reason: error.message }, 'refund refused: the cross-replica lock is unavailable');
      throw moneyRefusal(
        'PAYMENT_LOCK_UNAVAILABLE',
        'Refunds are paused for a moment (the lock store is unavailable); nothing was refunded. Try again shortly.',
      );
    }
    throw error;
  }
}

async function refundLocked(request: RefundPaymentRequest, context: PaymentsContext): Promise<{ refund: RefundModel; payment: PaymentModel }> {
  const { connector, idempotency, logger } = context;
  const { paymentId, idempotencyKey } = request;
  const fingerprint = JSON.stringify([paymentId, request.amount?.amount ?? null, request.amount?.currency ?? null]);
  const record = await idempotency.get('refundPayment', idempotencyKey);
  if (record && record.fingerprint !== fingerprint) {
    throw moneyRefusal('IDEMPOTENCY_KEY_REUSED', 'This idempotencyKey was used for another refund; make a new key for each refund.');
  }
  // As the provider has it now (not the read model, which may lag behind a refund made a moment ago).
  const before = await connector.retrievePayment(paymentId);
  if (!before) throw moneyRefusal('PAYMENT_NOT_FOUND', `no payment ${paymentId}`, { paymentId });
  requireCustomer(context, before.companyId);
  if (request.amount && request.amount.currency !== before.currency) {
    throw moneyRefusal('CURRENCY_MISMATCH', `payment ${paymentId} is in ${before.currency}, not ${request.amount.currency}`, { paymentId });
  }
  // The same request again: its first refund, even if nothing is left to refund since.
  if (record?.state === 'done' && record.resultId) {
    const refund = (await connector.listRefunds(paymentId)).find((r) => r.id === record.resultId);
    if (refund) return { refund, payment: before };
  }
  // A first attempt of unknown outcome is sent again with its key: the provider replays it if it happened.
  if (record?.state !== 'sending') {
    if (before.status !== 'SUCCEEDED')
      throw moneyRefusal('PAYMENT_NOT_REFUNDABLE', `payment ${paymentId} is ${before.status.toLowerCase()}: nothing was captured to refund`, { paymentId });
    const refunded =
      before.amountRefunded ??
      (await connector.listRefunds(paymentId)).filter((r) => r.status !== 'FAILED' && r.status !== 'CANCELED').reduce((sum, r) => sum + r.amount, 0);
    const refundable = Math.max(0, before.amount - refunded);
    const wanted = request.amount?.amount ?? refundable;
    if (wanted < 1 || wanted > refundable) {
      throw moneyRefusal(
        'AMOUNT_EXCEEDS_REFUNDABLE',
        `${wanted} is more than the ${refundable} still refundable on payment ${paymentId} (captured ${before.amount}, refunded ${refunded})`,
        {
          paymentId,
          refundable,
        },
      );
    }
  }

  await idempotency.put('refundPayment', idempotencyKey, { fingerprint, state: 'sending' });
  const refund = await connector.createRefund({ paymentId, amount: request.amount?.amount, idempotencyKey });
  await idempotency.put('refundPayment', idempotencyKey, { fingerprint, state: 'done', resultId: refund.id });
  context.readModel?.recordRefund(paymentId, refund);
  // Read again, bypassing this request's cache: the payload shows the payment after the refund.
  context.loaders.paymentById.clear(paymentId);
  const after = await context.loaders.paymentById.load(paymentId);
  if (!after) throw new BackendError('BACKEND_ERROR', `payment ${paymentId} vanished after its refund`, { backend: 'payments' });
  logger.info({ paymentId, refundId: refund.id, amount: refund.amount }, 'payment refunded');
  markChanged(context, [
    { __typename: 'Payment', id: paymentId },
    ...(after.invoiceId ? [{ __typename: 'Invoice', id: after.invoiceId }] : []),
    ...(after.companyId ? [{ __typename: 'Customer', id: after.companyId }] : []),
  ]);
  return { refund, payment: after };
}
