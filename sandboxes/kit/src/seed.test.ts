import { describe, expect, it } from 'vitest';
import { generateWorld, SEED_EPOCH } from './seed.js';

describe('generateWorld', () => {
  const world = generateWorld({ seed: 1, scale: 1 });

  it('has the default sizes docs/sandboxes.md states', () => {
    expect(world.companies).toHaveLength(1000);
    expect(world.contacts).toHaveLength(3000);
    expect(world.products).toHaveLength(200);
    expect(world.orders).toHaveLength(10_000);
    expect(world.invoices).toHaveLength(8000);
    expect(world.customers).toHaveLength(1000);
    // About 6,000 payment intents; the exact count depends on the seed.
    expect(world.payments.length).toBeGreaterThan(5700);
    expect(world.payments.length).toBeLessThan(6300);
  });

  it('is identical for the same seed and scale, and differs for another seed', () => {
    const again = generateWorld({ seed: 1, scale: 1 });
    expect(JSON.stringify(again)).toBe(JSON.stringify(world));
    const other = generateWorld({ seed: 2, scale: 1 });
    expect(other.payments[0]!.id).not.toBe(world.payments[0]!.id);
  });

  it('keeps invoice payment states consistent with the payments against them', () => {
    const netPaid = new Map<number, number>();
    for (const payment of world.payments) {
      if (payment.status !== 'succeeded') continue;
      const refunded = payment.refunds.reduce((sum, r) => sum + r.amountMinor, 0);
      netPaid.set(payment.invoiceErpId, (netPaid.get(payment.invoiceErpId) ?? 0) + payment.amountMinor - refunded);
    }
    const states = { paid: 0, partial: 0, not_paid: 0 };
    for (const invoice of world.invoices) {
      const paid = netPaid.get(invoice.erpId) ?? 0;
      expect(invoice.amountResidualMinor).toBe(invoice.amountTotalMinor - paid);
      const expected = paid === 0 ? 'not_paid' : paid === invoice.amountTotalMinor ? 'paid' : 'partial';
      expect(invoice.paymentState).toBe(expected);
      states[invoice.paymentState]++;
    }
    expect(states.paid).toBeGreaterThan(4000);
    expect(states.partial).toBeGreaterThan(400);
    expect(states.not_paid).toBeGreaterThan(1500);
  });

  it('links every record to a company that exists, in the same currency, and dates before the epoch', () => {
    for (const payment of world.payments) {
      const invoice = world.invoices[payment.invoiceErpId - 1]!;
      expect(payment.companyIndex).toBe(invoice.companyIndex);
      expect(payment.currency).toBe(invoice.currency);
      expect(world.customers[payment.companyIndex]!.id).toBe(payment.customerId);
      expect(payment.created).toBeLessThan(SEED_EPOCH);
    }
    for (const order of world.orders) {
      expect(order.lines.length).toBeGreaterThan(0);
      expect(order.amountTotalMinor).toBe(order.lines.reduce((s, l) => s + l.quantity * l.priceUnitMinor, 0));
      expect(order.currency).toBe(world.companies[order.companyIndex]!.currency);
    }
    const companiesWithContacts = new Set(world.contacts.map((c) => c.companyIndex));
    expect(companiesWithContacts.size).toBe(world.companies.length);
  });

  it('refuses a bad seed or scale with a message that shows the value', () => {
    expect(() => generateWorld({ seed: -1, scale: 1 })).toThrow('seed must be a non-negative integer, got -1');
    expect(() => generateWorld({ seed: 1, scale: 0 })).toThrow('scale must be a number in (0, 100], got 0');
  });
});
