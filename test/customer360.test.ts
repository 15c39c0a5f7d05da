/**
 * The composed graph over the three sandboxes, through @apollo/gateway over HTTP: the
 * customer-360 query returns what the backing systems hold, costs a bounded number of
 * backend calls however many customers it asks for, degrades only the fields of a
 * backend that is down, and never charges twice for a retried payment.
 *
 * Payments are answered from the payments subgraph's read model (synced from Stripe's
 * lists, kept current by its events) at no backend call; a second stack with the read
 * model off shows the search path's answers are the same, at ten keys per search.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendClients, minor, type BackendClients } from './helpers/backends.js';
import { graphql, startStack, type Stack } from './helpers/startStack.js';

const CUSTOMERS_360 = /* GraphQL */ `
  query Customers360($first: Int!) {
    customers(first: $first) {
      nodes {
        id
        name
        currency
        contacts(first: 5) { totalCount nodes { id email } }
        deals(first: 5) { totalCount nodes { id name amount { amount currency } } }
        orders(first: 3) {
          totalCount
          nodes {
            id number status total { amount currency }
            lines { quantity unitPrice { amount } product { id sku name stockOnHand price { amount currency } } }
          }
        }
        invoices(first: 3) {
          totalCount
          nodes {
            id number status total { amount } amountDue { amount currency }
            payments { id status amount { amount currency } }
          }
        }
        outstandingBalance { amount currency }
        payments(first: 3) { nodes { id status amount { amount } invoice { id } } }
      }
    }
  }
`;

interface Money {
  amount: number;
  currency: string;
}
interface Customer360 {
  id: string;
  name: string;
  currency: string;
  contacts: { totalCount: number; nodes: Array<{ id: string; email: string | null }> } | null;
  deals: { totalCount: number; nodes: Array<{ id: string; name: string; amount: Money | null }> } | null;
  orders: {
    totalCount: number;
    nodes: Array<{
      id: string;
      number: string;
      status: string;
      total: Money;
      lines: Array<{ quantity: number; unitPrice: { amount: number }; product: { id: string; sku: string; name: string; stockOnHand: number; price: Money } }>;
    }>;
  } | null;
  invoices: {
    totalCount: number;
    nodes: Array<{
      id: string;
      number: string;
      status: string;
      total: { amount: number };
      amountDue: Money;
      payments: Array<{ id: string; status: string; amount: Money }> | null;
    }>;
  } | null;
  outstandingBalance: Money | null;
  payments: { nodes: Array<{ id: string; status: string; amount: { amount: number }; invoice: { id: string } | null }> } | null;
}

type Many2one = [number, string] | false;
type Calls = Awaited<ReturnType<Stack['stats']>>;

// Caches off: these tests count what the subgraphs ask the backends, and see a backend fail. A long subgraph
// timeout: a stack's first (cold) query on a busy two-core machine may take more than the default 10 s.
const GATEWAY_CACHES_OFF = { ENTITY_CACHE: 'off', RESPONSE_CACHE: 'off', SUBGRAPH_TIMEOUT_MS: '60000' };
// No catch-up by timer while calls are counted (startStack's default too: served for 20 minutes without one).
const READ_MODEL_QUIET = { PAYMENTS_READ_MODEL: 'on', PAYMENTS_READ_MODEL_CATCHUP_MS: '600000', PAYMENTS_READ_MODEL_MAX_LAG_MS: '1200000' };

async function customers360(stack: Stack, first: number): Promise<{ customers: Customer360[]; calls: Calls }> {
  await stack.resetStats();
  const result = await graphql<{ customers: { nodes: Customer360[] } }>(stack.gatewayUrl, CUSTOMERS_360, { first }, stack.authHeaders);
  expect(result.errors).toBeUndefined();
  expect(result.status).toBe(200);
  const calls = await stack.stats();
  return { customers: result.data!.customers.nodes, calls };
}

async function paymentsReadModelState(stack: Stack): Promise<string> {
  const health = (await (await fetch(stack.subgraphUrls.payments.replace('/graphql', '/health'))).json()) as { readModel: { state: string } };
  return health.readModel.state;
}

