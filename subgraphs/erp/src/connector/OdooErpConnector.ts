/**
 * The ERP's typed client: Odoo's external API over XML-RPC (`/xmlrpc/2/common` to log
 * in, `/xmlrpc/2/object` execute_kw for everything else), every call under the backend
 * policy (a timeout per attempt through its AbortSignal, retries where a repeat is safe,
 * one breaker).
 *
 * It logs in lazily, once, and keeps the uid; when Odoo answers AccessDenied (the uid of
 * a restored database, a rotated API key) it logs in again, once, and repeats the call:
 * Odoo checks the credentials before it runs anything, so that repeat is safe even for a
 * create. Reads (search_read, read, search_count) and writes of absolute values are
 * retried; `create` never is: Odoo has no idempotency key, so a create whose answer was
 * lost may have happened, and sending it again could make a second order.
 *
 * Every method that takes many ids is one call (or one per MAX_IDS_PER_CALL ids), never
 * one per id: the loaders rely on it to keep a query's backend cost constant. Each names
 * the fields it reads (records.ts): Odoo would otherwise send every field, computed ones
 * included.
 */
import type { Logger } from 'pino';
import { BackendError, isUnknownMethodFault, malformed, OdooClient, readRecords, type BackendPolicy, type OdooClientOptions } from '../../../kit/src/index.js';
import type { XmlRpcStruct, XmlRpcValue } from '../../../../lib/xmlrpc/index.js';
import type { InvoiceRecord, OrderLineRecord, OrderRecord, PartnerRecord, ProductRecord } from '../models.js';
import { INVOICE_FIELDS, LINE_FIELDS, ORDER_FIELDS, PARTNER_FIELDS, PRODUCT_FIELDS, toInvoice, toOrder, toOrderLine, toPartner, toProduct } from './records.js';

/**
 * Ids (or refs) per `in` domain or read. Odoo has no batch limit of its own, but the
 * reverse proxy in front of it does limit request bodies (nginx: 1 MiB by default); an id
 * takes about 32 bytes of XML-RPC, so 5,000 of them stay near 160 KB.
 */
export const MAX_IDS_PER_CALL = 5000;

/** Orders newest first, as Odoo's own sale.order `_order`; the id makes it total. */
export const ORDER_ORDER = 'date_order desc, id desc';
/** Invoices newest first, as Odoo's account.move `_order`. */
export const INVOICE_ORDER = 'invoice_date desc, name desc, id desc';
/** The catalog by SKU; the id makes the order total, so offsets page it consistently. */
export const PRODUCT_ORDER = 'default_code, name, id';

/** Where Odoo is, who we are there, and the policy every call runs under (the kit's OdooClient's options). */
export type OdooErpConnectorOptions = OdooClientOptions;

export interface ProductFilter {
  /** Text that the name or the SKU contains, case-insensitively; null for all. */
  search: string | null;
  inStockOnly: boolean;
}

export interface NewOrderLine {
  productId: number;
  quantity: number;
}

/** How a new order is confirmed: unknown until the first order, then what the server supports. */
type ConfirmBy = 'unknown' | 'action_confirm' | 'state';

