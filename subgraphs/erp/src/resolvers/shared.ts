/**
 * Rules more than one type's resolvers need: a currency the graph can name, and the
 * customer (CRM company id) behind an Odoo partner.
 */
import { BackendError, requireCustomer } from '../../../kit/src/index.js';
import type { ErpContext } from '../context.js';
import type { ErpLoaders } from '../loaders.js';
import { isCurrencyCode, type CurrencyCode, type CustomerRefModel } from '../models.js';

/** `code` as a CurrencyCode, or a field error naming `what` when Odoo sent another (or none). */
export function currencyOf(code: string | null, what: string): CurrencyCode {
  if (isCurrencyCode(code)) return code;
  throw new BackendError('BACKEND_ERROR', `${what} is in ${code ?? 'no currency'}, which this graph does not support`, { backend: 'erp' });
}

/**
 * The customer an order or invoice belongs to: its partner's `ref`. Free when the record
 * was reached through a customer (the partner loader is primed); one batched read of
 * res.partner otherwise.
 */
export async function customerOfPartner(partnerId: number | null, loaders: ErpLoaders, what: string): Promise<CustomerRefModel> {
  const partner = partnerId === null ? null : await loaders.partnerById.load(partnerId);
  if (partner?.ref) return { id: partner.ref };
  throw new BackendError('BACKEND_ERROR', `${what} belongs to ERP partner ${partnerId ?? '(none)'}, which has no CRM company id (ref)`, { backend: 'erp' });
}

/**
 * `record` if the caller may see it: a caller bound to one customer (kit/auth.ts) gets
 * FORBIDDEN for another customer's order or invoice (its partner's `ref` is the owner).
 */
export async function ownedBy<T extends { partnerId: number | null }>(record: T | null, context: ErpContext): Promise<T | null> {
  if (record === null || context.auth.customerId === undefined) return record;
  const partner = record.partnerId === null ? null : await context.loaders.partnerById.load(record.partnerId);
  requireCustomer(context, partner?.ref);
  return record;
}
