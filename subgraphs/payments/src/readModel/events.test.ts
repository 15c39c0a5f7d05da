/**
 * Events applied to the read model twice, late, or in the wrong order leave it in the
 * state the newest one describes; a customer event makes it read the customer again; a
 * card event drops the cards listed for that customer. No backend: the model's calls go
 * to a fake that counts them.
 */
import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../kit/src/index.js';
import type { StripePaymentsConnector } from '../connector/StripePaymentsConnector.js';
import type { StripeCustomerModel } from '../models.js';
import { PaymentsReadModel } from './PaymentsReadModel.js';

const CARD = { id: 'pm_Visa', object: 'payment_method', card: { brand: 'visa', last4: '4242', exp_month: 12, exp_year: 2030 } };

function intent(status: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'pi_Order',
    object: 'payment_intent',
    amount: 5000,
    currency: 'usd',
    status,
    created: 1_000,
    customer: 'cus_A',
    payment_method: status === 'requires_payment_method' ? null : 'pm_Visa',
    latest_charge: null,
    last_payment_error: null,
    metadata: { erp_invoice_id: '7', crm_company_id: '1001' },
    ...extra,
  };
}

let eventSeq = 0;
function event(type: string, created: number, object: Record<string, unknown>, previous?: Record<string, unknown>): Stripe.Event {
  return {
    id: `evt_${++eventSeq}`,
    object: 'event',
    type,
    created,
    data: { object, ...(previous ? { previous_attributes: previous } : {}) },
  } as unknown as Stripe.Event;
}

const declined = intent('requires_payment_method', {
  last_payment_error: {
    type: 'card_error',
    code: 'card_declined',
    decline_code: 'insufficient_funds',
    payment_method: { ...CARD, id: 'pm_Poor', card: { ...CARD.card, last4: '9995' } },
  },
});
const created = intent('requires_payment_method');
const succeeded = intent('succeeded', { latest_charge: 'ch_Order' });
const refund = (status: string): Record<string, unknown> => ({
  id: 're_1',
  object: 'refund',
  amount: 1200,
  currency: 'usd',
  status,
  created: 1_010,
  payment_intent: 'pi_Order',
});

/** A read model over a fake backend with an empty account; `customers` is what Stripe answers to a customer retrieve. */
async function modelWith(customers: Map<string, StripeCustomerModel | null> = new Map()) {
  const calls: string[] = [];
  const backend = {
    listAllCustomers: async () => [],
    listAllPayments: async () => [],
    listAllRefunds: async () => [],
    newestEventId: async () => null,
    listEventsSince: async () => [],
    retrieveCustomer: async (id: string) => (calls.push(`customers.retrieve ${id}`), customers.get(id) ?? null),
    retrievePaymentMethod: async (id: string) => (
      calls.push(`payment_methods.retrieve ${id}`),
      id === 'pm_Visa' ? { id, brand: 'visa', last4: '4242', expMonth: 12, expYear: 2030 } : null
    ),
    listPaymentMethods: async () => [],
  };
  const model = new PaymentsReadModel({
    connector: backend as unknown as StripePaymentsConnector,
    logger: createLogger('payments', 'silent'),
    catchUpIntervalMs: 60_000,
    maxLagMs: 120_000,
  });
  await model.sync();
  return { model, store: () => model.serving()!, calls };
}

