/**
 * The request's DataLoaders: every lookup a query makes, however many entities the
 * gateway sends in one `_entities` request, becomes one backend call per kind of lookup
 * (one per MAX_IDS_PER_CALL keys; Odoo itself has no batch limit).
 *
 * Backend calls for one `_entities` batch of N customers (O orders and I invoices in all,
 * L product lines on the orders of the pages asked for, P distinct products on them):
 *   partnersByRef         1   res.partner search_read  [ref in N refs]
 *   ordersByCustomerId    1   sale.order search_read   [partner_id in partners], all their orders
 *   invoicesByCustomerId  1   account.move search_read [out_invoice, posted, partner_id in partners]
 *   linesByOrderId        1   sale.order.line search_read [order_id in the page's orders]
 *   productById           0-1 product.product read of the products not in the catalog cache
 * so 5 calls for any N (while every list stays under 5,000 ids). The orders and invoices
 * calls fetch every order and invoice of the N customers, not only the pages asked for:
 * paging and status filters are applied per customer in memory, so a call carries O
 * (resp. I) records, about N × 10 (resp. N × 8) at the seed's density. See the README.
 *
 * Batch functions answer one value per key, in key order: a customer the ERP does not
 * know has no orders and no invoices, an id Odoo does not know is null, and a failed
 * lookup is an Error for every key it would have answered.
 */
import DataLoader from 'dataloader';
import type Keyv from 'keyv';
import { readThroughMany, tracedBatch } from '../../kit/src/index.js';
import type { OdooErpConnector } from './connector/OdooErpConnector.js';
import type { InvoiceRecord, OrderLineRecord, OrderRecord, PartnerRecord, ProductRecord } from './models.js';

export interface ErpLoaders {
  /** The partners carrying each CRM company id (usually one; none when the ERP does not know the customer). */
  partnersByRef: DataLoader<string, PartnerRecord[]>;
  partnerById: DataLoader<number, PartnerRecord | null>;
  ordersByCustomerId: DataLoader<string, OrderRecord[]>;
  orderById: DataLoader<number, OrderRecord | null>;
  /** An order by its reference (S00042), for an invoice's origin. */
  orderByName: DataLoader<string, OrderRecord | null>;
  linesByOrderId: DataLoader<number, OrderLineRecord[]>;
  invoicesByCustomerId: DataLoader<string, InvoiceRecord[]>;
  /** Posted customer invoices by id; null for any other journal entry (a vendor bill is not the graph's). */
  invoiceById: DataLoader<number, InvoiceRecord | null>;
  /** Products through the shared catalog cache. */
  productById: DataLoader<number, ProductRecord | null>;
}

export interface CatalogCache {
  cache: Keyv;
  ttlMs: number;
  onError: (error: unknown) => void;
}

/** Odoo ids are PostgreSQL integers; anything else cannot name a record and is never sent. */
export function parseOdooId(id: string | number): number | null {
  const text = String(id);
  if (!/^[1-9]\d{0,9}$/.test(text)) return null;
  const value = Number(text);
  return value <= 2 ** 31 - 1 ? value : null;
}

/** Not cached: a product created after a miss must show up at once, not after the TTL. */
class ProductMissing extends Error {}

function byId<T extends { id: number }>(records: readonly T[]): Map<number, T> {
  return new Map(records.map((record) => [record.id, record]));
}

/**
 * Spreads records over the customers whose partners they belong to, keeping Odoo's order.
 * A failed partner lookup is that customer's answer too.
 */
function perCustomer<T>(partners: ReadonlyArray<PartnerRecord[] | Error>, records: readonly T[], partnerOf: (record: T) => number | null): Array<T[] | Error> {
  const owners = new Map<number, number[]>();
  partners.forEach((list, i) => {
    if (list instanceof Error) return;
    for (const partner of list) owners.set(partner.id, [...(owners.get(partner.id) ?? []), i]);
  });
  const out: Array<T[] | Error> = partners.map((list) => (list instanceof Error ? list : []));
  for (const record of records) {
    const partnerId = partnerOf(record);
    for (const i of partnerId === null ? [] : (owners.get(partnerId) ?? [])) (out[i] as T[]).push(record);
  }
  return out;
}

