/**
 * Paying an ERP invoice: the only way money comes in through the graph, so every check a
 * clerk would make happens before the card is charged, against the ERP as it is now.
 *
 * 1. Input, and the caller's binding (a token bound to one customer pays as that customer).
 * 2. One at a time per invoice (this process's queue and, with Redis, a lease every replica
 *    honours), so that two payments can never both see the same "left to pay".
 * 3. Inside: the invoice from the ERP (it exists, it is a customer invoice of the customer
 *    paying, same currency), then whether it is open and the amount fits its residual. All
 *    of this costs ERP reads only: a refused payment makes no call to the provider.
 * 4. Then the provider's payments for the invoice (a list, which sees a payment made a
 *    moment ago): those the ERP has not applied yet (no payment.transaction) are still
 *    owed to the invoice, so what is left to pay is the residual (read again, after the
 *    applied payments) less them.
 * 5. The charge, with the client's idempotency key (and the key in the intent's metadata).
 *
 * A retry with the same key finds its first attempt (in the idempotency records, or by the
 * key in the provider's metadata) and gets that result, whatever the invoice says now.
 */
import { BackendError, LockUnavailableError, markChanged, requireCustomer, userError } from '../../../kit/src/index.js';
import type { PayInvoiceInput } from '../__generated__/resolvers-types.js';
import type { PaymentsContext } from '../context.js';
import type { PaymentModel } from '../models.js';
import { moneyRefusal } from './moneyErrors.js';

/** payment_state values of an invoice that still waits for money (Odoo's). */
const OPEN_PAYMENT_STATES: ReadonlySet<string> = new Set(['not_paid', 'partial']);
/** ERP invoice ids are positive integers; anything else names no invoice. */
const INVOICE_ID = /^[1-9]\d{0,9}$/;

export interface PayInvoiceRequest {
  companyId: string;
  invoiceId: string;
  amount: number;
  currency: PayInvoiceInput['amount']['currency'];
  /** The card named by the client; the customer's default card (or first) when null. */
  paymentMethodId: string | null;
  idempotencyKey: string;
}

/** What a provider payment still adds to the invoice until the ERP applies it. */
function stillOwed(payment: PaymentModel): number {
  switch (payment.status) {
    case 'SUCCEEDED':
      return Math.max(0, payment.amount - (payment.amountRefunded ?? 0));
    // Money that may still arrive, or a payment the customer may still complete: it counts until it fails.
    case 'PROCESSING':
    case 'REQUIRES_ACTION':
      return payment.amount;
    default:
      return 0;
  }
}

function fingerprintOf(request: PayInvoiceRequest): string {
  return JSON.stringify([request.companyId, request.invoiceId, request.amount, request.currency, request.paymentMethodId]);
}

export async function payInvoice(request: PayInvoiceRequest, context: PaymentsContext): Promise<PaymentModel> {
  const { invoiceId, companyId } = request;
  // A caller bound to one customer (kit/auth.ts) pays only as that customer.
  requireCustomer(context, companyId);
  if (!INVOICE_ID.test(invoiceId)) throw moneyRefusal('INVOICE_NOT_FOUND', `no invoice ${invoiceId} in the ERP`, { invoiceId });
  try {
    return await context.moneyLock.run(`invoice:${invoiceId}`, () => payLocked(request, context));
  } catch (error) {
    if (error instanceof LockUnavailableError) {
      context.logger.warn({ invoiceId, reason: error.message }, 'payment refused: the cross-replica lock is unavailable');
      throw moneyRefusal(
        'PAYMENT_LOCK_UNAVAILABLE',
        'Payments are paused for a moment (the lock store is unavailable); nothing was charged. Try again shortly.',
      );
    }
    throw error;
  }
}

