/**
 * Order: a sale.order. Its lines, customer and invoices load through loaders keyed by
 * the order's own ids, batching across every order of the request.
 */
import type { OrderResolvers } from '../__generated__/resolvers-types.js';
import { parseOdooId } from '../loaders.js';
import type { InvoiceModel } from '../models.js';
import { money } from '../money.js';
import { orderStatusOf } from '../statuses.js';
import { currencyOf, customerOfPartner, ownedBy } from './shared.js';

export const Order: OrderResolvers = {
  __resolveReference: async (reference, context) => {
    const id = parseOdooId(reference.id);
    return id === null ? null : ownedBy(await context.loaders.orderById.load(id), context);
  },
  id: (order) => String(order.id),
  number: (order) => order.name,
  placedAt: (order) => order.dateOrder,
  status: (order) => orderStatusOf(order),
  total: (order) => money(order.amountTotal, currencyOf(order.currency, `Sales order ${order.name}`), `The total of ${order.name}`),
  lines: (order, _args, { loaders }) => loaders.linesByOrderId.load(order.id),
  customer: (order, _args, { loaders }) => customerOfPartner(order.partnerId, loaders, `Sales order ${order.name}`),
  invoices: async (order, _args, { loaders }) => {
    // Odoo's invoice_ids also lists credit notes and drafts; the loader answers null for those.
    const invoices = await loaders.invoiceById.loadMany(order.invoiceIds);
    const failed = invoices.find((invoice) => invoice instanceof Error);
    if (failed) throw failed;
    return invoices.filter((invoice): invoice is InvoiceModel => invoice !== null && !(invoice instanceof Error));
  },
};
