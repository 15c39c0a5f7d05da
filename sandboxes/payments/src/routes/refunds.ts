/**
 * /v1/refunds and /v1/charges. A refund names a payment intent (its latest charge is
 * refunded) or a charge; without an amount it refunds what is left. Each refund raises
 * the charge's amount_refunded; asking for more than is left is refused as Stripe does.
 */
import type { HandlerContext, RouteDef } from '../context.js';
import { invalidRequest, noSuch } from '../errors.js';
import { newId } from '../ids.js';
import { createdFilter, LIST_PARAMS, listObject, listPage } from '../lists.js';
import { formatAmount } from '../money.js';
import { applyMetadata } from '../params.js';
import type { ChargeRecord, RefundRecord } from '../records.js';
import { serializeCharge, serializeRefund } from '../serializers.js';
import type { SortEntry } from '../Table.js';

function chargeToRefund(ctx: HandlerContext, paymentIntent: string | undefined, chargeId: string | undefined): ChargeRecord {
  if (paymentIntent !== undefined && chargeId !== undefined) {
    throw invalidRequest('You may only specify one of these parameters: charge, payment_intent.', { code: 'parameters_exclusive', param: 'charge' });
  }
  if (paymentIntent !== undefined) {
    const pi = ctx.state.paymentIntents.get(paymentIntent);
    if (!pi) throw noSuch('payment_intent', paymentIntent, 'payment_intent', 400);
    const charge = pi.latestCharge ? ctx.state.charges.get(pi.latestCharge) : undefined;
    if (!charge || charge.status !== 'succeeded') {
      throw invalidRequest(`This PaymentIntent (${paymentIntent}) does not have a successful charge to refund.`, { param: 'payment_intent' });
    }
    return charge;
  }
  if (chargeId !== undefined) {
    const charge = ctx.state.charges.get(chargeId);
    if (!charge) throw noSuch('charge', chargeId, 'charge', 400);
    if (charge.status !== 'succeeded') throw invalidRequest(`Charge ${chargeId} has not succeeded and cannot be refunded.`, { param: 'charge' });
    return charge;
  }
  throw invalidRequest('One of the following params should be provided for this request: payment_intent or charge.', {
    code: 'parameter_missing',
    param: 'payment_intent',
  });
}

function create(ctx: HandlerContext) {
  const p = ctx.params(['payment_intent', 'charge', 'amount', 'reason', 'metadata', 'expand']);
  const charge = chargeToRefund(ctx, p.string('payment_intent'), p.string('charge'));
  const remaining = charge.amount - charge.amountRefunded;
  const requested = p.integer('amount', { min: 1 });
  if (remaining <= 0) {
    throw invalidRequest(`Charge ${charge.id} has already been refunded.`, { code: 'charge_already_refunded', param: 'charge' });
  }
  const amount = requested ?? remaining;
  if (amount > remaining) {
    throw invalidRequest(
      `Refund amount (${formatAmount(amount, charge.currency)}) is greater than unrefunded amount on charge (${formatAmount(remaining, charge.currency)})`,
      { param: 'amount' },
    );
  }
  const reason = p.oneOf('reason', ['duplicate', 'fraudulent', 'requested_by_customer']) ?? null;
  const metadata = applyMetadata({}, p.metadata());
  const refund: RefundRecord = {
    id: newId('re'),
    created: ctx.now(),
    amount,
    currency: charge.currency,
    charge: charge.id,
    paymentIntent: charge.paymentIntent,
    reason,
    metadata,
  };
  ctx.state.refunds.put(refund);
  const before = serializeCharge(ctx.state, charge);
  const after = ctx.state.charges.put({ ...charge, amountRefunded: charge.amountRefunded + amount });
  const object = serializeRefund(ctx.state, refund);
  ctx.emit('refund.created', object);
  ctx.emit('charge.refunded', serializeCharge(ctx.state, after), { amount_refunded: before.amount_refunded, refunded: before.refunded });
  return ctx.ok(object, p);
}

function retrieve(ctx: HandlerContext, id: string) {
  const p = ctx.params(['expand']);
  const refund = ctx.state.refunds.get(id);
  if (!refund) throw noSuch('refund', id, 'refund');
  return ctx.ok(serializeRefund(ctx.state, refund), p);
}

function update(ctx: HandlerContext, id: string) {
  const p = ctx.params(['metadata', 'expand']);
  const refund = ctx.state.refunds.get(id);
  if (!refund) throw noSuch('refund', id, 'refund');
  const next = ctx.state.refunds.put({ ...refund, metadata: applyMetadata(refund.metadata, p.metadata()) });
  return ctx.ok(serializeRefund(ctx.state, next), p);
}

function list(ctx: HandlerContext) {
  const p = ctx.params([...LIST_PARAMS, 'payment_intent', 'charge', 'created']);
  const paymentIntent = p.string('payment_intent');
  const charge = p.string('charge');
  const created = createdFilter(p);
  const table = ctx.state.refunds;
  let entries: readonly SortEntry[] = table.all.entries;
  if (paymentIntent !== undefined) entries = table.lookup('payment_intent', paymentIntent);
  else if (charge !== undefined) entries = table.lookup('charge', charge);
  const keep = (id: string): boolean => {
    const refund = table.get(id)!;
    return (charge === undefined || refund.charge === charge) && (created === null || created(refund.created));
  };
  const page = listPage(p, entries, (id) => table.entry(id), 'refund', keep);
  return ctx.ok(
    listObject(
      '/v1/refunds',
      page.ids.map((id) => serializeRefund(ctx.state, table.get(id)!)),
      page.hasMore,
    ),
    p,
  );
}

function retrieveCharge(ctx: HandlerContext, id: string) {
  const p = ctx.params(['expand']);
  const charge = ctx.state.charges.get(id);
  if (!charge) throw noSuch('charge', id, 'id');
  return ctx.ok(serializeCharge(ctx.state, charge), p);
}

function listCharges(ctx: HandlerContext) {
  const p = ctx.params([...LIST_PARAMS, 'payment_intent', 'customer', 'created']);
  const paymentIntent = p.string('payment_intent');
  const customer = p.string('customer');
  const created = createdFilter(p);
  const table = ctx.state.charges;
  const entries = paymentIntent !== undefined ? table.lookup('payment_intent', paymentIntent) : table.all.entries;
  const keep = (id: string): boolean => {
    const charge = table.get(id)!;
    return (customer === undefined || charge.customer === customer) && (created === null || created(charge.created));
  };
  const page = listPage(p, entries, (id) => table.entry(id), 'charge', keep);
  return ctx.ok(
    listObject(
      '/v1/charges',
      page.ids.map((id) => serializeCharge(ctx.state, table.get(id)!)),
      page.hasMore,
    ),
    p,
  );
}

export const refundRoutes: RouteDef[] = [
  { method: 'GET', pattern: '/v1/refunds', operation: 'refunds.list', handler: list },
  { method: 'POST', pattern: '/v1/refunds', operation: 'refunds.create', handler: create },
  { method: 'GET', pattern: '/v1/refunds/:id', operation: 'refunds.retrieve', handler: retrieve },
  { method: 'POST', pattern: '/v1/refunds/:id', operation: 'refunds.update', handler: update },
  { method: 'GET', pattern: '/v1/charges', operation: 'charges.list', handler: listCharges },
  { method: 'GET', pattern: '/v1/charges/:id', operation: 'charges.retrieve', handler: retrieveCharge },
];