type Domain = XmlRpcValue[];

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export class OdooErpConnector {
  readonly policy: BackendPolicy;
  private readonly client: OdooClient;
  private readonly logger: Logger;
  private confirmBy: ConfirmBy = 'unknown';

  constructor(options: OdooErpConnectorOptions) {
    this.policy = options.policy;
    this.logger = options.logger;
    this.client = new OdooClient(options);
  }

  /** Partners whose `ref` (the CRM company id) is one of `refs`, in id order. Archived partners are left out. */
  async partnersByRefs(refs: readonly string[]): Promise<PartnerRecord[]> {
    return this.searchReadIn('res.partner', 'ref', refs, [], PARTNER_FIELDS, 'id', toPartner);
  }

  /** Partners by id; ids Odoo does not know are absent. */
  async readPartners(ids: readonly number[]): Promise<PartnerRecord[]> {
    return this.readIds('res.partner', ids, PARTNER_FIELDS, toPartner);
  }

  /** Every sales order (and quotation) of these partners, newest first. */
  async ordersOfPartners(partnerIds: readonly number[]): Promise<OrderRecord[]> {
    return this.searchReadIn('sale.order', 'partner_id', partnerIds, [], ORDER_FIELDS, ORDER_ORDER, toOrder);
  }

  async readOrders(ids: readonly number[]): Promise<OrderRecord[]> {
    return this.readIds('sale.order', ids, ORDER_FIELDS, toOrder);
  }

  /** Orders by reference (S00042), for an invoice's `invoice_origin`. */
  async ordersByNames(names: readonly string[]): Promise<OrderRecord[]> {
    return this.searchReadIn('sale.order', 'name', names, [], ORDER_FIELDS, ORDER_ORDER, toOrder);
  }

  /** The product lines of these orders, in Odoo's line order (section and note lines are left out). */
  async linesOfOrders(orderIds: readonly number[]): Promise<OrderLineRecord[]> {
    const lines = await this.searchReadIn('sale.order.line', 'order_id', orderIds, [], LINE_FIELDS, null, toOrderLine);
    return lines.filter((line): line is OrderLineRecord => line !== null);
  }

  /** The posted customer invoices of these partners, newest first. */
  async invoicesOfPartners(partnerIds: readonly number[]): Promise<InvoiceRecord[]> {
    const customerInvoices: Domain = [
      ['move_type', '=', 'out_invoice'],
      ['state', '=', 'posted'],
    ];
    return this.searchReadIn('account.move', 'partner_id', partnerIds, customerInvoices, INVOICE_FIELDS, INVOICE_ORDER, toInvoice);
  }

  /** Journal entries by id, whatever their type; the caller keeps the customer invoices. */
  async readInvoices(ids: readonly number[]): Promise<InvoiceRecord[]> {
    return this.readIds('account.move', ids, INVOICE_FIELDS, toInvoice);
  }

  async readProducts(ids: readonly number[]): Promise<ProductRecord[]> {
    return this.readIds('product.product', ids, PRODUCT_FIELDS, toProduct);
  }

  /** One page of the catalog, by SKU. */
  async searchProducts(filter: ProductFilter, offset: number, limit: number): Promise<ProductRecord[]> {
    const value = await this.executeKw(
      'product.product',
      'search_read',
      [productDomain(filter)],
      { fields: PRODUCT_FIELDS, order: PRODUCT_ORDER, offset, limit },
      true,
    );
    return readRecords(value, 'product.product').map(toProduct);
  }

  async countProducts(filter: ProductFilter): Promise<number> {
    const value = await this.executeKw('product.product', 'search_count', [productDomain(filter)], {}, true);
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw malformed('search_count answered something other than a count');
    return value;
  }

  /**
   * Creates a sales order at list prices (Odoo fills the unit price from the customer's
   * pricelist) and confirms it; resolves with its id.
   *
   * Odoo confirms an order with sale.order's `action_confirm` (which also starts its
   * deliveries). A server without that method (the ERP sandbox, which serves no
   * `action_*`) answers AttributeError; then the order is confirmed by writing its state
   * `sale`, and later orders are created in that state in one call.
   *
   * The create is sent once, never retried. If it fails with BACKEND_UNAVAILABLE the
   * order may or may not exist (see the README). If the create succeeded but the
   * confirmation failed, the error says so and names the order, which is then a quotation.
   */
  async createSalesOrder(partnerId: number, lines: readonly NewOrderLine[], origin?: string): Promise<number> {
    const vals = {
      partner_id: partnerId,
      order_line: lines.map((line) => [0, 0, { product_id: line.productId, product_uom_qty: line.quantity }]),
      ...(origin !== undefined ? { origin } : {}),
    };
    if (this.confirmBy === 'state') return this.create('sale.order', { ...vals, state: 'sale' });
    const id = await this.create('sale.order', vals);
    try {
      await this.confirm(id);
    } catch (error) {
      if (!(error instanceof BackendError)) throw error;
      this.logger.error({ orderId: id, code: error.code, reason: error.message }, 'ERP sales order created but not confirmed');
      throw new BackendError(error.code, `Sales order ${id} was created in the ERP as a quotation but could not be confirmed: ${error.message}`, {
        backend: 'erp',
        details: { ...error.details, orderId: String(id) },
        cause: error,
      });
    }
    return id;
  }

  /**
   * The partner's newest order whose `origin` (Odoo's "Source Document") is `origin`, or
   * undefined: how createSalesOrder finds the order an idempotency key already made.
   */
  async orderByOrigin(partnerId: number, origin: string): Promise<OrderRecord | undefined> {
    const value = await this.executeKw(
      'sale.order',
      'search_read',
      [
        [
          ['partner_id', '=', partnerId],
          ['origin', '=', origin],
        ],
      ],
      { fields: ORDER_FIELDS, order: ORDER_ORDER, limit: 1 },
      true,
    );
    return readRecords(value, 'sale.order').map(toOrder)[0];
  }

  /** Confirms a quotation (an order created earlier whose confirmation failed). */
  async confirmOrder(id: number): Promise<void> {
    await this.confirm(id);
  }

  /** Closes the keep-alive connections. */
  async close(): Promise<void> {
    await this.client.close();
  }

  private async confirm(id: number): Promise<void> {
    if (this.confirmBy !== 'state') {
      try {
        // Not retried: confirming twice is refused by Odoo ("not in a state requiring confirmation").
        await this.executeKw('sale.order', 'action_confirm', [[id]], {}, false);
        this.confirmBy = 'action_confirm';
        return;
      } catch (error) {
        if (!isUnknownMethodFault(error, 'action_confirm')) throw error;
        this.confirmBy = 'state';
        this.logger.info('the ERP has no sale.order.action_confirm; orders are confirmed by writing their state');
      }
    }
    // An absolute value: writing it twice leaves the order as writing it once does.
    await this.executeKw('sale.order', 'write', [[id], { state: 'sale' }], {}, true);
  }

  private async create(model: string, vals: Record<string, XmlRpcValue>): Promise<number> {
    const value = await this.executeKw(model, 'create', [vals], {}, false);
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw malformed(`${model}.create answered something other than an id`);
    return value;
  }

  /** search_read with `[field, 'in', values]` (and `extra`), one call per MAX_IDS_PER_CALL values. */
  private async searchReadIn<K extends string | number, R>(
    model: string,
    field: string,
    values: readonly K[],
    extra: Domain,
    fields: string[],
    order: string | null,
    parse: (record: XmlRpcStruct) => R,
  ): Promise<R[]> {
    const unique = [...new Set(values)];
    if (unique.length === 0) return [];
    const pages = await Promise.all(
      chunks(unique, MAX_IDS_PER_CALL).map((part) =>
        this.executeKw(model, 'search_read', [[...extra, [field, 'in', part]]], order === null ? { fields } : { fields, order }, true),
      ),
    );
    return pages.flatMap((page) => readRecords(page, model).map(parse));
  }

  private async readIds<R>(model: string, ids: readonly number[], fields: string[], parse: (record: XmlRpcStruct) => R): Promise<R[]> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return [];
    const pages = await Promise.all(chunks(unique, MAX_IDS_PER_CALL).map((part) => this.executeKw(model, 'read', [part], { fields }, true)));
    return pages.flatMap((page) => readRecords(page, model).map(parse));
  }

  private executeKw(model: string, method: string, args: XmlRpcValue[], kwargs: Record<string, XmlRpcValue>, retry: boolean): Promise<XmlRpcValue> {
    return this.client.executeKw(model, method, args, kwargs, retry);
  }
}

function productDomain(filter: ProductFilter): Domain {
  const domain: Domain = [];
  if (filter.search !== null) domain.push('|', ['name', 'ilike', filter.search], ['default_code', 'ilike', filter.search]);
  if (filter.inStockOnly) domain.push(['qty_available', '>', 0]);
  return domain;
}
