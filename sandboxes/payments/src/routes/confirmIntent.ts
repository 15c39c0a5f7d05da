/**
 * Confirming a payment intent, as Stripe test mode does with a card: the charge is made
 * at once (no 3-D Secure, no async capture). A card that succeeds leaves the intent
 * `succeeded` with `latest_charge` and `amount_received`; a declining test card leaves it
 * `requires_payment_method` with `last_payment_error`, a failed charge, and answers 402
 * with a card_error that embeds the intent, as Stripe does.
 */
import type { HandlerContext, HandlerResult } from '../context.js';
import { docUrl, invalidRequest, type StripeApiError } from '../errors.js';
import { idSuffix, newId } from '../ids.js';
import type { ChargeRecord, PaymentIntentRecord, PaymentMethodRecord } from '../records.js';
import { serializeCharge, serializePaymentIntent, serializePaymentMethod, type StripeObject } from '../serializers.js';

const CONFIRMABLE = ['requires_confirmation', 'requires_payment_method'];

/** Throws when `pi` cannot be confirmed in its state, or has no payment method to confirm with. */
export function checkConfirmable(ctx: HandlerContext, pi: PaymentIntentRecord, hasPaymentMethod: boolean): void {
  if (!CONFIRMABLE.includes(pi.status)) {
    const error = invalidRequest(
      `You cannot confirm this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be confirmed: requires_confirmation, requires_payment_method, requires_action.`,
      { code: 'payment_intent_unexpected_state' },
    );
    error.body.payment_intent = serializePaymentIntent(ctx.state, pi);
    throw error;
  }
  if (!hasPaymentMethod) throw missingPaymentMethod();
}

export function missingPaymentMethod(): StripeApiError {
  return invalidRequest(
    "You cannot confirm this PaymentIntent because it's missing a payment method. You can either update the PaymentIntent with a payment method and then confirm it again, or confirm it again directly with a payment method.",
    { code: 'payment_intent_unexpected_state' },
  );
}

function chargeId(ctx: HandlerContext, pi: PaymentIntentRecord): string {
  // A payment intent's first charge shares its id's suffix, as in Stripe; later attempts get their own.
  const first = `ch_${idSuffix(pi.id)}`;
  return ctx.state.charges.get(first) ? newId('ch') : first;
}

/** Charges `pm` for `pi` (writes the charge and the intent, records the events) and answers. */
export function confirmIntent(ctx: HandlerContext, pi: PaymentIntentRecord, pm: PaymentMethodRecord, expand: (o: StripeObject) => StripeObject): HandlerResult {
  const charge: ChargeRecord = {
    id: chargeId(ctx, pi),
    created: ctx.now(),
    amount: pi.amount,
    amountRefunded: 0,
    currency: pi.currency,
    customer: pi.customer,
    paymentIntent: pi.id,
    paymentMethod: pm.id,
    status: pm.decline ? 'failed' : 'succeeded',
    failure: pm.decline ? { code: pm.decline.code, declineCode: pm.decline.declineCode, message: pm.decline.message } : null,
    description: pi.description,
    metadata: { ...pi.metadata },
  };
  ctx.state.charges.put(charge);
  if (!pm.decline) {
    const succeeded = ctx.state.paymentIntents.put({
      ...pi,
      status: 'succeeded',
      paymentMethod: pm.id,
      amountReceived: pi.amount,
      latestCharge: charge.id,
      lastPaymentError: null,
    });
    ctx.emit('charge.succeeded', serializeCharge(ctx.state, charge));
    const object = serializePaymentIntent(ctx.state, succeeded);
    ctx.emit('payment_intent.succeeded', object);
    return { status: 200, body: expand(object) };
  }
  const failed = ctx.state.paymentIntents.put({
    ...pi,
    status: 'requires_payment_method',
    paymentMethod: null,
    latestCharge: charge.id,
    lastPaymentError: { code: pm.decline.code, declineCode: pm.decline.declineCode, message: pm.decline.message, charge: charge.id, paymentMethod: pm.id },
  });
  ctx.emit('charge.failed', serializeCharge(ctx.state, charge));
  const object = serializePaymentIntent(ctx.state, failed);
  ctx.emit('payment_intent.payment_failed', object);
  return {
    status: 402,
    body: {
      error: {
        charge: charge.id,
        code: pm.decline.code,
        decline_code: pm.decline.declineCode,
        doc_url: docUrl(pm.decline.code),
        message: pm.decline.message,
        payment_intent: object,
        payment_method: serializePaymentMethod(pm),
        type: 'card_error',
      },
    },
  };
}
