import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type Stripe from 'stripe';
import { generateWorld } from '../../kit/src/index.js';
import { startSandbox, TEST_SCALE, type TestSandbox } from './testSandbox.js';

const world = generateWorld({ seed: 1, scale: Number(TEST_SCALE) });
let t: TestSandbox;

beforeAll(async () => {
  t = await startSandbox();
});
afterAll(async () => {
  await t.close();
});

/** What the payments of an invoice collected, net of refunds, as the sandbox reports it. */
async function netPaid(invoiceErpId: number): Promise<{ net: number; payments: Stripe.PaymentIntent[] }> {
  const payments = await t.stripe.paymentIntents
    .search({ query: `metadata['erp_invoice_id']:'${invoiceErpId}' AND status:'succeeded'` })
    .autoPagingToArray({ limit: 100 });
  let net = 0;
  for (const pi of payments) {
    net += pi.amount_received;
    const refunds = await t.stripe.refunds.list({ payment_intent: pi.id, limit: 100 });
    for (const refund of refunds.data) net -= refund.amount;
  }
  return { net, payments };
}

describe('the seed agrees with the world', () => {
  it('has the world counts of customers and payments', async () => {
    const customers = await t.stripe.customers.list({ limit: 100 }).autoPagingToArray({ limit: 10_000 });
    expect(customers).toHaveLength(world.customers.length);
    const payments = await t.stripe.paymentIntents.list({ limit: 100 }).autoPagingToArray({ limit: 10_000 });
    expect(payments).toHaveLength(world.payments.length);
  });

  it('finds, for a paid invoice, succeeded payments that sum to its total', async () => {
    const paid = world.invoices.filter((invoice) => invoice.paymentState === 'paid').slice(0, 5);
    expect(paid.length).toBeGreaterThan(0);
    for (const invoice of paid) {
      const { net, payments } = await netPaid(invoice.erpId);
      expect(net, invoice.name).toBe(invoice.amountTotalMinor);
      for (const pi of payments) {
        expect(pi.metadata).toEqual({
          erp_invoice_id: String(invoice.erpId),
          erp_invoice_name: invoice.name,
          crm_company_id: world.companies[invoice.companyIndex]!.crmId,
        });
        expect(pi.customer).toBe(world.customers[invoice.companyIndex]!.id);
        expect(pi.currency).toBe(invoice.currency.toLowerCase());
      }
    }
  });

  it('leaves each partly paid invoice (refunded ones included) with its residual, and open ones untouched', async () => {
    const refunded = world.payments.find((p) => p.refunds.length > 0)!;
    expect(refunded).toBeDefined();
    const refundedInvoice = world.invoices.find((invoice) => invoice.erpId === refunded.invoiceErpId)!;
    expect(refundedInvoice.paymentState).toBe('partial');
    const partial = world.invoices.filter((invoice) => invoice.paymentState === 'partial' && invoice.erpId !== refunded.invoiceErpId).slice(0, 3);
    for (const invoice of [...partial, refundedInvoice]) {
      expect((await netPaid(invoice.erpId)).net, invoice.name).toBe(invoice.amountTotalMinor - invoice.amountResidualMinor);
    }
    const open = world.invoices.find((invoice) => invoice.paymentState === 'not_paid')!;
    expect((await netPaid(open.erpId)).net).toBe(0);
  });

  it('keeps declined attempts as requires_payment_method with their decline code', async () => {
    const declined = world.payments.filter((p) => p.status === 'requires_payment_method').slice(0, 3);
    expect(declined.length).toBeGreaterThan(0);
    for (const payment of declined) {
      const pi = await t.stripe.paymentIntents.retrieve(payment.id);
      expect(pi).toMatchObject({
        status: 'requires_payment_method',
        amount_received: 0,
        last_payment_error: { type: 'card_error', decline_code: payment.declineCode },
      });
      expect(pi.last_payment_error?.payment_method?.id).toBe(payment.paymentMethodId);
    }
  });
});
