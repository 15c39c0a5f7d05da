import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { entitiesChangedBy } from './changedEntities.js';

const event = (type: string, object: Record<string, unknown>): Stripe.Event => ({ id: 'evt_1', type, data: { object } }) as unknown as Stripe.Event;
const metadata = { erp_invoice_id: '42', crm_company_id: '1001' };

describe('entitiesChangedBy', () => {
  it('maps payment intents, charges and refunds to the Payment, its Invoice and its Customer', () => {
    const expected = [
      { __typename: 'Payment', id: 'pi_1' },
      { __typename: 'Invoice', id: '42' },
      { __typename: 'Customer', id: '1001' },
    ];
    expect(entitiesChangedBy(event('payment_intent.succeeded', { object: 'payment_intent', id: 'pi_1', metadata }))).toEqual(expected);
    expect(entitiesChangedBy(event('charge.refunded', { object: 'charge', id: 'ch_1', payment_intent: 'pi_1', metadata }))).toEqual(expected);
    expect(entitiesChangedBy(event('refund.created', { object: 'refund', id: 're_1', payment_intent: { id: 'pi_1' }, metadata: {} }))).toEqual([expected[0]]);
  });

  it('maps a customer event to its Customer, and ignores what names no graph entity', () => {
    expect(entitiesChangedBy(event('customer.updated', { object: 'customer', id: 'cus_1', metadata: { crm_company_id: '1001' } }))).toEqual([
      { __typename: 'Customer', id: '1001' },
    ]);
    expect(entitiesChangedBy(event('payment_method.attached', { object: 'payment_method', id: 'pm_1', customer: 'cus_1' }))).toEqual([]);
  });
});
