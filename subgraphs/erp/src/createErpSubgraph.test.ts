/**
 * The erp subgraph over HTTP against the ERP sandbox. Expected values come from the
 * sandbox itself, read over Odoo's XML-RPC protocol through other methods than the
 * subgraph uses (search + read of the partner's one2many fields instead of search_read
 * with `in` domains), never from values copied into the test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseMethodResponse, serializeMethodCall, type XmlRpcValue } from '../../../lib/xmlrpc/index.js';
import { createErpSandbox, type ErpSandbox } from '../../../sandboxes/erp/src/createErpSandbox.js';
import { readErpSandboxConfig } from '../../../sandboxes/erp/src/config.js';
import { postGraphQLText, sandboxOperator, TEST_GATEWAY_SECRET } from '../../kit/src/testSupport.js';
import { readErpSubgraphConfig } from './config.js';
import { createErpSubgraph, type ErpSubgraph } from './createErpSubgraph.js';
import { requireOrSkip, TEST_REDIS_URL } from '../../../test/support.js';

const redis = await requireOrSkip('createErpSubgraph.test.ts: the shared catalog and the order lock across replicas through Redis', 'redis');

const PASSWORD = 'odoo-api-key-3f9c1e-subgraph-secret';
const WRONG_PASSWORD = 'odoo-api-key-revoked-77aa-secret';
/** Invoice statuses are read against this day: close to the seed's "now", so every status occurs. */
const TODAY = '2026-07-01';
const ORDER_STATUS: Record<string, string> = { draft: 'DRAFT', sent: 'SENT', sale: 'CONFIRMED', cancel: 'CANCELLED' };

type Many2one = [number, string] | false;
interface GraphQLResponse {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
  extensions?: Record<string, unknown>;
}

const logLines: string[] = [];
const responses: string[] = [];
let dataDir: string;
let sandbox: ErpSandbox;
let sandboxUrl: string;
let subgraph: ErpSubgraph;
let url: string;
const extra: ErpSubgraph[] = [];

function configFor(env: Record<string, string> = {}) {
  return readErpSubgraphConfig({
    GATEWAY_SUBGRAPH_SECRET: TEST_GATEWAY_SECRET,
    ERP_URL: sandboxUrl,
    ERP_PASSWORD: PASSWORD,
    ERP_SUBGRAPH_PORT: '0',
    ERP_TIMEOUT_MS: '2000',
    ERP_BREAKER_THRESHOLD: '1000',
    ...env,
  });
}

const logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });

async function startSubgraph(env: Record<string, string> = {}): Promise<{ subgraph: ErpSubgraph; url: string }> {
  const created = await createErpSubgraph(configFor(env), { logger, now: () => new Date(`${TODAY}T12:00:00Z`) });
  extra.push(created);
  return { subgraph: created, url: await created.listen() };
}

async function gql(query: string, variables: Record<string, unknown> = {}, target = url): Promise<GraphQLResponse> {
  const { text } = await postGraphQLText(target, query, variables);
  responses.push(text);
  return JSON.parse(text) as GraphQLResponse;
}

/** execute_kw straight to the sandbox, as Odoo's documentation calls it. */
async function odoo<T>(model: string, method: string, args: XmlRpcValue[], kwargs: Record<string, XmlRpcValue> = {}): Promise<T> {
  const response = await fetch(`${sandboxUrl}/xmlrpc/2/object`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    body: serializeMethodCall('execute_kw', ['sandbox', 2, PASSWORD, model, method, args, kwargs]),
  });
  const parsed = parseMethodResponse(await response.text());
  if (parsed.kind === 'fault') throw new Error(`${model}.${method}: ${parsed.faultString}`);
  return parsed.value as T;
}

/** The sandbox's operator endpoints (faults, stats): the kit's subgraph harness. */
const operator = () => sandboxOperator(sandboxUrl);

async function stats(): Promise<Record<string, number>> {
  return (await operator().stats()).operations;
}
const resetStats = () => operator().resetStats();
const setFaults = (faults: Record<string, unknown>) => operator().setFaults(faults);

/** Odoo's double, as the decimal text it travels as, to cents: no float arithmetic. */
function cents(value: number): number {
  const [whole, fraction = ''] = String(value).split('.');
  const sign = whole!.startsWith('-') ? -1 : 1;
  return sign * (Math.abs(Number(whole)) * 100 + Number(fraction.padEnd(2, '0').slice(0, 2)));
}
const format = (amountCents: number, currency: string): string => {
  const text = String(Math.abs(amountCents)).padStart(3, '0');
  return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(
    `${amountCents < 0 ? '-' : ''}${text.slice(0, -2)}.${text.slice(-2)}` as `${number}`,
  );
};
const refOf = (index: number): string => String(10_000_001 + index);
const name = (m2o: Many2one): string => (m2o === false ? '' : m2o[1]);

