/**
 * Rules more than one type's resolvers need: a currency the graph can name, and the
 * customer (CRM company id) behind an Odoo partner.
 */
import { BackendError } from '../../../kit/src/index.js';
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