/** The read-model stack's answer for 50 customers, before any test writes: the read-model-off stack must give the same. */
let answerFrom50: Customer360[] | undefined;

describe('the composed graph over the sandboxes', () => {
  let stack: Stack;
  let backends: BackendClients;

  beforeAll(async () => {
    stack = await startStack({ scale: 0.1, env: READ_MODEL_QUIET, gatewayEnv: GATEWAY_CACHES_OFF });
    backends = backendClients(stack.sandboxUrls);
    // startStack waits for the read model's first sync.
    expect(await paymentsReadModelState(stack)).toBe('ready');
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('answers the customer-360 query for 50 customers with what the backing systems hold', async () => {
    const { customers } = await customers360(stack, 50);
    expect(customers).toHaveLength(50);
    answerFrom50 = customers;

    // CRM: the first page of companies, in the CRM's order.
    const page = await backends.crm<{ results: Array<{ id: string; properties: Record<string, string> }> }>(
      '/crm/v3/objects/companies?limit=50&properties=name,company_currency',
    );
    expect(customers.map((c) => [c.id, c.name, c.currency])).toEqual(page.results.map((r) => [r.id, r.properties.name, r.properties.company_currency]));
    for (const customer of customers.slice(0, 10)) {
      const contacts = await backends.crm<{ total: number }>('/crm/v3/objects/contacts/search', {
        filterGroups: [{ filters: [{ propertyName: 'associatedcompanyid', operator: 'EQ', value: customer.id }] }],
        limit: 1,
      });
      expect(customer.contacts!.totalCount).toBe(contacts.total);
    }

    // ERP: each customer's newest orders with their lines and products, and its invoices.
    const refs = customers.map((c) => c.id);
    const partners = await backends.odoo<Array<{ id: number; ref: string }>>('res.partner', 'search_read', [[['ref', 'in', refs]]], { fields: ['ref'] });
    const partnerByRef = new Map(partners.map((p) => [p.ref, p.id]));
    const orders = await backends.odoo<Array<{ id: number; name: string; partner_id: Many2one; amount_total: number; order_line: number[] }>>(
      'sale.order',
      'search_read',
      [[['partner_id', 'in', partners.map((p) => p.id)]]],
      { fields: ['name', 'partner_id', 'amount_total', 'order_line'], order: 'date_order desc, id desc' },
    );
    const lines = await backends.odoo<Array<{ id: number; product_id: Many2one; product_uom_qty: number; price_unit: number }>>(
      'sale.order.line',
      'read',
      [orders.flatMap((o) => o.order_line)],
      { fields: ['product_id', 'product_uom_qty', 'price_unit'] },
    );
    const lineById = new Map(lines.map((l) => [l.id, l]));
    const products = await backends.odoo<Array<{ id: number; default_code: string; qty_available: number; list_price: number }>>(
      'product.product',
      'search_read',
      [[]],
      { fields: ['default_code', 'qty_available', 'list_price'] },
    );
    const productById = new Map(products.map((p) => [p.id, p]));
    const invoices = await backends.odoo<Array<{ id: number; name: string; partner_id: Many2one; amount_residual: number }>>(
      'account.move',
      'search_read',
      [
        [
          ['move_type', '=', 'out_invoice'],
          ['partner_id', 'in', partners.map((p) => p.id)],
        ],
      ],
      { fields: ['name', 'partner_id', 'amount_residual'] },
    );
    const invoiceById = new Map(invoices.map((i) => [String(i.id), i]));

    let ordersChecked = 0;
    let paymentsChecked = 0;
    for (const customer of customers) {
      const partnerId = partnerByRef.get(customer.id);
      const own = orders.filter((o) => o.partner_id !== false && o.partner_id[0] === partnerId);
      expect(customer.orders!.totalCount).toBe(own.length);
      expect(customer.orders!.nodes.map((o) => o.number)).toEqual(own.slice(0, 3).map((o) => o.name));
      for (const [i, order] of customer.orders!.nodes.entries()) {
        const source = own[i]!;
        expect(order.total.amount).toBe(minor(source.amount_total));
        expect(order.lines.map((l) => l.quantity)).toEqual(source.order_line.map((id) => lineById.get(id)!.product_uom_qty));
        for (const [j, line] of order.lines.entries()) {
          const sourceLine = lineById.get(source.order_line[j]!)!;
          const product = productById.get((sourceLine.product_id as [number, string])[0])!;
          expect(line.product).toMatchObject({ id: String(product.id), sku: product.default_code, stockOnHand: product.qty_available });
          expect(line.product.price.amount).toBe(minor(product.list_price));
          expect(line.unitPrice.amount).toBe(minor(sourceLine.price_unit));
        }
        ordersChecked++;
      }
      const ownInvoices = invoices.filter((inv) => inv.partner_id !== false && inv.partner_id[0] === partnerId);
      expect(customer.invoices!.totalCount).toBe(ownInvoices.length);
      expect(customer.outstandingBalance!.amount).toBe(ownInvoices.reduce((sum, inv) => sum + minor(inv.amount_residual), 0));
      for (const invoice of customer.invoices!.nodes) {
        expect(invoice.amountDue.amount).toBe(minor(invoiceById.get(invoice.id)!.amount_residual));
        // Payments: what the provider holds against this invoice.
        const intents = await backends.stripe.paymentIntents.search({ query: `metadata['erp_invoice_id']:'${invoice.id}'`, limit: 100 });
        expect(invoice.payments!.map((p) => p.id).sort()).toEqual(intents.data.map((pi) => pi.id).sort());
        paymentsChecked += intents.data.length;
      }
    }
    // The comparisons above must have had something to compare.
    expect(ordersChecked).toBeGreaterThan(50);
    expect(paymentsChecked).toBeGreaterThan(20);
  });

  it('costs the same backend calls for 5 customers as for 50: a few in the CRM and the ERP, none at the payment provider (read model)', async () => {
    const five = await customers360(stack, 5);
    const fifty = await customers360(stack, 50);
    expect(fifty.calls.crm).toEqual(five.calls.crm);
    expect(fifty.calls.erp).toEqual(five.calls.erp);
    // One call per kind of lookup (subgraphs/crm/src/loaders.ts, subgraphs/erp/src/loaders.ts).
    expect(five.calls.crm).toEqual({ 'companies.list': 1, 'contacts.search': 1, 'associations.companies.deals.batchRead': 1, 'deals.batchRead': 1 });
    // The first query of this file put the products in the ERP subgraph's catalog cache (300 s): the
    // product read is one call if a slow run outlived it, none otherwise.
    const { 'product.product.read': productReads = 0, ...erp } = five.calls.erp;
    expect(erp).toEqual({ 'res.partner.search_read': 1, 'sale.order.search_read': 1, 'account.move.search_read': 1, 'sale.order.line.search_read': 1 });
    expect(productReads).toBeLessThanOrEqual(1);
    // Every payments lookup is answered by the read model.
    expect(five.calls.payments).toEqual({});
    expect(fifty.calls.payments).toEqual({});
    console.log('backend calls for 5 customers:', JSON.stringify(five.calls));
    console.log('backend calls for 50 customers:', JSON.stringify(fifty.calls));
  });

  it('with the ERP down, returns CRM and payment data and an error with its code on the ERP fields only', async () => {
    await stack.setFaults('erp', { down: true });
    try {
      const result = await graphql<{ customers: { nodes: Customer360[] } }>(stack.gatewayUrl, CUSTOMERS_360, { first: 3 }, stack.authHeaders);
      expect(result.status).toBe(200);
      const nodes = result.data!.customers.nodes;
      expect(nodes).toHaveLength(3);
      for (const customer of nodes) {
        expect(customer.name).toEqual(expect.any(String));
        expect(customer.contacts!.totalCount).toBeGreaterThan(0);
        expect(customer.orders).toBeNull();
        expect(customer.invoices).toBeNull();
        expect(customer.outstandingBalance).toBeNull();
        expect(customer.payments).not.toBeNull();
      }
      const codes = new Set(result.errors!.map((e) => e.extensions?.code));
      expect(codes).toEqual(new Set(['BACKEND_UNAVAILABLE']));
      expect(new Set(result.errors!.map((e) => e.extensions?.serviceName))).toEqual(new Set(['erp']));
      for (const error of result.errors!) expect(['orders', 'invoices', 'outstandingBalance']).toContain(error.path![error.path!.length - 1]);
    } finally {
      await stack.clearFaults();
    }
  });

  it('charges once for a payInvoice sent twice with the same idempotency key, and returns the same payment', async () => {
    const [customer] = (await customers360(stack, 20)).customers.filter((c) => c.invoices!.nodes.some((i) => i.amountDue.amount > 0));
    const invoice = customer!.invoices!.nodes.find((i) => i.amountDue.amount > 0)!;
    const before = await backends.stripe.paymentIntents.search({ query: `metadata['erp_invoice_id']:'${invoice.id}'`, limit: 100 });
    const pay = /* GraphQL */ `
      mutation Pay($input: PayInvoiceInput!) {
        payInvoice(input: $input) { payment { id status amount { amount currency } invoice { id } } }
      }
    `;
    const input = {
      customerId: customer!.id,
      invoiceId: invoice.id,
      amount: { amount: invoice.amountDue.amount, currency: invoice.amountDue.currency },
      idempotencyKey: randomUUID(),
    };
    const first = await graphql(stack.gatewayUrl, pay, { input }, stack.authHeaders);
    const second = await graphql(stack.gatewayUrl, pay, { input }, stack.authHeaders);
    expect(first.errors).toBeUndefined();
    expect(second).toEqual(first);
    expect(first.data).toMatchObject({ payInvoice: { payment: { status: 'SUCCEEDED', amount: input.amount, invoice: { id: invoice.id } } } });
    const after = await backends.stripe.paymentIntents.search({ query: `metadata['erp_invoice_id']:'${invoice.id}'`, limit: 100 });
    expect(after.data.length).toBe(before.data.length + 1);
    // Read-your-writes: the read model (no webhooks in this stack, no catch-up due) already has the payment.
    const paymentId = (first.data as { payInvoice: { payment: { id: string } } }).payInvoice.payment.id;
    const again = (await customers360(stack, 20)).customers.find((c) => c.id === customer!.id)!;
    expect(again.invoices!.nodes.find((i) => i.id === invoice.id)!.payments!.map((p) => p.id)).toContain(paymentId);
    expect(again.payments!.nodes[0]!.id).toBe(paymentId);
  });
});

describe('the same graph with the payments read model off', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ scale: 0.1, env: { PAYMENTS_READ_MODEL: 'off' }, gatewayEnv: GATEWAY_CACHES_OFF });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('answers the same data, searching Stripe ten keys at a time', async () => {
    expect(await paymentsReadModelState(stack)).toBe('off');
    // The same seed: the read model's answer, field for field. (This first query also logs the ERP subgraph in.)
    expect(answerFrom50).toBeDefined();
    expect((await customers360(stack, 50)).customers).toEqual(answerFrom50);
    const five = await customers360(stack, 5);
    const fifty = await customers360(stack, 50);
    expect(five.customers).toEqual(answerFrom50!.slice(0, 5));
    expect(fifty.calls.crm).toEqual(five.calls.crm);
    expect(fifty.calls.erp).toEqual(five.calls.erp);
    // Stripe's search takes at most ten clauses: one search per ten customers or invoices.
    // The customers' Stripe ids, then their payments (Customer.payments), then the payments of the invoices shown (Invoice.payments).
    const invoicesShown = (answer: { customers: Customer360[] }): number => answer.customers.reduce((n, c) => n + c.invoices!.nodes.length, 0);
    const searches = (customers: number, invoices: number) => ({
      'customers.search': Math.ceil(customers / 10),
      'payment_intents.search': Math.ceil(customers / 10) + Math.ceil(invoices / 10),
    });
    expect(five.calls.payments).toEqual(searches(5, invoicesShown(five)));
    expect(fifty.calls.payments).toEqual(searches(50, invoicesShown(fifty)));
    console.log('backend calls for 5 customers, read model off:', JSON.stringify(five.calls));
    console.log('backend calls for 50 customers, read model off:', JSON.stringify(fifty.calls));
  });
});
