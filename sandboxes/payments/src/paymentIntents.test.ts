import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Stripe from 'stripe';
import { generateWorld } from '../../kit/src/index.js';
import { startSandbox, TEST_SCALE, type TestSandbox } from './testSandbox.js';

const world = generateWorld({ seed: 1, scale: Number(TEST_SCALE) });
const customer = world.customers[2]!;
let t: TestSandbox;

beforeAll(async () => {
  t = await startSandbox();
});
afterAll(async () => {
  await t.close();
});

const pay = (overrides: Partial<Stripe.PaymentIntentCreateParams> = {}) =>
  t.stripe.paymentIntents.create({
    amount: 12_345,
    currency: 'usd',
    customer: customer.id,
    payment_method: customer.paymentMethods[0]!.id,
    confirm: true,
    metadata: { erp_invoice_id: '900001', erp_invoice_name: 'INV/2026/900001', crm_company_id: world.companies[2]!.crmId },
    description: 'Invoice INV/2026/900001',
    ...overrides,
  });

describe('payment intents through the official stripe client', () => {
  it('creates and confirms a payment: succeeded, with its charge and amount_received', async () => {
    const pi = await pay({ expand: ['latest_charge'] });
    expect(pi).toMatchObject({
      object: 'payment_intent',
      status: 'succeeded',
      amount: 12_345,
      amount_received: 12_345,
      currency: 'usd',
      customer: customer.id,
      livemode: false,
    });
    expect(pi.id).toMatch(/^pi_[0-9A-Za-z]{24}$/);
    const charge = pi.latest_charge as Stripe.Charge;
    expect(charge).toMatchObject({ object: 'charge', status: 'succeeded', amount: 12_345, paid: true, payment_intent: pi.id, amount_refunded: 0 });
    expect(charge.payment_method_details?.card?.last4).toBe(customer.paymentMethods[0]!.last4);
    const retrieved = await t.stripe.paymentIntents.retrieve(pi.id);
    expect(retrieved.latest_charge).toBe(charge.id);
    expect(retrieved.metadata).toEqual({ erp_invoice_id: '900001', erp_invoice_name: 'INV/2026/900001', crm_company_id: world.companies[2]!.crmId });
  });

  it('declines with a test card: StripeCardError with decline_code, the intent left requires_payment_method', async () => {
    const error = await pay({ customer: undefined, payment_method: 'pm_card_chargeDeclined', metadata: { erp_invoice_id: '900002' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
    const card = error as Stripe.errors.StripeCardError;
    expect(card).toMatchObject({ statusCode: 402, code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.' });
    expect(card.charge).toMatch(/^ch_/);
    const pi = card.payment_intent!;
    expect(pi).toMatchObject({ status: 'requires_payment_method', payment_method: null, latest_charge: card.charge });
    expect(pi.last_payment_error).toMatchObject({ type: 'card_error', code: 'card_declined', decline_code: 'generic_decline', charge: card.charge });
    expect(pi.last_payment_error?.payment_method?.card?.last4).toBe('0002');

    const insufficient = await pay({ customer: undefined, payment_method: 'pm_card_chargeDeclinedInsufficientFunds' }).catch((e: unknown) => e);
    expect(insufficient).toMatchObject({ type: 'StripeCardError', decline_code: 'insufficient_funds', message: 'Your card has insufficient funds.' });
    const expired = await pay({ customer: undefined, payment_method: 'pm_card_chargeDeclinedExpiredCard' }).catch((e: unknown) => e);
    expect(expired).toMatchObject({ code: 'expired_card', decline_code: 'expired_card' });

    // Confirming again with a good card succeeds, with a new charge.
    const retried = await t.stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa' });
    expect(retried).toMatchObject({ status: 'succeeded', amount_received: 12_345, last_payment_error: null });
    expect(retried.latest_charge).not.toBe(card.charge);
    const charges = await t.stripe.charges.list({ payment_intent: pi.id });
    expect(charges.data.map((c) => c.status)).toEqual(['succeeded', 'failed']);
  });

  it('creates without confirming, then confirms, and refuses to confirm twice', async () => {
    const pi = await t.stripe.paymentIntents.create({ amount: 5000, currency: 'eur', payment_method: 'pm_card_visa' });
    expect(pi).toMatchObject({ status: 'requires_confirmation', amount_received: 0, latest_charge: null });
    expect((await t.stripe.paymentIntents.confirm(pi.id)).status).toBe('succeeded');
    const again = await t.stripe.paymentIntents.confirm(pi.id).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(again).toMatchObject({ statusCode: 400, code: 'payment_intent_unexpected_state' });
    const missing = await t.stripe.paymentIntents.create({ amount: 5000, currency: 'eur', confirm: true }).catch((e: unknown) => e);
    expect(missing).toMatchObject({ statusCode: 400, code: 'payment_intent_unexpected_state' });
  });

  it('cancels an unpaid intent and refuses to cancel a paid one', async () => {
    const open = await t.stripe.paymentIntents.create({ amount: 900, currency: 'gbp' });
    const canceled = await t.stripe.paymentIntents.cancel(open.id, { cancellation_reason: 'abandoned' });
    expect(canceled).toMatchObject({ status: 'canceled', cancellation_reason: 'abandoned', canceled_at: expect.any(Number) });
    const paid = await pay();
    const error = await t.stripe.paymentIntents.cancel(paid.id).catch((e: unknown) => e);
    expect(error).toMatchObject({ statusCode: 400, code: 'payment_intent_unexpected_state' });
  });

  it('updates metadata of any intent, but the amount only before it is paid', async () => {
    const seeded = world.payments.find((p) => p.status === 'succeeded')!;
    const updated = await t.stripe.paymentIntents.update(seeded.id, { metadata: { note: 'checked' }, description: 'Checked' });
    expect(updated.metadata).toMatchObject({ erp_invoice_id: String(seeded.invoiceErpId), note: 'checked' });
    expect(updated.description).toBe('Checked');
    const refused = await t.stripe.paymentIntents.update(seeded.id, { amount: 100 }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ statusCode: 400, code: 'payment_intent_unexpected_state', param: 'amount' });
    const open = await t.stripe.paymentIntents.create({ amount: 900, currency: 'usd', metadata: { erp_invoice_id: '900003' } });
    const moved = await t.stripe.paymentIntents.update(open.id, { amount: 1_900, metadata: { erp_invoice_id: '900004' } });
    expect(moved.amount).toBe(1_900);
    const search = (id: string) => t.stripe.paymentIntents.search({ query: `metadata['erp_invoice_id']:'${id}'` });
    expect((await search('900003')).data).toEqual([]);
    expect((await search('900004')).data.map((pi) => pi.id)).toEqual([open.id]);
  });

  it('validates like Stripe: missing, unknown and out-of-range parameters', async () => {
    const missing = await t.stripe.paymentIntents.create({ currency: 'usd' } as Stripe.PaymentIntentCreateParams).catch((e: unknown) => e);
    expect(missing).toMatchObject({ statusCode: 400, code: 'parameter_missing', param: 'amount', message: 'Missing required param: amount.' });
    const small = await t.stripe.paymentIntents.create({ amount: 10, currency: 'usd' }).catch((e: unknown) => e);
    expect(small).toMatchObject({ code: 'amount_too_small', param: 'amount' });
    const unknownCustomer = await t.stripe.paymentIntents.create({ amount: 100, currency: 'usd', customer: 'cus_nope' }).catch((e: unknown) => e);
    expect(unknownCustomer).toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'customer' });
    const notFound = await t.stripe.paymentIntents.retrieve('pi_doesnotexist').catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(notFound).toMatchObject({ statusCode: 404, code: 'resource_missing', message: "No such payment_intent: 'pi_doesnotexist'" });
  });

  it("lists a customer's payments newest first, by pages and by async iteration", async () => {
    const seeded = world.payments.filter((p) => p.customerId === customer.id).length;
    const all: Stripe.PaymentIntent[] = [];
    for await (const pi of t.stripe.paymentIntents.list({ customer: customer.id, limit: 2 })) all.push(pi);
    expect(all.length).toBeGreaterThanOrEqual(seeded);
    expect(all.every((pi) => pi.customer === customer.id)).toBe(true);
    const createds = all.map((pi) => pi.created);
    expect([...createds].sort((a, b) => b - a)).toEqual(createds);
    const page = await t.stripe.paymentIntents.list({ customer: customer.id, limit: 1 });
    expect(page.has_more).toBe(all.length > 1);
    const oldest = all[all.length - 1]!;
    const range = await t.stripe.paymentIntents.list({ customer: customer.id, created: { lte: oldest.created } });
    expect(range.data.map((pi) => pi.id)).toContain(oldest.id);
    expect(range.data.every((pi) => pi.created <= oldest.created)).toBe(true);
  });

  it('searches by metadata and status, with OR and negation', async () => {
    const invoice = world.payments.find((p) => p.status === 'succeeded')!;
    const byInvoice = await t.stripe.paymentIntents.search({ query: `metadata['erp_invoice_id']:'${invoice.invoiceErpId}' AND status:'succeeded'` });
    expect(byInvoice.data.length).toBeGreaterThan(0);
    expect(byInvoice.data.every((pi) => pi.metadata.erp_invoice_id === String(invoice.invoiceErpId) && pi.status === 'succeeded')).toBe(true);

    const failed = world.payments.filter((p) => p.status === 'requires_payment_method');
    const notSucceeded = await t.stripe.paymentIntents.search({ query: "-status:'succeeded' AND amount>0" }).autoPagingToArray({ limit: 1000 });
    expect(notSucceeded.filter((pi) => pi.status === 'requires_payment_method').length).toBeGreaterThanOrEqual(failed.length);
    expect(notSucceeded.every((pi) => pi.status !== 'succeeded')).toBe(true);

    const [a, b] = [world.payments[0]!, world.payments[1]!];
    const either = await t.stripe.paymentIntents.search({ query: `customer:'${a.customerId}' OR customer:'${b.customerId}'`, limit: 100 });
    expect(either.data.every((pi) => pi.customer === a.customerId || pi.customer === b.customerId)).toBe(true);
    expect(either.data.map((pi) => pi.id)).toEqual(expect.arrayContaining([a.id, b.id]));

    const badQuery = await t.stripe.paymentIntents.search({ query: "status~'succ'" }).catch((e: unknown) => e);
    expect(badQuery).toMatchObject({ statusCode: 400, param: 'query' });
  });

  it('refunds in part, then the rest, and refuses to refund more than is left', async () => {
    const pi = await pay({ amount: 10_000 });
    const partial = await t.stripe.refunds.create({ payment_intent: pi.id, amount: 2_500, reason: 'requested_by_customer' });
    expect(partial).toMatchObject({ object: 'refund', amount: 2_500, status: 'succeeded', payment_intent: pi.id, charge: pi.latest_charge });
    const over = await t.stripe.refunds.create({ payment_intent: pi.id, amount: 8_000 }).catch((e: unknown) => e);
    expect(over).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(over).toMatchObject({ statusCode: 400, param: 'amount', message: 'Refund amount ($80.00) is greater than unrefunded amount on charge ($75.00)' });
    const rest = await t.stripe.refunds.create({ payment_intent: pi.id });
    expect(rest.amount).toBe(7_500);
    const charge = await t.stripe.charges.retrieve(pi.latest_charge as string);
    expect(charge).toMatchObject({ amount_refunded: 10_000, refunded: true });
    const refunds = await t.stripe.refunds.list({ payment_intent: pi.id });
    expect(refunds.data.map((r) => r.id)).toEqual([rest.id, partial.id]);
    const done = await t.stripe.refunds.create({ payment_intent: pi.id }).catch((e: unknown) => e);
    expect(done).toMatchObject({ statusCode: 400, code: 'charge_already_refunded' });
    expect((await t.stripe.refunds.retrieve(partial.id, { expand: ['payment_intent'] })).payment_intent).toMatchObject({ id: pi.id });
  });

  it('records events for what happened, listed newest first', async () => {
    const pi = await pay({ amount: 777 });
    const events = await t.stripe.events.list({ type: 'payment_intent.*', limit: 100 });
    const mine = events.data.filter((e) => (e.data.object as { id?: string }).id === pi.id).map((e) => e.type);
    expect(mine).toEqual(['payment_intent.succeeded', 'payment_intent.created']);
    const event = await t.stripe.events.retrieve(events.data[0]!.id);
    expect(event).toMatchObject({ object: 'event', livemode: false, pending_webhooks: 0, request: { id: expect.stringMatching(/^req_/) } });
  });
});
