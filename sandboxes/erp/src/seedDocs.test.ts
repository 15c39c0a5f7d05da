import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateWorld, type World } from '../../kit/src/index.js';
import { TEST_SCALE, executeKw, startSandbox, type RunningSandbox } from './testSupport.js';

interface Move {
  id: number;
  name: string;
  partner_id: [number, string];
  amount_total: number;
  amount_residual: number;
  payment_state: string;
  state: string;
  move_type: string;
  invoice_origin: string;
  currency_id: [number, string];
}

describe('the seed world through the ERP API', () => {
  let running: RunningSandbox;
  let world: World;

  beforeAll(async () => {
    running = await startSandbox();
    world = generateWorld({ seed: 1, scale: Number(TEST_SCALE) });
  });
  afterAll(async () => {
    await running?.stop();
  });

  it('serves invoices whose residual and payment state agree with the payments', async () => {
    const moves = (await executeKw(running.url, 'account.move', 'search_read', [[['move_type', '=', 'out_invoice']]], {
      fields: ['name', 'partner_id', 'amount_total', 'amount_residual', 'payment_state', 'state', 'move_type', 'invoice_origin', 'currency_id'],
      order: 'id',
    })) as unknown as Move[];
    expect(moves).toHaveLength(world.invoices.length);
    const netPaid = new Map<number, number>();
    for (const payment of world.payments) {
      if (payment.status !== 'succeeded') continue;
      const refunded = payment.refunds.reduce((sum, refund) => sum + refund.amountMinor, 0);
      netPaid.set(payment.invoiceErpId, (netPaid.get(payment.invoiceErpId) ?? 0) + payment.amountMinor - refunded);
    }
    const actual = moves.map((move) => [
      move.id,
      move.name,
      move.state,
      move.invoice_origin,
      move.partner_id[1],
      move.currency_id[1],
      Math.round(move.amount_total * 100),
      Math.round(move.amount_residual * 100),
      move.payment_state,
    ]);
    const expected = world.invoices.map((invoice) => [
      invoice.erpId,
      invoice.name,
      'posted',
      world.orders[invoice.orderErpId - 1]!.name,
      world.companies[invoice.companyIndex]!.name,
      invoice.currency,
      invoice.amountTotalMinor,
      invoice.amountTotalMinor - (netPaid.get(invoice.erpId) ?? 0),
      invoice.paymentState,
    ]);
    expect(actual).toEqual(expected);
    // The states say what the amounts say: paid means nothing due, not paid means all of it.
    const states = new Set(moves.map((move) => move.payment_state));
    expect(moves.filter((m) => m.payment_state === 'paid').every((m) => m.amount_residual === 0)).toBe(true);
    expect(moves.filter((m) => m.payment_state === 'not_paid').every((m) => m.amount_residual === m.amount_total)).toBe(true);
    expect(moves.filter((m) => m.payment_state === 'partial').every((m) => m.amount_residual > 0 && m.amount_residual < m.amount_total)).toBe(true);
    expect([...states].sort()).toEqual(['not_paid', 'paid', 'partial']);
  });

  it('links partners to the CRM by ref, and orders to their lines and invoices', async () => {
    const company = world.companies[7]!;
    const [partnerId] = (await executeKw(running.url, 'res.partner', 'search', [[['ref', '=', company.crmId]]])) as number[];
    expect(partnerId).toBe(8);
    const orders = (await executeKw(running.url, 'sale.order', 'search_read', [[['partner_id', '=', partnerId!]]], {
      fields: ['name', 'amount_total', 'order_line', 'invoice_ids', 'state'],
      order: 'id',
    })) as Array<{ id: number; name: string; amount_total: number; order_line: number[]; invoice_ids: number[]; state: string }>;
    const expected = world.orders.filter((o) => o.companyIndex === company.index);
    expect(orders.map((o) => o.name)).toEqual(expected.map((o) => o.name));
    orders.forEach((order, i) => {
      const seed = expected[i]!;
      expect(Math.round(order.amount_total * 100)).toBe(seed.amountTotalMinor);
      expect(order.order_line).toEqual(seed.lines.map((l) => l.erpId));
      expect(order.state).toBe(seed.state);
      expect(order.invoice_ids).toEqual(world.invoices.filter((inv) => inv.orderErpId === seed.erpId).map((inv) => inv.erpId));
    });
    const [product] = (await executeKw(running.url, 'product.product', 'search_read', [[['default_code', '=', world.products[0]!.sku]]], {
      fields: ['name', 'list_price', 'qty_available'],
    })) as Array<{ name: string; list_price: number; qty_available: number }>;
    expect(product).toMatchObject({ name: world.products[0]!.name, qty_available: world.products[0]!.qtyAvailable });
    expect(Math.round(product!.list_price * 100)).toBe(world.products[0]!.priceMinor);
  });
});
