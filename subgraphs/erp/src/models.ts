/**
 * The values resolvers pass between each other (codegen's mappers): Odoo records as the
 * connector parses them. Odoo's `False` for an empty field becomes null, a many2one
 * `[id, name]` becomes its id (and, for currencies and categories, its name), datetimes
 * become ISO 8601, and money becomes whole minor units at the edge (money.ts), so no
 * float amount travels further than the parser. Turning states into the graph's enums
 * and amounts into Money is the resolvers' job.
 */

/** The currencies the graph's CurrencyCode enum knows. */
export const CURRENCY_CODES = ['USD', 'EUR', 'GBP'] as const;
export type CurrencyCode = (typeof CURRENCY_CODES)[number];

export function isCurrencyCode(value: string | null | undefined): value is CurrencyCode {
  return (CURRENCY_CODES as readonly (string | null | undefined)[]).includes(value);
}

/** res.partner: the ERP side of a customer. */
export interface PartnerRecord {
  id: number;
  /** The CRM company id (Odoo's `ref`); null for partners the CRM does not know. */
  ref: string | null;
  name: string;
}

/** product.product. */
export interface ProductRecord {
  id: number;
  /** `default_code`, the internal reference; null when empty. */
  sku: string | null;
  name: string;
  /** The category's own name (the last part of Odoo's "All / Tools"). */
  category: string | null;
  /** `list_price` in minor units of the company currency. */
  listPrice: number;
  /** `qty_available`, as Odoo sends it (a float: units of measure may be fractional). */
  qtyAvailable: number;
}

/** sale.order. */
export interface OrderRecord {
  id: number;
  /** The order reference, e.g. S00042. */
  name: string;
  partnerId: number | null;
  /** `date_order` as ISO 8601 in UTC. */
  dateOrder: string;
  /** Odoo's state: draft, sent, sale, done, cancel. */
  state: string;
  /** `amount_total` in minor units of `currency`. */
  amountTotal: number;
  /** ISO code from `currency_id`'s name; null when Odoo sends none. */
  currency: string | null;
  /** The customer invoices and credit notes Odoo links to the order (`invoice_ids`). */
  invoiceIds: number[];
}

/** sale.order.line with a product (section and note lines are left out by the connector). */
export interface OrderLineRecord {
  id: number;
  orderId: number;
  productId: number;
  /** `product_uom_qty`, as Odoo sends it (a float). */
  quantity: number;
  /** `price_unit` in minor units. */
  priceUnit: number;
  /** `price_subtotal` (quantity × unit price, after any discount) in minor units. */
  priceSubtotal: number;
  currency: string | null;
}

/** account.move. */
export interface InvoiceRecord {
  id: number;
  /** The invoice number, e.g. INV/2026/00042 ('/' while a draft). */
  name: string;
  /** out_invoice for customer invoices; the connector reads others only to refuse them. */
  moveType: string;
  /** draft, posted or cancel. */
  state: string;
  partnerId: number | null;
  /** `invoice_date`, YYYY-MM-DD. */
  invoiceDate: string | null;
  /** `invoice_date_due`, YYYY-MM-DD. */
  invoiceDateDue: string | null;
  /** `invoice_origin`: the order reference(s) the invoice bills, e.g. "S00042". */
  origin: string | null;
  currency: string | null;
  /** `amount_total` in minor units. */
  amountTotal: number;
  /** `amount_residual` (what is left to pay) in minor units. */
  amountResidual: number;
  /** not_paid, in_payment, paid, partial, reversed, invoicing_legacy. */
  paymentState: string | null;
}

/** A customer as this subgraph sees it: only its id (the CRM company id); everything else loads by it. */
export interface CustomerRefModel {
  id: string;
}

export type ProductModel = ProductRecord;
export type OrderModel = OrderRecord;
export type OrderLineModel = OrderLineRecord;
export type InvoiceModel = InvoiceRecord;