function partnerIdsOf(partners: ReadonlyArray<PartnerRecord[] | Error>): number[] {
  return partners.flatMap((list) => (list instanceof Error ? [] : list.map((partner) => partner.id)));
}

export function createLoaders(connector: OdooErpConnector, catalog: CatalogCache): ErpLoaders {
  const partnerById = new DataLoader<number, PartnerRecord | null>(
    tracedBatch('partnerById', async (ids) => {
      const found = byId(await connector.readPartners(ids));
      return ids.map((id) => found.get(id) ?? null);
    }),
  );

  const partnersByRef = new DataLoader<string, PartnerRecord[]>(
    tracedBatch('partnersByRef', async (refs) => {
      const partners = await connector.partnersByRefs(refs);
      for (const partner of partners) partnerById.prime(partner.id, partner);
      return refs.map((ref) => partners.filter((partner) => partner.ref === ref));
    }),
  );

  const orderById = new DataLoader<number, OrderRecord | null>(
    tracedBatch('orderById', async (ids) => {
      const found = byId(await connector.readOrders(ids));
      return ids.map((id) => found.get(id) ?? null);
    }),
  );

  const ordersByCustomerId = new DataLoader<string, OrderRecord[]>(
    tracedBatch('ordersByCustomerId', async (refs) => {
      const partners = await partnersByRef.loadMany(refs);
      const partnerIds = partnerIdsOf(partners);
      const orders = partnerIds.length > 0 ? await connector.ordersOfPartners(partnerIds) : [];
      // A later lookup of one of these by id in this request (Query.order) needs no call.
      for (const order of orders) orderById.prime(order.id, order);
      return perCustomer(partners, orders, (order) => order.partnerId);
    }),
  );

  const invoiceById = new DataLoader<number, InvoiceRecord | null>(
    tracedBatch('invoiceById', async (ids) => {
      const found = byId(await connector.readInvoices(ids));
      return ids.map((id) => {
        const invoice = found.get(id);
        return invoice && invoice.moveType === 'out_invoice' && invoice.state === 'posted' ? invoice : null;
      });
    }),
  );

  const invoicesByCustomerId = new DataLoader<string, InvoiceRecord[]>(
    tracedBatch('invoicesByCustomerId', async (refs) => {
      const partners = await partnersByRef.loadMany(refs);
      const partnerIds = partnerIdsOf(partners);
      const invoices = partnerIds.length > 0 ? await connector.invoicesOfPartners(partnerIds) : [];
      // invoiceById is not primed from here: Order.invoices runs while this call may still be
      // in flight, so priming would make its cost depend on which answer came first.
      return perCustomer(partners, invoices, (invoice) => invoice.partnerId);
    }),
  );

  const orderByName = new DataLoader<string, OrderRecord | null>(
    tracedBatch('orderByName', async (names) => {
      const orders = await connector.ordersByNames(names);
      return names.map((name) => orders.find((order) => order.name === name) ?? null);
    }),
  );

  const linesByOrderId = new DataLoader<number, OrderLineRecord[]>(
    tracedBatch('linesByOrderId', async (orderIds) => {
      const lines = await connector.linesOfOrders(orderIds);
      const byOrder = new Map<number, OrderLineRecord[]>();
      for (const line of lines) byOrder.set(line.orderId, [...(byOrder.get(line.orderId) ?? []), line]);
      return orderIds.map((id) => byOrder.get(id) ?? []);
    }),
  );

  const productById = new DataLoader<number, ProductRecord | null>(
    tracedBatch('productById', async (ids) => {
      const values = await readThroughMany<ProductRecord>(
        catalog.cache,
        ids.map(String),
        catalog.ttlMs,
        async (missing) => {
          try {
            const found = byId(await connector.readProducts(missing.map(Number)));
            return missing.map((key) => found.get(Number(key)) ?? new ProductMissing(key));
          } catch (error) {
            // Products the cache holds are still served; only the ones it lacked fail.
            return missing.map(() => (error instanceof Error ? error : new Error(String(error))));
          }
        },
        catalog.onError,
      );
      return values.map((value) => (value instanceof ProductMissing ? null : value));
    }),
  );

  return { partnersByRef, partnerById, ordersByCustomerId, orderById, orderByName, linesByOrderId, invoicesByCustomerId, invoiceById, productById };
}
