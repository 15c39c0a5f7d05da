/**
 * Odoo's record shapes, as read() and search_read() send them, parsed into the
 * connector's records. Odoo sends `False` for an empty field (never nil), a many2one as
 * `[id, display_name]`, x2many fields as lists of ids, datetimes as 'YYYY-MM-DD HH:MM:SS'
 * in UTC and money as doubles in currency units. Every record is checked before use: a
 * value that is not what Odoo documents is a BACKEND_ERROR naming the field, never an
 * `undefined` that surfaces three resolvers later.
 *
 * The fields each model is read with are listed here, explicitly: without `fields`, Odoo
 * reads and sends every field of the model, computed ones included.
 */
import { numberOf, type XmlRpcStruct } from '../../../../lib/xmlrpc/index.js';
import type { InvoiceRecord, OrderLineRecord, OrderRecord, PartnerRecord, ProductRecord } from '../models.js';
import { AmountError, floatToMinor } from '../money.js';
import { malformed } from '../../../kit/src/index.js';

export const PARTNER_FIELDS = ['ref', 'name'];
export const PRODUCT_FIELDS = ['name', 'default_code', 'list_price', 'qty_available', 'categ_id'];
export const ORDER_FIELDS = ['name', 'partner_id', 'date_order', 'state', 'amount_total', 'currency_id', 'invoice_ids'];
export const LINE_FIELDS = ['order_id', 'product_id', 'product_uom_qty', 'price_unit', 'price_subtotal', 'currency_id'];
export const INVOICE_FIELDS = [
  'name',
  'move_type',
  'state',
  'partner_id',
  'invoice_date',
  'invoice_date_due',
  'invoice_origin',
  'currency_id',
  'amount_total',
  'amount_residual',
  'payment_state',
];

function fail(model: string, record: XmlRpcStruct, field: string, expected: string): never {
  throw malformed(`${model} ${String(record.id)}: ${field} is not ${expected}`);
}

function id(model: string, record: XmlRpcStruct): number {
  const value = record.id;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw malformed(`a ${model} record without an integer id`);
  return value;
}

/** A char/text/selection/date field: its text, or null for Odoo's False. */
function text(model: string, record: XmlRpcStruct, field: string): string | null {
  const value = record[field];
  if (value === false || value === null) return null;
  if (typeof value !== 'string') fail(model, record, field, 'text or False');
  return value;
}

function requiredText(model: string, record: XmlRpcStruct, field: string): string {
  return text(model, record, field) ?? fail(model, record, field, 'set');
}

function float(model: string, record: XmlRpcStruct, field: string): number {
  const value = numberOf(record[field]);
  if (value === undefined || !Number.isFinite(value)) fail(model, record, field, 'a number');
  return value;
}

function amount(model: string, record: XmlRpcStruct, field: string): number {
  try {
    return floatToMinor(float(model, record, field));
  } catch (error) {
    if (error instanceof AmountError) fail(model, record, field, `an amount this service can represent (${error.message})`);
    throw error;
  }
}

/** A many2one: `[id, display_name]` with the default load, a bare id with load='', or False. */
function many2one(model: string, record: XmlRpcStruct, field: string): { id: number; name: string | null } | null {
  const value = record[field];
  if (value === false || value === null) return null;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return { id: value, name: null };
  if (Array.isArray(value) && typeof value[0] === 'number' && Number.isSafeInteger(value[0])) {
    return { id: value[0], name: typeof value[1] === 'string' ? value[1] : null };
  }
  return fail(model, record, field, 'a many2one ([id, name] or False)');
}

function idList(model: string, record: XmlRpcStruct, field: string): number[] {
  const value = record[field];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'number' && Number.isSafeInteger(item))) fail(model, record, field, 'a list of ids');
  return value as number[];
}

/** 'YYYY-MM-DD HH:MM:SS' (UTC, as Odoo stores and sends datetimes) -> ISO 8601. */
function datetime(model: string, record: XmlRpcStruct, field: string): string {
  const value = requiredText(model, record, field);
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d+)?$/.exec(value);
  if (!match) fail(model, record, field, "a datetime 'YYYY-MM-DD HH:MM:SS'");
  const ms = `${(match[3] ?? '.000').slice(1)}000`.slice(0, 3);
  const iso = `${match[1]}T${match[2]}.${ms}Z`;
  if (Number.isNaN(Date.parse(iso))) fail(model, record, field, 'a valid datetime');
  return iso;
}

function date(model: string, record: XmlRpcStruct, field: string): string | null {
  const value = text(model, record, field);
  if (value !== null && !/^\d{4}-\d{2}-\d{2}$/.test(value)) fail(model, record, field, "a date 'YYYY-MM-DD'");
  return value;
}

/** A currency many2one's display name is its ISO code ("USD"). */
function currency(model: string, record: XmlRpcStruct): string | null {
  return many2one(model, record, 'currency_id')?.name ?? null;
}

export function toPartner(record: XmlRpcStruct): PartnerRecord {
  const m = 'res.partner';
  return { id: id(m, record), ref: text(m, record, 'ref'), name: text(m, record, 'name') ?? '' };
}

export function toProduct(record: XmlRpcStruct): ProductRecord {
  const m = 'product.product';
  // A category's display name is its full path, "All / Saleable / Tools"; the graph wants "Tools".
  const categoryPath = many2one(m, record, 'categ_id')?.name ?? null;
  return {
    id: id(m, record),
    sku: text(m, record, 'default_code'),
    name: requiredText(m, record, 'name'),
    category: categoryPath === null ? null : (categoryPath.split(' / ').at(-1) ?? categoryPath),
    listPrice: amount(m, record, 'list_price'),
    qtyAvailable: float(m, record, 'qty_available'),
  };
}

export function toOrder(record: XmlRpcStruct): OrderRecord {
  const m = 'sale.order';
  return {
    id: id(m, record),
    name: requiredText(m, record, 'name'),
    partnerId: many2one(m, record, 'partner_id')?.id ?? null,
    dateOrder: datetime(m, record, 'date_order'),
    state: requiredText(m, record, 'state'),
    amountTotal: amount(m, record, 'amount_total'),
    currency: currency(m, record),
    invoiceIds: idList(m, record, 'invoice_ids'),
  };
}

/** A line, or null for a line without a product (Odoo's section and note lines). */
export function toOrderLine(record: XmlRpcStruct): OrderLineRecord | null {
  const m = 'sale.order.line';
  const order = many2one(m, record, 'order_id') ?? fail(m, record, 'order_id', 'set');
  const product = many2one(m, record, 'product_id');
  if (product === null) return null;
  return {
    id: id(m, record),
    orderId: order.id,
    productId: product.id,
    quantity: float(m, record, 'product_uom_qty'),
    priceUnit: amount(m, record, 'price_unit'),
    priceSubtotal: amount(m, record, 'price_subtotal'),
    currency: currency(m, record),
  };
}

export function toInvoice(record: XmlRpcStruct): InvoiceRecord {
  const m = 'account.move';
  return {
    id: id(m, record),
    name: text(m, record, 'name') ?? '/',
    moveType: requiredText(m, record, 'move_type'),
    state: requiredText(m, record, 'state'),
    partnerId: many2one(m, record, 'partner_id')?.id ?? null,
    invoiceDate: date(m, record, 'invoice_date'),
    invoiceDateDue: date(m, record, 'invoice_date_due'),
    origin: text(m, record, 'invoice_origin'),
    currency: currency(m, record),
    amountTotal: amount(m, record, 'amount_total'),
    amountResidual: amount(m, record, 'amount_residual'),
    paymentState: text(m, record, 'payment_state'),
  };
}
