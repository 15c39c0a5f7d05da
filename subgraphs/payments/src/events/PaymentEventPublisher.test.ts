/**
 * events/PaymentEventPublisher.ts on hand-made provider events: which become payment
 * events and how, once however often they are offered; the ERP watched after a
 * PAYMENT_SUCCEEDED for an invoice only; a refund's payment refunded at least what its
 * charge says; nothing for a payment of no CRM company or an event of another kind.
 */
import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import type { PaymentEventModel, PaymentModel } from '../models.js';
import { capturingLogger } from '../testSupport.js';
import { createPaymentEventBus } from './PaymentEventBus.js';
import { PaymentEventPublisher } from './PaymentEventPublisher.js';
import type { ReconciliationWatch } from './ReconciliationWatch.js';

function intent(id: string, status: string, metadata: Record<string, string>): Record<string, unknown> {
  return {
    id,
    object: 'payment_intent',
    amount: 5000,
    currency: 'eur',
    status,
    created: 1_790_000_000,
    metadata,
    latest_charge: null,
    customer: 'cus_Pub000000000000',
    payment_method: 'pm_Pub000000000000',
    last_payment_error: null,
  };
}

function stripeEvent(id: string, type: string, object: Record<string, unknown>): Stripe.Event {
  return { id, object: 'event', type, created: 1_790_000_100, data: { object } } as unknown as Stripe.Event;
}

const stored: PaymentModel = {
  id: 'pi_Refunded00000000000000',
  amount: 5000,
  currency: 'EUR',
  // Stripe's answer may lag the charge's own amount_refunded.
  amountRefunded: 0,
  status: 'SUCCEEDED',
  created: 1_790_000_000,
  invoiceId: '12',
  companyId: '7',
  stripeCustomerId: 'cus_Pub000000000000',
  paymentMethod: null,
  failureCode: null,
};

function publisher() {
  const { logger } = capturingLogger();
  const bus = createPaymentEventBus({ redisUrl: undefined, channel: 'unused', logger });
  const published: PaymentEventModel[] = [];
  bus.subscribe((event) => void published.push(event));
  const watched: string[] = [];
  const reconciliation = { watch: (event: PaymentEventModel) => void watched.push(event.id) } as unknown as ReconciliationWatch;
  const connector = { retrievePayment: async (id: string) => (id === stored.id ? stored : null) };
  return { published, watched, publisher: new PaymentEventPublisher({ bus, connector, readModel: null, reconciliation, logger }) };
}

describe('provider events to payment events', () => {
  it('publishes each payment event once, in order, and watches the ERP after a succeeded payment of an invoice', async () => {
    const { published, watched, publisher: events } = publisher();
    const succeeded = stripeEvent('evt_1', 'payment_intent.succeeded', intent('pi_A', 'succeeded', { crm_company_id: '7', erp_invoice_id: '12' }));
    events.offer(succeeded);
    events.offer(stripeEvent('evt_2', 'payment_intent.payment_failed', intent('pi_B', 'requires_payment_method', { crm_company_id: '7' })));
    events.offer(stripeEvent('evt_3', 'payment_intent.canceled', intent('pi_C', 'canceled', { crm_company_id: '7' })));
    events.offer(stripeEvent('evt_4', 'payment_intent.succeeded', intent('pi_D', 'succeeded', { crm_company_id: '7' })));
    events.offer(succeeded);
    await events.drain();
    expect(published.map((e) => [e.id, e.type, e.payment.id, e.invoiceId, e.customerId, e.created])).toEqual([
      ['evt_1', 'PAYMENT_SUCCEEDED', 'pi_A', '12', '7', 1_790_000_100],
      ['evt_2', 'PAYMENT_FAILED', 'pi_B', null, '7', 1_790_000_100],
      ['evt_3', 'PAYMENT_CANCELED', 'pi_C', null, '7', 1_790_000_100],
      ['evt_4', 'PAYMENT_SUCCEEDED', 'pi_D', null, '7', 1_790_000_100],
    ]);
    expect(published[0]!.payment).toMatchObject({ amount: 5000, currency: 'EUR', status: 'SUCCEEDED' });
    // The event JSON crosses Redis as it is.
    expect(JSON.parse(JSON.stringify(published[0]))).toEqual(published[0]);
    expect(watched).toEqual(['evt_1']);
  });

  it('publishes a refund with its payment, refunded at least what the charge says, and nothing for a payment of no company or another kind of event', async () => {
    const { published, publisher: events } = publisher();
    events.offer(stripeEvent('evt_r', 'charge.refunded', { id: 'ch_1', object: 'charge', payment_intent: stored.id, amount_refunded: 1200 }));
    events.offer(stripeEvent('evt_r2', 'charge.refunded', { id: 'ch_2', object: 'charge', payment_intent: 'pi_Unknown', amount_refunded: 100 }));
    events.offer(stripeEvent('evt_n', 'payment_intent.succeeded', intent('pi_N', 'succeeded', { erp_invoice_id: '12' })));
    events.offer(stripeEvent('evt_x', 'customer.created', { id: 'cus_X', object: 'customer', metadata: { crm_company_id: '7' } }));
    events.offer(stripeEvent('evt_y', 'payment_intent.created', intent('pi_Y', 'requires_payment_method', { crm_company_id: '7' })));
    await events.drain();
    expect(published).toEqual([
      { id: 'evt_r', type: 'PAYMENT_REFUNDED', created: 1_790_000_100, payment: { ...stored, amountRefunded: 1200 }, invoiceId: '12', customerId: '7' },
    ]);
  });
});
