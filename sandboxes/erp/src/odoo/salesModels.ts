/**
 * The sales and invoicing models: sale.order, sale.order.line and account.move.
 *
 * An order's amounts are computed on read from its lines, and its invoices are the
 * moves whose invoice_origin is its name, so they always agree with what was written.
 */
import { USD_ID, text } from './baseModels.js';
import type { ComputeEnv, RecordDoc } from './fields.js';
import { formatDatetime } from './fields.js';
import type { ModelDef } from './Registry.js';

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

function lineSubtotal(line: RecordDoc): number {
  return Math.round(Number(line.product_uom_qty) * Number(line.price_unit));
}

function orderUntaxed(order: RecordDoc, env: ComputeEnv): number {
  let total = 0;
  for (const id of env.lookup('sale.order.line', 'order_id', order.id)) {
    const line = env.get('sale.order.line', id);
    if (line) total += lineSubtotal(line);
  }
  return total;
}

function orderInvoiceIds(order: RecordDoc, env: ComputeEnv): number[] {
  return typeof order.name === 'string' ? [...env.lookup('account.move', 'invoice_origin', order.name)].sort((a, b) => a - b) : [];
}

const ORDER_STATES = [
  ['draft', 'Quotation'],
  ['sent', 'Quotation Sent'],
  ['sale', 'Sales Order'],
  ['cancel', 'Cancelled'],
] as const;

export const saleOrder: ModelDef = {
  name: 'sale.order',
  description: 'Sales Order',
  order: 'date_order desc, id desc',
  nameSearchFields: ['name', 'client_order_ref'],
  fields: {
    name: { type: 'char', string: 'Order Reference', required: true, index: true },
    partner_id: { type: 'many2one', string: 'Customer', relation: 'res.partner', required: true, index: true },
    date_order: { type: 'datetime', string: 'Order Date', required: true },
    state: { type: 'selection', string: 'Status', selection: ORDER_STATES },
    client_order_ref: { type: 'char', string: 'Customer Reference' },
    // Odoo's "Reference of the document that generated this sales order request".
    origin: { type: 'char', string: 'Source Document' },
    currency_id: { type: 'many2one', string: 'Currency', relation: 'res.currency', index: true },
    order_line: { type: 'one2many', string: 'Order Lines', relation: 'sale.order.line', inverse: 'order_id' },
    amount_untaxed: { type: 'monetary', string: 'Untaxed Amount', minorUnits: true, readonly: true, compute: orderUntaxed },
    // The seed world has no taxes.
    amount_tax: { type: 'monetary', string: 'Taxes', minorUnits: true, readonly: true, compute: () => 0 },
    amount_total: { type: 'monetary', string: 'Total', minorUnits: true, readonly: true, compute: orderUntaxed },
    invoice_ids: { type: 'many2many', string: 'Invoices', relation: 'account.move', readonly: true, compute: orderInvoiceIds },
    invoice_count: { type: 'integer', string: 'Invoice Count', readonly: true, compute: (doc, env) => orderInvoiceIds(doc, env).length },
  },
  displayName: (doc) => text(doc.name),
  defaults: (id, vals, env, now) => {
    const partner = typeof vals.partner_id === 'number' ? env.get('res.partner', vals.partner_id) : undefined;
    return {
      name: `S${pad(id, 5)}`,
      date_order: formatDatetime(now),
      state: 'draft',
      client_order_ref: false,
      origin: false,
      // The currency a partner buys in (its pricelist's in Odoo); kept on the partner as _currency_id.
      currency_id: typeof partner?._currency_id === 'number' ? partner._currency_id : USD_ID,
    };
  },
};

export const saleOrderLine: ModelDef = {
  name: 'sale.order.line',
  description: 'Sales Order Line',
  order: 'order_id, id',
  nameSearchFields: ['name'],
  fields: {
    order_id: { type: 'many2one', string: 'Order Reference', relation: 'sale.order', required: true, index: true },
    product_id: { type: 'many2one', string: 'Product', relation: 'product.product', index: true },
    name: { type: 'text', string: 'Description', required: true },
    product_uom_qty: { type: 'float', string: 'Quantity' },
    price_unit: { type: 'float', string: 'Unit Price', minorUnits: true },
    price_subtotal: { type: 'monetary', string: 'Subtotal', minorUnits: true, readonly: true, compute: lineSubtotal },
    price_total: { type: 'monetary', string: 'Total', minorUnits: true, readonly: true, compute: lineSubtotal },
    currency_id: {
      type: 'many2one',
      string: 'Currency',
      relation: 'res.currency',
      readonly: true,
      compute: (doc, env) => env.get('sale.order', Number(doc.order_id))?.currency_id ?? false,
    },
    state: {
      type: 'selection',
      string: 'Order Status',
      selection: ORDER_STATES,
      readonly: true,
      compute: (doc, env) => env.get('sale.order', Number(doc.order_id))?.state ?? false,
    },
  },
  displayName: (doc, env) => `${env.displayName('sale.order', Number(doc.order_id))} - ${text(doc.name).split('\n')[0]}`,
  defaults: (_id, vals, env) => {
    const product = typeof vals.product_id === 'number' ? env.get('product.product', vals.product_id) : undefined;
    return {
      product_uom_qty: 1,
      price_unit: typeof product?.list_price === 'number' ? product.list_price : 0,
      name: product && typeof vals.product_id === 'number' ? env.displayName('product.product', vals.product_id) : false,
    };
  },
};