async function payLocked(request: PayInvoiceRequest, context: PaymentsContext): Promise<PaymentModel> {
  const { connector, erp, idempotency, loaders, logger } = context;
  const { invoiceId, companyId, amount, currency, idempotencyKey } = request;
  const fingerprint = fingerprintOf(request);
  const record = await idempotency.get('payInvoice', idempotencyKey);
  if (record && record.fingerprint !== fingerprint) {
    throw moneyRefusal('IDEMPOTENCY_KEY_REUSED', 'This idempotencyKey was used for another payment; make a new key for each payment.');
  }

  const { invoice, partnerIds } = await erp.invoiceAndCompanyPartners(Number(invoiceId), companyId);
  if (!invoice || invoice.moveType !== 'out_invoice') throw moneyRefusal('INVOICE_NOT_FOUND', `no customer invoice ${invoiceId} in the ERP`, { invoiceId });
  if (invoice.partnerId === null || !partnerIds.includes(invoice.partnerId)) {
    throw moneyRefusal('FORBIDDEN', `invoice ${invoiceId} is not an invoice of customer ${companyId}`, { invoiceId });
  }
  if (invoice.currency !== currency) {
    throw moneyRefusal('CURRENCY_MISMATCH', `invoice ${invoiceId} is in ${String(invoice.currency)}, the payment in ${currency}`, {
      invoiceId,
      invoiceCurrency: String(invoice.currency),
    });
  }
  // The same request again: its first result, even if that payment has closed the invoice since.
  if (record?.state === 'done' && record.resultId) return replay(record.resultId, context);
  // A first attempt whose outcome is unknown may have paid the invoice: look at the provider before refusing.
  const resuming = record?.state === 'sending';
  const checkOpenAndResidual = (): void => {
    if (invoice.state !== 'posted' || invoice.paymentState === null || !OPEN_PAYMENT_STATES.has(invoice.paymentState)) {
      const why = invoice.state === 'posted' ? String(invoice.paymentState) : invoice.state;
      throw moneyRefusal('INVOICE_NOT_OPEN', `invoice ${invoiceId} is not open for payment (${why})`, { invoiceId });
    }
    if (amount > invoice.residualMinor) {
      throw moneyRefusal('AMOUNT_EXCEEDS_RESIDUAL', `${amount} is more than the ${invoice.residualMinor} left to pay on invoice ${invoiceId}`, {
        invoiceId,
        residual: invoice.residualMinor,
        available: invoice.residualMinor,
      });
    }
  };
  if (!resuming) checkOpenAndResidual();

  const customer = await loaders.stripeCustomerByCompanyId.load(companyId);
  if (!customer) throw userError('NOT_FOUND', `customer ${companyId} has no account at the payment provider`, { argumentName: 'customerId' });
  const ofInvoice = (await connector.listPaymentsOfCustomer(customer.id)).filter((p) => p.invoiceId === invoiceId && p.currency === currency);
  const earlier = ofInvoice.find((p) => p.idempotencyKey === idempotencyKey);
  if (earlier) {
    await idempotency.put('payInvoice', idempotencyKey, { fingerprint, state: 'done', resultId: earlier.id });
    return replay(earlier.id, context, earlier);
  }
  if (resuming) checkOpenAndResidual();

  const owed = ofInvoice.filter((p) => stillOwed(p) > 0);
  let residual = invoice.residualMinor;
  let pending = 0;
  if (owed.length > 0) {
    // What the ERP has applied, then its residual, in that order: a payment it applies in
    // between is then counted twice (refusing too early), never missed (charging too much).
    const applied = await erp.appliedPayments(owed.map((p) => p.id));
    residual = (await erp.invoice(invoice.id))?.residualMinor ?? 0;
    pending = owed.filter((p) => !applied.has(p.id)).reduce((sum, p) => sum + stillOwed(p), 0);
  }
  const available = residual - pending;
  if (amount > available) {
    throw moneyRefusal(
      'AMOUNT_EXCEEDS_RESIDUAL',
      `${amount} is more than the ${Math.max(0, available)} left to pay on invoice ${invoiceId} (residual ${residual}, of which ${pending} paid and not yet applied by the ERP)`,
      { invoiceId, residual, pending, available: Math.max(0, available) },
    );
  }

  // The customer's default card, else the first card on file: what "their card" means to a clerk.
  const paymentMethodId =
    request.paymentMethodId ?? customer.defaultPaymentMethod?.id ?? (await loaders.paymentMethodsByStripeCustomerId.load(customer.id))[0]?.id ?? null;
  if (paymentMethodId === null) throw userError('BAD_USER_INPUT', `customer ${companyId} has no saved card`, { argumentName: 'paymentMethodId' });

  await idempotency.put('payInvoice', idempotencyKey, { fingerprint, state: 'sending' });
  let payment: PaymentModel;
  try {
    payment = await connector.createPayment({ stripeCustomerId: customer.id, paymentMethodId, amount, currency, invoiceId, companyId, idempotencyKey });
  } catch (error) {
    const declinedId = error instanceof BackendError && error.code === 'PAYMENT_DECLINED' ? error.details.paymentId : undefined;
    if (typeof declinedId === 'string') {
      await idempotency.put('payInvoice', idempotencyKey, { fingerprint, state: 'done', resultId: declinedId });
      await recordDeclined(context, declinedId);
    }
    throw error;
  }
  await idempotency.put('payInvoice', idempotencyKey, { fingerprint, state: 'done', resultId: payment.id });
  // Read-your-writes: the read model holds the payment before the mutation answers (the webhook comes later).
  context.readModel?.recordPayment(payment);
  logger.info({ paymentId: payment.id, invoiceId, companyId, amount, status: payment.status, pendingBefore: pending }, 'invoice payment made');
  // The gateway evicts what this changed: the new payment, the invoice's payments, the customer's payments.
  markChanged(context, [
    { __typename: 'Payment', id: payment.id },
    { __typename: 'Invoice', id: invoiceId },
    { __typename: 'Customer', id: companyId },
  ]);
  return payment;
}

/** The first result of a request sent again: the payment it made, or the decline it got. */
async function replay(paymentId: string, context: PaymentsContext, known?: PaymentModel): Promise<PaymentModel> {
  const payment = known ?? (await context.connector.retrievePayment(paymentId));
  if (!payment)
    throw new BackendError('BACKEND_ERROR', `payment ${paymentId}, made earlier with this idempotencyKey, is gone at the provider`, { backend: 'payments' });
  if (payment.status === 'FAILED') {
    throw new BackendError('PAYMENT_DECLINED', `The card was declined${payment.failureCode ? ` (${payment.failureCode})` : ''}.`, {
      backend: 'payments',
      details: { declineCode: payment.failureCode, paymentId: payment.id },
    });
  }
  context.logger.info({ paymentId, idempotent: true }, 'invoice payment replayed for a repeated idempotencyKey');
  return payment;
}

/**
 * A declined card still leaves a failed payment intent at Stripe: the read model gets it
 * before the error answers (one retrieve), so the invoice's payments show the attempt.
 */
async function recordDeclined(context: PaymentsContext, paymentId: string): Promise<void> {
  if (!context.readModel) return;
  try {
    const failed = await context.connector.retrievePayment(paymentId);
    if (failed) context.readModel.recordPayment(failed);
  } catch (readError) {
    // The webhook or the next catch-up brings it; the client gets the decline either way.
    context.logger.warn({ err: readError, paymentId }, 'declined payment not read back into the read model');
  }
}