describe('the read model applying events', () => {
  it('ends in the newest state whatever order the payment events arrive in, and twice is once', async () => {
    const orders = [
      [
        event('payment_intent.created', 1_000, created),
        event('payment_intent.payment_failed', 1_000, declined),
        event('payment_intent.succeeded', 1_003, succeeded),
      ],
      [
        event('payment_intent.succeeded', 1_003, succeeded),
        event('payment_intent.payment_failed', 1_000, declined),
        event('payment_intent.created', 1_000, created),
      ],
      [
        event('payment_intent.payment_failed', 1_000, declined),
        event('payment_intent.succeeded', 1_003, succeeded),
        event('payment_intent.created', 1_000, created),
      ],
    ];
    for (const events of orders) {
      const { model, store, calls } = await modelWith();
      for (const e of [...events, ...events]) await model.applyEvent(e);
      expect(store().payment('pi_Order')).toMatchObject({
        status: 'SUCCEEDED',
        failureCode: null,
        paymentMethod: { id: 'pm_Visa', last4: '4242' },
        invoiceId: '7',
        amountRefunded: 0,
      });
      expect(
        store()
          .paymentsOfInvoice('7')
          .map((p) => p.id),
      ).toEqual(['pi_Order']);
      // The card named by id was asked of Stripe once, then known.
      expect(calls).toEqual(['payment_methods.retrieve pm_Visa']);
    }
  });

  it('keeps a failure over the fresh intent of the same second, in either order', async () => {
    for (const events of [
      [event('payment_intent.created', 1_000, created), event('payment_intent.payment_failed', 1_000, declined)],
      [event('payment_intent.payment_failed', 1_000, declined), event('payment_intent.created', 1_000, created)],
    ]) {
      const { model, store } = await modelWith();
      for (const e of events) await model.applyEvent(e);
      expect(store().payment('pi_Order')).toMatchObject({ status: 'FAILED', failureCode: 'insufficient_funds', paymentMethod: { last4: '9995' } });
    }
  });

  it('counts a refund once, keeps its settled state over a late pending one, and sums it into the payment', async () => {
    const { model, store } = await modelWith();
    await model.applyEvent(event('payment_intent.succeeded', 1_003, succeeded));
    const settled = event('refund.updated', 1_011, refund('succeeded'));
    for (const e of [settled, event('refund.created', 1_010, refund('pending')), settled]) await model.applyEvent(e);
    expect(store().refundsOf('pi_Order')).toEqual([{ id: 're_1', amount: 1200, currency: 'USD', status: 'SUCCEEDED', created: 1_010 }]);
    expect(store().payment('pi_Order')!.amountRefunded).toBe(1200);
    // A refund that arrives before its payment is kept for it.
    await model.applyEvent(event('refund.created', 1_020, { ...refund('succeeded'), id: 're_2', payment_intent: 'pi_Later', amount: 300 }));
    expect(
      store()
        .refundsOf('pi_Later')
        .map((r) => r.id),
    ).toEqual(['re_2']);
  });

  it("reads a customer again on its events instead of trusting the event's copy, and forgets a deleted one", async () => {
    const current: StripeCustomerModel = { id: 'cus_A', companyId: '1001', defaultPaymentMethod: null, created: 900 };
    const customers = new Map<string, StripeCustomerModel | null>([['cus_A', current]]);
    const { model, store, calls } = await modelWith(customers);
    // An old copy in the event (another company) changes nothing: Stripe's answer is what counts.
    await model.applyEvent(event('customer.updated', 950, { id: 'cus_A', object: 'customer', metadata: { crm_company_id: '9999' } }));
    expect(store().customerOfCompany('1001')).toEqual(current);
    expect(store().customerOfCompany('9999')).toBeNull();
    await model.applyEvent(event('payment_intent.succeeded', 1_003, succeeded));
    expect(
      store()
        .paymentsOfCompany('1001')
        .map((p) => p.id),
    ).toEqual(['pi_Order']);
    await model.applyEvent(event('customer.deleted', 1_100, { id: 'cus_A', object: 'customer', deleted: true }));
    expect(store().customerOfCompany('1001')).toBeNull();
    expect(store().paymentsOfCompany('1001')).toEqual([]);
    expect(calls.filter((c) => c.startsWith('customers.'))).toEqual(['customers.retrieve cus_A']);
  });

  it('drops the cards listed for a customer when one of its cards is attached or detached, and refuses a list read before that', async () => {
    const { model, store } = await modelWith();
    const card = { id: 'pm_Visa', brand: 'visa', last4: '4242', expMonth: 12, expYear: 2030 };
    const before = store().cardGeneration('cus_A');
    expect(store().putCards('cus_A', [card], before)).toBe(true);
    expect(store().cardsOf('cus_A')).toEqual([card]);
    const asked = store().cardGeneration('cus_A');
    await model.applyEvent(event('payment_method.detached', 1_200, { ...CARD, customer: null }, { customer: 'cus_A' }));
    expect(store().cardsOf('cus_A')).toBeUndefined();
    // A list asked for before the event may miss it: it is not kept.
    expect(store().putCards('cus_A', [card], asked)).toBe(false);
    expect(store().cardsOf('cus_A')).toBeUndefined();
  });
});
