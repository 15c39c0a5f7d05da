/**
 * Stripe objects to the graph's models, parsed once at the connector's edge: amounts stay
 * minor units (Stripe's are already), currencies become the GraphQL enum, statuses the
 * GraphQL names. Expandable fields may arrive as an id or as the object; both are read.
 */
import type Stripe from 'stripe';
import { BackendError } from '../../../kit/src/index.js';
import type { CurrencyCode, PaymentStatus, RefundStatus } from '../__generated__/resolvers-types.js';
import type { PaymentMethodModel, PaymentModel, RefundModel, StripeCustomerModel } from '../models.js';

const CURRENCIES: readonly CurrencyCode[] = ['USD', 'EUR', 'GBP'];

export function parseCurrency(currency: string): CurrencyCode {
  const upper = currency.toUpperCase();
  const known = CURRENCIES.find((c) => c === upper);
  // The graph bills in three currencies; another one is a contract break worth an error, not a guess.
  if (!known) throw new BackendError('BACKEND_ERROR', `payments answered in a currency the graph does not know: ${currency}`, { backend: 'payments' });
  return known;
}

export function parsePaymentStatus(intent: Pick<Stripe.PaymentIntent, 'status' | 'last_payment_error'>): PaymentStatus {
  switch (intent.status) {
    case 'succeeded':
      return 'SUCCEEDED';
    case 'processing':
    case 'requires_capture':
      // Authorised but not yet captured: the money is on its way, as with processing.
      return 'PROCESSING';
    case 'canceled':
      return 'CANCELED';
    case 'requires_payment_method':
      // Without an error it is a fresh intent that still waits for a card: the payer must act.
      return intent.last_payment_error ? 'FAILED' : 'REQUIRES_ACTION';
    default:
      // requires_action, requires_confirmation
      return 'REQUIRES_ACTION';
  }
}

export function parseRefundStatus(status: string | null): RefundStatus {
  switch (status) {
    case 'succeeded':
      return 'SUCCEEDED';
    case 'failed':
      return 'FAILED';
    case 'canceled':
      return 'CANCELED';
    default:
      // pending, requires_action: not settled yet.
      return 'PENDING';
  }
}

export function parsePaymentMethod(pm: Stripe.PaymentMethod): PaymentMethodModel | null {
  // Only cards are modelled; other kinds of payment method are left out, not faked.
  if (!pm.card) return null;
  return { id: pm.id, brand: pm.card.brand, last4: pm.card.last4, expMonth: pm.card.exp_month, expYear: pm.card.exp_year };
}

function expanded<T extends { id: string }>(value: string | T | null | undefined): T | null {
  return value !== null && value !== undefined && typeof value === 'object' ? value : null;
}

function idOf(value: string | { id: string } | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : value.id;
}

export function parseCustomer(customer: Stripe.Customer): StripeCustomerModel | null {
  const companyId = customer.metadata?.crm_company_id;
  if (!companyId) return null;
  const pm = expanded(customer.invoice_settings?.default_payment_method);
  return { id: customer.id, companyId, defaultPaymentMethod: pm ? parsePaymentMethod(pm) : null, created: customer.created };
}

export function parsePaymentIntent(intent: Stripe.PaymentIntent): PaymentModel {
  const charge = expanded(intent.latest_charge);
  const customer = expanded(intent.customer);
  const error = intent.last_payment_error;
  // A declined intent drops its payment_method; the card that was tried is on the error.
  const pm = expanded(intent.payment_method) ?? error?.payment_method ?? null;
  const customerMetadata = customer && !('deleted' in customer && customer.deleted) ? (customer as Stripe.Customer).metadata : undefined;
  return {
    id: intent.id,
    amount: intent.amount,
    currency: parseCurrency(intent.currency),
    // No charge yet means nothing to refund; an id we did not expand means we do not know.
    amountRefunded: intent.latest_charge === null ? 0 : charge ? charge.amount_refunded : null,
    status: parsePaymentStatus(intent),
    created: intent.created,
    invoiceId: intent.metadata?.erp_invoice_id ?? null,
    companyId: intent.metadata?.crm_company_id ?? customerMetadata?.crm_company_id ?? null,
    stripeCustomerId: idOf(intent.customer),
    paymentMethod: pm ? parsePaymentMethod(pm) : null,
    failureCode: error ? (error.decline_code ?? error.code ?? null) : null,
    idempotencyKey: intent.metadata?.idempotency_key ?? null,
  };
}

export function parseRefund(refund: Stripe.Refund): RefundModel {
  return { id: refund.id, amount: refund.amount, currency: parseCurrency(refund.currency), status: parseRefundStatus(refund.status), created: refund.created };
}

/**
 * Newest first. The sort is stable, so objects created in the same second keep the
 * backend's own order (Stripe's lists break such ties by creation sequence, which the
 * ids do not show).
 */
export function newestFirst(a: { created: number }, b: { created: number }): number {
  return b.created - a.created;
}