/** What the graph should answer for a customer, built from Odoo's own records. */
async function expectedCustomer(ref: string) {
  const [partnerId] = await odoo<number[]>('res.partner', 'search', [[['ref', '=', ref]]]);
  const [partner] = await odoo<Array<{ sale_order_ids: number[]; invoice_ids: number[] }>>('res.partner', 'read', [[partnerId!]], {
    fields: ['sale_order_ids', 'invoice_ids'],
  });
  const orders = await odoo<
    Array<{ id: number; name: string; date_order: string; state: string; amount_total: number; currency_id: Many2one; order_line: number[] }>
  >('sale.order', 'read', [partner!.sale_order_ids], { fields: ['name', 'date_order', 'state', 'amount_total', 'currency_id', 'order_line'] });
  orders.sort((a, b) => b.date_order.localeCompare(a.date_order) || b.id - a.id);
  const lines = await odoo<
    Array<{ id: number; product_id: Many2one; product_uom_qty: number; price_unit: number; price_subtotal: number; currency_id: Many2one }>
  >('sale.order.line', 'read', [orders.flatMap((o) => o.order_line)], {
    fields: ['product_id', 'product_uom_qty', 'price_unit', 'price_subtotal', 'currency_id'],
  });
  const lineById = new Map(lines.map((l) => [l.id, l]));
  const productIds = [...new Set(lines.map((l) => (l.product_id as [number, string])[0]))];
  const products = await odoo<Array<{ id: number; default_code: string; name: string; list_price: number; qty_available: number; categ_id: Many2one }>>(
    'product.product',
    'read',
    [productIds],
    { fields: ['default_code', 'name', 'list_price', 'qty_available', 'categ_id'] },
  );
  const productById = new Map(products.map((p) => [p.id, p]));
  const moves = await odoo<
    Array<{
      id: number;
      name: string;
      move_type: string;
      state: string;
      invoice_date: string;
      invoice_date_due: string;
      invoice_origin: string;
      amount_total: number;
      amount_residual: number;
      payment_state: string;
      currency_id: Many2one;
    }>
  >('account.move', 'read', [partner!.invoice_ids], {
    fields: [
      'name',
      'move_type',
      'state',
      'invoice_date',
      'invoice_date_due',
      'invoice_origin',
      'amount_total',
      'amount_residual',
      'payment_state',
      'currency_id',
    ],
  });
  const invoices = moves
    .filter((m) => m.move_type === 'out_invoice' && m.state === 'posted')
    .sort((a, b) => b.invoice_date.localeCompare(a.invoice_date) || b.name.localeCompare(a.name) || b.id - a.id);
  const status = (m: (typeof invoices)[number]): string => {
    if (m.payment_state === 'paid' || m.payment_state === 'in_payment') return 'PAID';
    if (m.invoice_date_due < TODAY) return 'OVERDUE';
    return m.payment_state === 'partial' ? 'PARTIALLY_PAID' : 'OPEN';
  };
  const currency = invoices.length > 0 ? name(invoices[0]!.currency_id) : 'USD';
  const owed = invoices.reduce((sum, m) => sum + cents(m.amount_residual), 0);
  return {
    id: ref,
    orders: {
      totalCount: orders.length,
      nodes: orders.map((o) => ({
        id: String(o.id),
        number: o.name,
        placedAt: `${o.date_order.replace(' ', 'T')}.000Z`,
        status: ORDER_STATUS[o.state],
        total: { amount: cents(o.amount_total), currency: name(o.currency_id), formatted: format(cents(o.amount_total), name(o.currency_id)) },
        lines: o.order_line.map((lineId) => {
          const line = lineById.get(lineId)!;
          const product = productById.get((line.product_id as [number, string])[0])!;
          return {
            id: String(line.id),
            quantity: line.product_uom_qty,
            unitPrice: { amount: cents(line.price_unit), currency: name(line.currency_id) },
            subtotal: { amount: cents(line.price_subtotal) },
            product: {
              id: String(product.id),
              sku: product.default_code,
              name: product.name,
              category: name(product.categ_id).split(' / ').at(-1),
              price: { amount: cents(product.list_price), currency: 'USD' },
              stockOnHand: product.qty_available,
              inStock: product.qty_available > 0,
            },
          };
        }),
      })),
    },
    invoices: {
      totalCount: invoices.length,
      nodes: invoices.map((m) => ({
        id: String(m.id),
        number: m.name,
        issuedAt: m.invoice_date,
        dueAt: m.invoice_date_due,
        total: { amount: cents(m.amount_total), currency: name(m.currency_id) },
        amountDue: { amount: cents(m.amount_residual), currency: name(m.currency_id) },
        status: status(m),
        order: { number: m.invoice_origin },
        customer: { id: ref },
      })),
    },
    outstandingBalance: { amount: owed, currency, formatted: format(owed, currency) },
  };
}

