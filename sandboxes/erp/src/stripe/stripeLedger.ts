/**
 * What the ERP remembers of Stripe, in the sandbox's store next to the Odoo records, so
 * that it survives a restart: the events already processed (Stripe delivers at least
 * once, and retries), and per payment intent the invoice it pays and how much of that
 * invoice it settles. The second is a reduced `payment.transaction`, the record Odoo's
 * Stripe provider keeps per intent: a refund's charge names only its intent, and the
 * ERP holds no Stripe key to look the intent up.
 */
import type { World } from '../../../kit/src/index.js';

/** Collection of processed events, by event id. */
export const STRIPE_EVENTS = 'stripe.event';
/** Collection of payment intents, by intent id. */
export const STRIPE_INTENTS = 'stripe.payment_intent';

export interface StripeEventDoc {
  /** The event id (`evt_...`). */
  id: string;
  type: string;
  /** What processing it did, for whoever reads the data file. */
  outcome: string;
  /** When it was processed, ISO 8601. */
  processedAt: string;
}

export interface StripeIntentDoc {
  /** The payment intent id (`pi_...`). */
  id: string;
  /** The account.move it pays; null while only a refund, without the invoice id, has been seen. */
  invoiceId: number | null;
  /** amount_received from payment_intent.succeeded, in minor units; 0 until it arrives. */
  received: number;
  /** Per charge id, the cumulative amount_refunded already taken into account. */
  refunded: Record<string, number>;
  /**
   * What this payment takes off the invoice's amount_residual now: its net amount
   * (received minus refunded), less any part of it the invoice had no room for.
   */
  applied: number;
}

/**
 * The intents of the seed's succeeded payments, already reflected in the seeded
 * invoices, so that refunding one of them later raises the residual by the new refund
 * only. Their charge is `ch_` + the intent id's suffix, as the payments sandbox seeds it.
 */
export function seedStripeIntents(world: World): StripeIntentDoc[] {
  return world.payments
    .filter((payment) => payment.status === 'succeeded')
    .map((payment) => {
      const refunded = payment.refunds.reduce((sum, refund) => sum + refund.amountMinor, 0);
      const chargeId = `ch_${payment.id.slice(payment.id.indexOf('_') + 1)}`;
      return {
        id: payment.id,
        invoiceId: payment.invoiceErpId,
        received: payment.amountMinor,
        refunded: refunded > 0 ? { [chargeId]: refunded } : {},
        applied: payment.amountMinor - refunded,
      };
    });
}
