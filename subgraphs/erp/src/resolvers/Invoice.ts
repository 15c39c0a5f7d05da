/**
 * Invoice: a posted customer invoice (account.move of type out_invoice). Its status
 * combines Odoo's payment state with the due date (statuses.ts); its order is the one its
 * `invoice_origin` names.
 */
import { BackendError } from '../../../kit/src/index.js';
import type { InvoiceResolvers } from '../__generated__/resolvers-types.js';
import { parseOdooId } from '../loaders.js';
import { money } from '../money.js';
import { invoiceStatusOf } from '../statuses.js';
import { currencyOf, customerOfPartner, ownedBy } from './shared.js';

/** A single order reference; Odoo writes "S00001, S00002" when one invoice bills several orders. */
const ORDER_REFERENCE = /^[^,\s]+$/;

export const Invoice: InvoiceResolvers = {
  __resolveReference: async (reference, context) => {
    const id = parseOdooId(reference.id);
    return id === null ? null : ownedBy(await context.loaders.invoiceById.load(id), context);
  },
  id: (invoice) => String(invoice.id),
  number: (invoice) => invoice.name,
  issuedAt: (invoice) => {
    if (invoice.invoiceDate !== null) return invoice.invoiceDate;
    throw new BackendError('BACKEND_ERROR', `Invoice ${invoice.name} has no invoice date`, { backend: 'erp' });
  },
  // Odoo leaves the due date empty only when there are no payment terms: due at once.
  dueAt: (invoice) => {
    const due = invoice.invoiceDateDue ?? invoice.invoiceDate;
    if (due !== null) return due;
    throw new BackendError('BACKEND_ERROR', `Invoice ${invoice.name} has no due date`, { backend: 'erp' });
  },
  total: (invoice) => money(invoice.amountTotal, currencyOf(invoice.currency, `Invoice ${invoice.name}`), `The total of ${invoice.name}`),
  amountDue: (invoice) => money(invoice.amountResidual, currencyOf(invoice.currency, `Invoice ${invoice.name}`), `The amount due on ${invoice.name}`),
  status: (invoice, _args, { today }) => invoiceStatusOf(invoice, today),
  order: (invoice, _args, { loaders }) => {
    const origin = invoice.origin?.trim() ?? '';
    return ORDER_REFERENCE.test(origin) ? loaders.orderByName.load(origin) : null;
  },
  customer: (invoice, _args, { loaders }) => customerOfPartner(invoice.partnerId, loaders, `Invoice ${invoice.name}`),
};