const MOVE_TYPES = [
  ['entry', 'Journal Entry'],
  ['out_invoice', 'Customer Invoice'],
  ['out_refund', 'Customer Credit Note'],
  ['in_invoice', 'Vendor Bill'],
  ['in_refund', 'Vendor Credit Note'],
  ['out_receipt', 'Sales Receipt'],
  ['in_receipt', 'Purchase Receipt'],
] as const;
const DRAFT_LABELS: Record<string, string> = {
  entry: 'Draft Entry',
  out_invoice: 'Draft Invoice',
  out_refund: 'Draft Credit Note',
  in_invoice: 'Draft Bill',
  in_refund: 'Draft Vendor Credit Note',
  out_receipt: 'Draft Sales Receipt',
  in_receipt: 'Draft Purchase Receipt',
};

export const accountMove: ModelDef = {
  name: 'account.move',
  description: 'Journal Entry',
  order: 'invoice_date desc, name desc, id desc',
  nameSearchFields: ['name', 'ref'],
  fields: {
    name: { type: 'char', string: 'Number', index: true },
    move_type: { type: 'selection', string: 'Type', required: true, selection: MOVE_TYPES, index: true },
    state: {
      type: 'selection',
      string: 'Status',
      required: true,
      selection: [
        ['draft', 'Draft'],
        ['posted', 'Posted'],
        ['cancel', 'Cancelled'],
      ],
    },
    partner_id: { type: 'many2one', string: 'Partner', relation: 'res.partner', index: true },
    invoice_date: { type: 'date', string: 'Invoice/Bill Date' },
    invoice_date_due: { type: 'date', string: 'Due Date' },
    invoice_origin: { type: 'char', string: 'Origin', index: true },
    ref: { type: 'char', string: 'Reference' },
    currency_id: { type: 'many2one', string: 'Currency', relation: 'res.currency', required: true, index: true },
    // Computed from journal items in Odoo; the sandbox has no journal items, so they are plain values.
    amount_untaxed: { type: 'monetary', string: 'Untaxed Amount', minorUnits: true },
    amount_tax: { type: 'monetary', string: 'Tax', minorUnits: true },
    amount_total: { type: 'monetary', string: 'Total', minorUnits: true },
    amount_residual: { type: 'monetary', string: 'Amount Due', minorUnits: true },
    payment_state: {
      type: 'selection',
      string: 'Payment Status',
      selection: [
        ['not_paid', 'Not Paid'],
        ['in_payment', 'In Payment'],
        ['paid', 'Paid'],
        ['partial', 'Partially Paid'],
        ['reversed', 'Reversed'],
        ['invoicing_legacy', 'Invoicing App Legacy'],
      ],
    },
  },
  displayName: (doc) => {
    const name = text(doc.name);
    if (doc.state === 'draft') return `${DRAFT_LABELS[text(doc.move_type)] ?? 'Draft Entry'} ${!name || name === '/' ? `(* ${doc.id})` : name}`;
    const ref = text(doc.ref);
    return ref ? `${name} (${ref.length > 50 ? `${ref.slice(0, 50)}...` : ref})` : name;
  },
  defaults: (_id, vals, env) => {
    const partner = typeof vals.partner_id === 'number' ? env.get('res.partner', vals.partner_id) : undefined;
    const total = typeof vals.amount_total === 'number' ? vals.amount_total : 0;
    return {
      name: '/',
      move_type: 'entry',
      state: 'draft',
      payment_state: 'not_paid',
      currency_id: typeof partner?._currency_id === 'number' ? partner._currency_id : USD_ID,
      amount_untaxed: total,
      amount_tax: 0,
      amount_total: total,
      amount_residual: total,
    };
  },
  // Posting gives a move its number, as action_post does; the sandbox numbers by id.
  settle: (doc) => {
    if (doc.state === 'posted' && (!doc.name || doc.name === '/')) {
      const year = typeof doc.invoice_date === 'string' ? doc.invoice_date.slice(0, 4) : String(new Date().getUTCFullYear());
      const prefix = doc.move_type === 'out_refund' ? 'RINV' : doc.move_type === 'entry' ? 'MISC' : 'INV';
      doc.name = `${prefix}/${year}/${pad(doc.id, 5)}`;
    }
  },
};
