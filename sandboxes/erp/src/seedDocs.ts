/**
 * The ERP's part of the seed world, as Odoo records: one res.partner per company (its
 * `ref` is the CRM company id, the graph's Customer id), the products, the sales orders
 * with their lines, and one posted customer invoice per confirmed order, whose residual
 * amount and payment state agree with the payments the payment provider holds.
 *
 * Ids are the world's ERP ids (partners: company index + 1). Money stays in minor units.
 * Besides the Odoo records, the Stripe payment intents those payments were, so that a
 * refund of one of them arriving by webhook is reconciled against what it already paid.
 */
import { SEED_EPOCH, type Doc, type World } from '../../kit/src/index.js';
import { formatDate, formatDatetime, type RecordDoc } from './odoo/fields.js';
import { USD_ID } from './odoo/models.js';
import { STRIPE_INTENTS, seedStripeIntents } from './stripe/stripeLedger.js';

const CURRENCIES = [
  { id: USD_ID, name: 'USD', full_name: 'United States dollar', symbol: '$' },
  { id: 2, name: 'EUR', full_name: 'Euro', symbol: '€' },
  { id: 3, name: 'GBP', full_name: 'Pound sterling', symbol: '£' },
];

const COUNTRY_CODES: Readonly<Record<string, string>> = {
  'United States': 'US',
  Canada: 'CA',
  Germany: 'DE',
  France: 'FR',
  Spain: 'ES',
  Netherlands: 'NL',
  'United Kingdom': 'GB',
};

const DAY = 86_400_000;
/** Products have no dates in the seed world; they all "exist" from three years before its now. */
const CATALOG_CREATED = SEED_EPOCH - 3 * 365 * DAY;

export function partnerId(companyIndex: number): number {
  return companyIndex + 1;
}

export function seedDocs(world: World): Record<string, Doc[]> {
  const currencyId = new Map(CURRENCIES.map((c) => [c.name, c.id]));
  const stamp = formatDatetime(CATALOG_CREATED);
  const created = { create_date: stamp, write_date: stamp };

  const countries = Object.entries(COUNTRY_CODES).map(([name, code], i) => ({ id: i + 1, name, code, ...created }));
  const countryId = new Map(countries.map((c) => [c.name, c.id]));

  const categoryNames = [...new Set(world.products.map((p) => p.category))].sort();
  const categories: RecordDoc[] = [
    { id: 1, name: 'All', complete_name: 'All', parent_id: false, ...created },
    ...categoryNames.map((name, i) => ({ id: i + 2, name, complete_name: `All / ${name}`, parent_id: 1, ...created })),
  ];
  const categoryId = new Map(categoryNames.map((name, i) => [name, i + 2]));

  const confirmedOrders = new Map<number, number>();
  for (const order of world.orders) {
    if (order.state === 'sale') confirmedOrders.set(order.companyIndex, (confirmedOrders.get(order.companyIndex) ?? 0) + 1);
  }

  const partners: RecordDoc[] = world.companies.map((company) => ({
    id: partnerId(company.index),
    name: company.name,
    ref: company.crmId,
    email: `billing@${company.domain}`,
    phone: company.phone,
    website: `https://${company.domain}`,
    city: company.city,
    country_id: countryId.get(company.country) ?? false,
    is_company: true,
    // Odoo raises customer_rank by one per confirmed sale.
    customer_rank: confirmedOrders.get(company.index) ?? 0,
    active: true,
    // The currency this customer buys in; not an Odoo field, never sent to clients.
    _currency_id: currencyId.get(company.currency) ?? USD_ID,
    create_date: formatDatetime(company.createdAt),
    write_date: formatDatetime(company.updatedAt),
  }));

  const products: RecordDoc[] = world.products.map((product) => ({
    id: product.erpId,
    name: product.name,
    default_code: product.sku,
    list_price: product.priceMinor,
    qty_available: product.qtyAvailable,
    categ_id: categoryId.get(product.category) ?? 1,
    type: product.category === 'Pantry' || product.category === 'Office' ? 'consu' : 'product',
    active: true,
    ...created,
  }));
  const productNames = new Map(products.map((p) => [p.id, `[${String(p.default_code)}] ${String(p.name)}`]));

  const orders: RecordDoc[] = [];
  const lines: RecordDoc[] = [];
  for (const order of world.orders) {
    const date = formatDatetime(order.dateOrder);
    orders.push({
      id: order.erpId,
      name: order.name,
      partner_id: partnerId(order.companyIndex),
      date_order: date,
      state: order.state,
      client_order_ref: false,
      currency_id: currencyId.get(order.currency) ?? USD_ID,
      create_date: date,
      write_date: date,
    });
    for (const line of order.lines) {
      lines.push({
        id: line.erpId,
        order_id: order.erpId,
        product_id: line.productErpId,
        name: productNames.get(line.productErpId) ?? '',
        product_uom_qty: line.quantity,
        price_unit: line.priceUnitMinor,
        create_date: date,
        write_date: date,
      });
    }
  }

  const orderNames = new Map(world.orders.map((o) => [o.erpId, o.name]));
  const moves: RecordDoc[] = world.invoices.map((invoice) => ({
    id: invoice.erpId,
    name: invoice.name,
    move_type: 'out_invoice',
    state: 'posted',
    partner_id: partnerId(invoice.companyIndex),
    invoice_date: formatDate(invoice.invoiceDate),
    invoice_date_due: formatDate(invoice.dueDate),
    invoice_origin: orderNames.get(invoice.orderErpId) ?? false,
    ref: false,
    currency_id: currencyId.get(invoice.currency) ?? USD_ID,
    amount_untaxed: invoice.amountTotalMinor,
    amount_tax: 0,
    amount_total: invoice.amountTotalMinor,
    amount_residual: invoice.amountResidualMinor,
    payment_state: invoice.paymentState,
    create_date: formatDatetime(invoice.invoiceDate),
    write_date: formatDatetime(invoice.invoiceDate),
  }));

  // The seed's succeeded payments are already applied to their invoices: each has its transaction, as Odoo's Stripe provider leaves one.
  const transactions: RecordDoc[] = world.payments
    .filter((payment) => payment.status === 'succeeded')
    .map((payment, index) => ({
      id: index + 1,
      reference: `${payment.invoiceName}-${index + 1}`,
      provider_reference: payment.id,
      provider_code: 'stripe',
      state: 'done',
      amount: payment.amountMinor,
      currency_id: currencyId.get(payment.currency) ?? USD_ID,
      partner_id: partnerId(payment.companyIndex),
      _invoice_id: payment.invoiceErpId,
      create_date: formatDatetime(payment.created),
      write_date: formatDatetime(payment.created),
    }));

  return {
    'res.currency': CURRENCIES.map((c) => ({ ...c, decimal_places: 2, active: true, ...created })),
    'res.country': countries,
    'product.category': categories,
    'res.partner': partners,
    'product.product': products,
    'sale.order': orders,
    'sale.order.line': lines,
    'account.move': moves,
    'payment.transaction': transactions,
    [STRIPE_INTENTS]: seedStripeIntents(world),
  };
}