const CUSTOMER_FIELDS = `id
  orders(first: 100) { totalCount nodes { id number placedAt status total { amount currency formatted }
    lines { id quantity unitPrice { amount currency } subtotal { amount } product { id sku name category price { amount currency } stockOnHand inStock } } } }
  invoices(first: 100) { totalCount nodes { id number issuedAt dueAt total { amount currency } amountDue { amount currency } status order { number } customer { id } } }
  outstandingBalance { amount currency formatted }`;
const ENTITIES = (fields: string) => `query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Customer { ${fields} } } }`;
const customers = (refs: string[]) => ({ representations: refs.map((id) => ({ __typename: 'Customer', id })) });

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'erp-subgraph-'));
  sandbox = await createErpSandbox(
    readErpSandboxConfig({ SANDBOX_DATA_DIR: dataDir, SANDBOX_SCALE: '0.1', ERP_SANDBOX_PORT: '0', ERP_SANDBOX_PASSWORD: PASSWORD }),
  );
  sandboxUrl = await sandbox.listen();
  subgraph = await createErpSubgraph(configFor(), { logger, now: () => new Date(`${TODAY}T12:00:00Z`) });
  url = await subgraph.listen();
});

afterAll(async () => {
  await subgraph?.close();
  await Promise.all(extra.map((s) => s.close()));
  await sandbox?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

beforeEach(async () => {
  await operator().clearFaults();
  await resetStats();
});

describe('erp subgraph against the ERP sandbox', () => {
  it("answers customers' orders, lines, products, invoices and balance with the ERP's own data", async () => {
    // The first customers, and one with a part-paid invoice not yet due, so that every status occurs.
    const [partial] = await odoo<Array<{ partner_id: Many2one }>>(
      'account.move',
      'search_read',
      [
        [
          ['payment_state', '=', 'partial'],
          ['invoice_date_due', '>=', TODAY],
        ],
      ],
      { fields: ['partner_id'], limit: 1 },
    );
    const [partialPartner] = await odoo<Array<{ ref: string }>>('res.partner', 'read', [[(partial!.partner_id as [number, string])[0]]], { fields: ['ref'] });
    const refs = [...new Set([0, 1, 2, 3, 4, 5].map(refOf).concat(partialPartner!.ref))];
    const result = await gql(ENTITIES(CUSTOMER_FIELDS), customers(refs));
    expect(result.errors).toBeUndefined();
    const expected = await Promise.all(refs.map(expectedCustomer));
    expect(result.data!._entities).toEqual(expected);
    // The comparison had something to compare, every invoice status included.
    expect(expected.reduce((sum, c) => sum + c.orders.totalCount, 0)).toBeGreaterThan(40);
    expect(new Set(expected.flatMap((c) => c.invoices.nodes.map((i) => i.status)))).toEqual(new Set(['PAID', 'OVERDUE', 'OPEN', 'PARTIALLY_PAID']));
    expect(new Set(expected.flatMap((c) => c.orders.nodes.map((o) => o.status))).size).toBeGreaterThan(2);
  });

  it('resolves 5 and 50 customers from _entities with the same five backend calls', async () => {
    const query = ENTITIES(`orders { nodes { number lines { quantity product { sku name price { amount } } } } }
      invoices { nodes { number amountDue { amount } status } } outstandingBalance { amount }`);
    const run = async (n: number) => {
      // A cold catalog cache for both, so both pay for the product read.
      await subgraph.catalogCache.clear();
      await resetStats();
      const refs = Array.from({ length: n }, (_, i) => refOf(i));
      const result = await gql(query, customers(refs));
      expect(result.errors).toBeUndefined();
      const entities = result.data!._entities as Array<{ orders: { nodes: Array<{ lines: unknown[] }> }; invoices: { nodes: unknown[] } }>;
      expect(entities).toHaveLength(n);
      return {
        calls: await stats(),
        lines: entities.reduce((sum, e) => sum + e.orders.nodes.reduce((s, o) => s + o.lines.length, 0), 0),
        invoices: entities.reduce((sum, e) => sum + e.invoices.nodes.length, 0),
      };
    };
    await gql(ENTITIES('outstandingBalance { amount }'), customers([refOf(0)])); // logs in, so neither run pays for it
    const five = await run(5);
    const fifty = await run(50);
    const expected = {
      'res.partner.search_read': 1,
      'sale.order.search_read': 1,
      'account.move.search_read': 1,
      'sale.order.line.search_read': 1,
      'product.product.read': 1,
    };
    expect(five.calls).toEqual(expected);
    expect(fifty.calls).toEqual(expected);
    // The 50 really did bring ten times the children: the count is constant, not the work.
    expect(fifty.lines).toBeGreaterThan(5 * five.lines);
    expect(fifty.invoices).toBeGreaterThan(5 * five.invoices);
  });

  it('serves products from the catalog cache: a second request reads no product from the ERP', async () => {
    const query = ENTITIES('orders(first: 5) { nodes { lines { product { id sku name price { amount } stockOnHand } } } }');
    await subgraph.catalogCache.clear();
    const first = await gql(query, customers([refOf(10), refOf(11)]));
    expect(first.errors).toBeUndefined();
    expect((await stats())['product.product.read']).toBe(1);
    await resetStats();
    const second = await gql(query, customers([refOf(10), refOf(11)]));
    expect(second.data).toEqual(first.data);
    const calls = await stats();
    expect(calls['product.product.read']).toBeUndefined();
    expect(calls).toEqual({ 'res.partner.search_read': 1, 'sale.order.search_read': 1, 'sale.order.line.search_read': 1 });
  });

  it('treats a cache that cannot be reached as a miss: the request still succeeds', async () => {
    const { url: noCacheUrl } = await startSubgraph({ REDIS_URL: 'redis://127.0.0.1:1' });
    const query = ENTITIES('orders(first: 3) { nodes { lines { product { id sku price { amount } } } } }');
    const expected = await gql(query, customers([refOf(12)]));
    expect(expected.errors).toBeUndefined();
    for (let i = 0; i < 2; i++) {
      await resetStats();
      const result = await gql(query, customers([refOf(12)]), noCacheUrl);
      expect(result.errors).toBeUndefined();
      expect(result.data).toEqual(expected.data);
      // Nothing could be cached, so each request reads its products from the ERP.
      expect((await stats())['product.product.read']).toBe(1);
    }
    expect(logLines.some((line) => line.includes('catalog cache failed'))).toBe(true);
  });

  it.runIf(redis)('shares the catalog cache between subgraph replicas through Redis', async () => {
    const a = await startSubgraph({ REDIS_URL: TEST_REDIS_URL });
    const b = await startSubgraph({ REDIS_URL: TEST_REDIS_URL });
    await a.subgraph.catalogCache.clear();
    const query = `{ product(id: "3") { id sku price { amount } } }`;
    const warm = await gql(query, {}, a.url);
    expect(warm.errors).toBeUndefined();
    // The cache is written after the answer, without delaying it: wait until it is there.
    const deadline = Date.now() + 5000;
    while ((await b.subgraph.catalogCache.get('3')) === undefined && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    await resetStats();
    const shared = await gql(query, {}, b.url);
    expect(shared.data).toEqual(warm.data);
    expect(await stats()).toEqual({});
  });

  it('pages through the catalog searched by name or SKU, in stock only, with totalCount only when asked', async () => {
    const all = await odoo<Array<{ id: number; default_code: string; name: string; qty_available: number }>>('product.product', 'search_read', [[]], {
      fields: ['default_code', 'name', 'qty_available'],
    });
    const matching = all
      .filter((p) => (p.name.toLowerCase().includes('wrench') || p.default_code.toLowerCase().includes('wrench')) && p.qty_available > 0)
      .sort((a, b) => a.default_code.localeCompare(b.default_code) || a.id - b.id)
      .map((p) => String(p.id));
    expect(matching.length).toBeGreaterThan(1);
    await resetStats();
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 20; page++) {
      const result = await gql(
        `query($after: String) { products(search: " WRENCH ", inStockOnly: true, first: 1, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id inStock } } }`,
        { after },
      );
      expect(result.errors).toBeUndefined();
      const connection = result.data!.products as {
        totalCount: number;
        pageInfo: { hasNextPage: boolean; endCursor: string };
        nodes: Array<{ id: string; inStock: boolean }>;
      };
      expect(connection.totalCount).toBe(matching.length);
      expect(connection.nodes.every((n) => n.inStock)).toBe(true);
      seen.push(...connection.nodes.map((n) => n.id));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(seen).toEqual(matching);
    expect(await stats()).toEqual({ 'product.product.search_read': matching.length, 'product.product.search_count': matching.length });

    // By SKU, without totalCount: no count call.
    await resetStats();
    const bySku = await gql(`{ products(search: "sku-0000", first: 100) { nodes { sku } } }`);
    expect((bySku.data!.products as { nodes: Array<{ sku: string }> }).nodes.map((n) => n.sku)).toEqual(
      all
        .map((p) => p.default_code)
        .filter((sku) => sku.startsWith('SKU-0000'))
        .sort(),
    );
    expect(await stats()).toEqual({ 'product.product.search_read': 1 });
  });

  it('finds products, orders and invoices by id, in Query and _entities, and answers null for unknown ones', async () => {
    const [order] = await odoo<Array<{ id: number; name: string; partner_id: Many2one }>>('sale.order', 'search_read', [[['state', '=', 'sale']]], {
      fields: ['name', 'partner_id'],
      limit: 1,
    });
    const [invoice] = await odoo<Array<{ id: number; name: string; invoice_origin: string }>>(
      'account.move',
      'search_read',
      [[['invoice_origin', '=', order!.name]]],
      { fields: ['name', 'invoice_origin'] },
    );
    const [partner] = await odoo<Array<{ ref: string }>>('res.partner', 'read', [[(order!.partner_id as [number, string])[0]]], { fields: ['ref'] });
    const [product] = await odoo<Array<{ id: number; default_code: string }>>('product.product', 'read', [[7]], { fields: ['default_code'] });
    const result = await gql(
      `query($o: ID!, $i: ID!) {
      product(id: "7") { id sku }
      order(id: $o) { id number customer { id } invoices { id number } }
      invoice(id: $i) { id number order { id number } customer { id } }
      noProduct: product(id: "99999") { id }
      noOrder: order(id: "abc") { id }
      noInvoice: invoice(id: "-1") { id }
      _entities(representations: [{ __typename: "Product", id: 7 }, { __typename: "Order", id: $o }, { __typename: "Invoice", id: $i }, { __typename: "Order", id: "99999" }]) {
        ... on Product { sku } ... on Order { number } ... on Invoice { number }
      }
    }`,
      { o: String(order!.id), i: String(invoice!.id) },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      product: { id: '7', sku: product!.default_code },
      order: { id: String(order!.id), number: order!.name, customer: { id: partner!.ref }, invoices: [{ id: String(invoice!.id), number: invoice!.name }] },
      invoice: { id: String(invoice!.id), number: invoice!.name, order: { id: String(order!.id), number: order!.name }, customer: { id: partner!.ref } },
      noProduct: null,
      noOrder: null,
      noInvoice: null,
      _entities: [{ sku: product!.default_code }, { number: order!.name }, { number: invoice!.name }, null],
    });

    // A vendor bill is an account.move too, but not a customer invoice of this graph.
    const billId = await odoo<number>('account.move', 'create', [
      { move_type: 'in_invoice', partner_id: 100, state: 'posted', invoice_date: '2026-06-01', amount_total: 12.5 },
    ]);
    const bill = await gql(`query($id: ID!) { invoice(id: $id) { id } }`, { id: String(billId) });
    expect(bill.errors).toBeUndefined();
    expect(bill.data).toEqual({ invoice: null });
  });

  it('filters and pages a customer’s orders and invoices by status', async () => {
    const ref = refOf(3);
    const expected = await expectedCustomer(ref);
    const confirmed = expected.orders.nodes.filter((o) => o.status === 'CONFIRMED').map((o) => o.number);
    const unpaid = expected.invoices.nodes.filter((i) => i.status === 'OVERDUE' || i.status === 'OPEN').map((i) => i.number);
    expect(confirmed.length).toBeGreaterThan(2);
    expect(unpaid.length).toBeGreaterThan(0);
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 20; page++) {
      const result = await gql(
        `query($r: [_Any!]!, $after: String) { _entities(representations: $r) { ... on Customer { orders(first: 2, after: $after, status: CONFIRMED) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { number status } } } } } }`,
        { r: [{ __typename: 'Customer', id: ref }], after },
      );
      expect(result.errors).toBeUndefined();
      const orders = (
        result.data!._entities as Array<{
          orders: {
            totalCount: number;
            pageInfo: { hasNextPage: boolean; endCursor: string };
            edges: Array<{ cursor: string; node: { number: string; status: string } }>;
          };
        }>
      )[0]!.orders;
      expect(orders.totalCount).toBe(confirmed.length);
      expect(orders.edges.every((e) => e.node.status === 'CONFIRMED')).toBe(true);
      expect(orders.pageInfo.endCursor).toBe(orders.edges.at(-1)!.cursor);
      seen.push(...orders.edges.map((e) => e.node.number));
      if (!orders.pageInfo.hasNextPage) break;
      after = orders.pageInfo.endCursor;
    }
    expect(seen).toEqual(confirmed);

    const invoices = await gql(ENTITIES('invoices(first: 100, status: [OVERDUE, OPEN]) { totalCount nodes { number } }'), customers([ref]));
    expect((invoices.data!._entities as Array<{ invoices: { totalCount: number; nodes: Array<{ number: string }> } }>)[0]!.invoices).toEqual({
      totalCount: unpaid.length,
      nodes: unpaid.map((number) => ({ number })),
    });
  });

  it('answers an empty customer for a company the ERP does not know', async () => {
    const result = await gql(
      ENTITIES('id orders { totalCount nodes { id } } invoices { totalCount } outstandingBalance { amount currency formatted }'),
      customers(['99999999']),
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!._entities).toEqual([
      {
        id: '99999999',
        orders: { totalCount: 0, nodes: [] },
        invoices: { totalCount: 0 },
        outstandingBalance: { amount: 0, currency: 'USD', formatted: '$0.00' },
      },
    ]);
    expect(await stats()).toEqual({ 'res.partner.search_read': 1 });
  });

  it('refuses bad page arguments with BAD_USER_INPUT and no backend call', async () => {
    const badCursor = await gql(ENTITIES('orders(after: "bm90LWEtY3Vyc29y") { totalCount }'), customers([refOf(0)]));
    expect(badCursor.errors?.[0]).toMatchObject({ path: ['_entities', 0, 'orders'], extensions: { code: 'BAD_USER_INPUT', serviceName: 'erp' } });
    const tooMany = await gql(ENTITIES('invoices(first: 101) { totalCount }'), customers([refOf(0)]));
    expect(tooMany.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', serviceName: 'erp' });
    const none = await gql(`{ products(first: 0) { totalCount } }`);
    expect(none.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', serviceName: 'erp' });
    // A products cursor is not an orders cursor.
    const productCursor = ((await gql(`{ products(first: 1) { pageInfo { endCursor } } }`)).data!.products as { pageInfo: { endCursor: string } }).pageInfo
      .endCursor;
    await resetStats();
    const wrongKind = await gql(
      ENTITIES('orders(after: $after) { totalCount }').replace('($representations: [_Any!]!)', '($representations: [_Any!]!, $after: String)'),
      {
        ...customers([refOf(0)]),
        after: productCursor,
      },
    );
    expect(wrongKind.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await stats()).toEqual({});
  });

  it('creates a confirmed sales order in the ERP and returns it as the ERP recorded it', async () => {
    const ref = refOf(80);
    const [partnerId] = await odoo<number[]>('res.partner', 'search', [[['ref', '=', ref]]]);
    await resetStats();
    const result = await gql(
      `mutation($input: CreateSalesOrderInput!) { createSalesOrder(input: $input) { order { id number status placedAt total { amount currency } customer { id } lines { quantity unitPrice { amount } subtotal { amount } product { id } } } } }`,
      {
        input: {
          customerId: ref,
          lines: [
            { productId: '2', quantity: 3 },
            { productId: '5', quantity: 1 },
          ],
        },
      },
    );
    expect(result.errors).toBeUndefined();
    const order = (result.data!.createSalesOrder as { order: { id: string } }).order;

    const [stored] = await odoo<
      Array<{ name: string; state: string; partner_id: Many2one; date_order: string; amount_total: number; currency_id: Many2one; order_line: number[] }>
    >('sale.order', 'read', [[Number(order.id)]], { fields: ['name', 'state', 'partner_id', 'date_order', 'amount_total', 'currency_id', 'order_line'] });
    expect(stored).toMatchObject({ state: 'sale', partner_id: [partnerId, expect.any(String)] });
    const lines = await odoo<Array<{ product_id: Many2one; product_uom_qty: number; price_unit: number; price_subtotal: number }>>(
      'sale.order.line',
      'read',
      [stored!.order_line],
      {
        fields: ['product_id', 'product_uom_qty', 'price_unit', 'price_subtotal'],
      },
    );
    const prices = await odoo<Array<{ id: number; list_price: number }>>('product.product', 'read', [[2, 5]], { fields: ['list_price'] });
    expect(lines.map((l) => [(l.product_id as [number, string])[0], l.product_uom_qty, cents(l.price_unit)])).toEqual([
      [2, 3, cents(prices.find((p) => p.id === 2)!.list_price)],
      [5, 1, cents(prices.find((p) => p.id === 5)!.list_price)],
    ]);
    expect(order).toEqual({
      id: order.id,
      number: stored!.name,
      status: 'CONFIRMED',
      placedAt: `${stored!.date_order.replace(' ', 'T')}.000Z`,
      total: { amount: cents(stored!.amount_total), currency: name(stored!.currency_id) },
      customer: { id: ref },
      lines: lines.map((l) => ({
        quantity: l.product_uom_qty,
        unitPrice: { amount: cents(l.price_unit) },
        subtotal: { amount: cents(l.price_subtotal) },
        product: { id: String((l.product_id as [number, string])[0]) },
      })),
    });
    expect((await stats())['sale.order.create']).toBe(1);
    // The gateway is told which cached entities the order made stale.
    expect(result.extensions?.invalidatedEntities).toEqual([
      { __typename: 'Customer', id: ref },
      { __typename: 'Order', id: order.id },
    ]);

    // The new order is the customer's newest.
    const latest = await gql(ENTITIES('orders(first: 1) { nodes { id } }'), customers([ref]));
    expect(latest.data!._entities).toEqual([{ orders: { nodes: [{ id: order.id }] } }]);
  });

  describe('createSalesOrder with an idempotencyKey', () => {
    const CREATE = `mutation($input: CreateSalesOrderInput!) { createSalesOrder(input: $input) { order { id number status lines { quantity product { id } } } } }`;
    type Created = { createSalesOrder: { order: { id: string; number: string; status: string } } };
    const ordersWithOrigin = (origin: string) =>
      odoo<Array<{ id: number; state: string }>>('sale.order', 'search_read', [[['origin', '=', origin]]], { fields: ['state'] });

    it('makes one order however often the same request is sent, also at once, and refuses the key for other lines', async () => {
      const key = `order-${Date.now()}-a1`;
      const input = { customerId: refOf(82), lines: [{ productId: '3', quantity: 2 }], idempotencyKey: key };
      // Three at once, the first time the key is seen (the create made slow, so that all three
      // would have looked the key up before the first order exists); then once more.
      await setFaults({ latencyMs: 300, operations: ['sale.order.create'] });
      const [first, ...together] = await Promise.all([gql(CREATE, { input }), gql(CREATE, { input }), gql(CREATE, { input })]);
      await operator().clearFaults();
      expect(first!.errors).toBeUndefined();
      const again = await gql(CREATE, { input });
      const id = (first!.data as Created).createSalesOrder.order.id;
      for (const answer of [again, ...together]) {
        expect(answer.errors).toBeUndefined();
        expect(answer.data).toEqual(first!.data);
      }
      expect(await ordersWithOrigin(`graph360:${key}`)).toEqual([{ id: Number(id), state: 'sale' }]);
      expect((await stats())['sale.order.create']).toBe(1);

      const other = await gql(CREATE, { input: { ...input, lines: [{ productId: '3', quantity: 5 }] } });
      expect(other.data).toBeNull();
      expect(other.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'idempotencyKey', orderId: id });
      expect((await stats())['sale.order.create']).toBe(1);
      // The same lines again still replay.
      const reordered = await gql(CREATE, { input: { ...input, lines: [{ productId: '3', quantity: 2 }] } });
      expect(reordered.data).toEqual(first!.data);
    });

    it('finds the order of a create whose answer was lost instead of making a second one', async () => {
      const key = `order-${Date.now()}-b2`;
      const input = {
        customerId: refOf(83),
        lines: [
          { productId: '4', quantity: 1 },
          { productId: '6', quantity: 3 },
        ],
        idempotencyKey: key,
      };
      await setFaults({ lostAnswer: true, operations: ['sale.order.create'], remaining: 1 });
      const result = await gql(CREATE, { input });
      expect(result.errors).toBeUndefined();
      const order = (result.data as Created).createSalesOrder.order;
      expect(order.status).toBe('CONFIRMED');
      expect(await ordersWithOrigin(`graph360:${key}`)).toEqual([{ id: Number(order.id), state: 'sale' }]);
      const calls = await stats();
      expect(calls['sale.order.create']).toBe(1);
      // Looked up by its key before the create and once more after the lost answer, then read back for the payload.
      expect(calls['sale.order.search_read']).toBe(3);
      expect(logLines.some((line) => line.includes('outcome unknown'))).toBe(true);
    });

    it('creates again after a lost create that made nothing', async () => {
      const key = `order-${Date.now()}-c3`;
      const input = { customerId: refOf(84), lines: [{ productId: '2', quantity: 1 }], idempotencyKey: key };
      // The first create never reaches Odoo's code: the connection is reset first.
      await setFaults({ down: true, operations: ['sale.order.create'], remaining: 1 });
      const result = await gql(CREATE, { input });
      expect(result.errors).toBeUndefined();
      expect(await ordersWithOrigin(`graph360:${key}`)).toHaveLength(1);
      expect((await stats())['sale.order.create']).toBe(2);
    });

    it('without a key, a lost answer is an error and is not retried (the order may exist)', async () => {
      const ref = refOf(85);
      const [partnerId] = await odoo<number[]>('res.partner', 'search', [[['ref', '=', ref]]]);
      const before = await odoo<number>('sale.order', 'search_count', [[['partner_id', '=', partnerId!]]]);
      await setFaults({ lostAnswer: true, operations: ['sale.order.create'], remaining: 1 });
      const result = await gql(CREATE, { input: { customerId: ref, lines: [{ productId: '2', quantity: 1 }] } });
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
      expect((await stats())['sale.order.create']).toBe(1);
      expect(await odoo<number>('sale.order', 'search_count', [[['partner_id', '=', partnerId!]]])).toBe(before! + 1);
    });

    it.runIf(redis)('makes one order when two replicas sharing Redis get the same key at once', async () => {
      const a = await startSubgraph({ REDIS_URL: TEST_REDIS_URL });
      const b = await startSubgraph({ REDIS_URL: TEST_REDIS_URL });
      // Their lock clients connect in the background: wait for both, or the lock would run degraded (process-local).
      const deadline = Date.now() + 5000;
      while (!(a.subgraph.orderLock.connected && b.subgraph.orderLock.connected) && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      const key = `order-${Date.now()}-r5`;
      const input = { customerId: refOf(87), lines: [{ productId: '5', quantity: 2 }], idempotencyKey: key };
      // The create made slow, so that both replicas would have looked the key up before the order exists.
      await setFaults({ latencyMs: 300, operations: ['sale.order.create'] });
      const answers = await Promise.all([
        gql(CREATE, { input }, a.url),
        gql(CREATE, { input }, b.url),
        gql(CREATE, { input }, a.url),
        gql(CREATE, { input }, b.url),
      ]);
      for (const answer of answers) {
        expect(answer.errors).toBeUndefined();
        expect(answer.data).toEqual(answers[0]!.data);
      }
      expect(await ordersWithOrigin(`graph360:${key}`)).toHaveLength(1);
      expect((await stats())['sale.order.create']).toBe(1);
    });

    it('refuses a key that is too short or too long before any call', async () => {
      for (const key of ['short', 'k'.repeat(256)]) {
        const result = await gql(CREATE, { input: { customerId: refOf(86), lines: [{ productId: '2', quantity: 1 }], idempotencyKey: key } });
        expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
        expect(result.errors?.[0]?.message).toMatch(/idempotencyKey must be 8 to 255 characters/);
      }
      expect(await stats()).toEqual({});
    });
  });

  it('refuses an invalid order before writing anything', async () => {
    const create = (input: Record<string, unknown>) =>
      gql(`mutation($input: CreateSalesOrderInput!) { createSalesOrder(input: $input) { order { id } } }`, { input });
    const empty = await create({ customerId: refOf(81), lines: [] });
    expect(empty.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', serviceName: 'erp' });
    const tooLong = await create({ customerId: refOf(81), lines: Array.from({ length: 101 }, () => ({ productId: '1', quantity: 1 })) });
    expect(tooLong.errors?.[0]?.message).toMatch(/from 1 to 100 lines, got 101/);
    const badQuantity = await create({
      customerId: refOf(81),
      lines: [
        { productId: '1', quantity: 0 },
        { productId: '2', quantity: 10_001 },
      ],
    });
    expect(badQuantity.errors?.[0]?.message).toMatch(/lines\[0\]\.quantity.*got 0; lines\[1\]\.quantity.*got 10001/);
    expect(await stats()).toEqual({});

    const unknownProduct = await create({
      customerId: refOf(81),
      lines: [
        { productId: '1', quantity: 1 },
        { productId: '99999', quantity: 1 },
        { productId: 'x', quantity: 1 },
      ],
    });
    expect(unknownProduct.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', serviceName: 'erp', productIds: ['x', '99999'] });
    const unknownCustomer = await create({ customerId: '99999999', lines: [{ productId: '1', quantity: 1 }] });
    expect(unknownCustomer.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', serviceName: 'erp' });
    const calls = await stats();
    expect(calls['sale.order.create']).toBeUndefined();
    expect(calls['sale.order.write']).toBeUndefined();
  });

  it('reports a down backend on the affected fields while the rest of the query resolves', async () => {
    await setFaults({ down: true, operations: ['account.move.'] });
    const ref = refOf(5);
    const result = await gql(ENTITIES('id orders(first: 1) { totalCount } invoices { totalCount } outstandingBalance { amount }'), customers([ref]));
    expect(result.errors?.map((e) => e.path)).toEqual(
      expect.arrayContaining([
        ['_entities', 0, 'invoices'],
        ['_entities', 0, 'outstandingBalance'],
      ]),
    );
    expect(result.errors).toHaveLength(2);
    for (const error of result.errors!) expect(error.extensions).toMatchObject({ code: 'BACKEND_UNAVAILABLE', serviceName: 'erp', backend: 'erp' });
    const entity = (result.data!._entities as Array<Record<string, unknown>>)[0]!;
    expect(entity).toMatchObject({ id: ref, invoices: null, outstandingBalance: null });
    expect((entity.orders as { totalCount: number }).totalCount).toBeGreaterThan(0);
  });

  it('reports refused credentials as UNAUTHENTICATED and never shows the password', async () => {
    const { url: refusedUrl } = await startSubgraph({ ERP_PASSWORD: WRONG_PASSWORD });
    const result = await gql(ENTITIES('orders { totalCount }'), customers([refOf(0)]), refusedUrl);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', serviceName: 'erp' });
    expect(result.errors?.[0]?.message).toMatch(/ERP_PASSWORD/);
    // Odoo answers a wrong password with False: one login attempt, not retried.
    expect(await stats()).toEqual({ 'common.authenticate': 1 });

    const health = (await (await fetch(url.replace('/graphql', '/health'))).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ status: 'ok', service: 'erp', backend: { erp: 'closed' } });

    const everything = [...responses, ...logLines].join('\n');
    expect(logLines.length).toBeGreaterThan(0);
    expect(everything).not.toContain(PASSWORD);
    expect(everything).not.toContain(WRONG_PASSWORD);
  });
});
