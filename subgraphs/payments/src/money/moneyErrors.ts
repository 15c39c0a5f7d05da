/**
 * Why payInvoice or refundPayment refused to move money. Each refusal has its own code, so
 * a client can tell "this invoice is already paid" from "someone else's invoice" from
 * "retry later", and none of them ever reached the payment provider's write endpoints.
 */
import { GraphQLError } from 'graphql';

export type MoneyRefusal =
  /** No customer invoice with this id in the ERP. */
  | 'INVOICE_NOT_FOUND'
  /** The invoice belongs to another customer than the one paying (or than the caller's bound customer). */
  | 'FORBIDDEN'
  /** The invoice is paid, cancelled or still a draft. */
  | 'INVOICE_NOT_OPEN'
  /** The payment's currency is not the invoice's (or, for a refund, the payment's). */
  | 'CURRENCY_MISMATCH'
  /** More than what is left to pay once the provider's payments not yet applied by the ERP are counted. */
  | 'AMOUNT_EXCEEDS_RESIDUAL'
  /** More than was captured, less what was refunded already. */
  | 'AMOUNT_EXCEEDS_REFUNDABLE'
  /** The payment did not succeed, so there is nothing to refund. */
  | 'PAYMENT_NOT_REFUNDABLE'
  /** No payment with this id at the provider. */
  | 'PAYMENT_NOT_FOUND'
  /** The idempotency key was used before for another request (another invoice, amount, card or payment). */
  | 'IDEMPOTENCY_KEY_REUSED'
  /** The cross-replica lock store (Redis) is unavailable: nothing was done; try again shortly. */
  | 'PAYMENT_LOCK_UNAVAILABLE';

export function moneyRefusal(code: MoneyRefusal, message: string, extensions: Record<string, string | number | boolean> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extensions } });
}
