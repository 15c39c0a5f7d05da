/**
 * Customer: the ERP's side of a CRM company, found through the partner whose `ref` is the
 * company id. Its lists load through loaders keyed by that id, so the orders and invoices
 * of every customer in one request come from one call each; paging and status filters
 * are applied here, per customer, to what those calls returned.
 */
import { BackendError, requireCustomer } from '../../../kit/src/index.js';
import type { CustomerResolvers } from '../__generated__/resolvers-types.js';
import { money } from '../money.js';
import { offsetPage, pageOf } from '../pagination.js';
import { invoiceStatusOf, orderStatesFor } from '../statuses.js';
import { currencyOf } from './shared.js';

export const Customer: CustomerResolvers = {
  // Nothing to load: the customer is its id. Its partner is looked up (batched) only by the
  // fields that need it, and a company the ERP does not know is a customer with no orders,
  // not a missing entity, so the CRM's fields of it still resolve through the gateway.
  // A caller bound to one customer (kit/auth.ts) may reach no other.
  __resolveReference: (reference, context) => {
    requireCustomer(context, String(reference.id));
    return { id: String(reference.id) };
  },
  orders: async (customer, { first, after, status }, { loaders }) => {
    const page = offsetPage(first, after);
    const orders = await loaders.ordersByCustomerId.load(customer.id);
    if (!status) return pageOf(orders, page);
    const states = orderStatesFor(status);
    return pageOf(
      orders.filter((order) => states.includes(order.state)),
      page,
    );
  },
  invoices: async (customer, { first, after, status }, { loaders, today }) => {
    const page = offsetPage(first, after);
    const invoices = await loaders.invoicesByCustomerId.load(customer.id);
    if (status === null || status === undefined) return pageOf(invoices, page);
    const wanted = new Set(status);
    return pageOf(
      invoices.filter((invoice) => wanted.has(invoiceStatusOf(invoice, today))),
      page,
    );
  },
  outstandingBalance: async (customer, _args, { loaders, companyCurrency }) => {
    const invoices = await loaders.invoicesByCustomerId.load(customer.id);
    // No invoice, nothing owed; Odoo does not expose a partner's currency over the
    // sandbox's protocol subset, so a zero is in the company currency.
    if (invoices.length === 0) return money(0, companyCurrency);
    const currencies = new Set(invoices.map((invoice) => invoice.currency));
    if (currencies.size > 1) {
      throw new BackendError(
        'BACKEND_ERROR',
        `Customer ${customer.id} has invoices in several currencies (${[...currencies].join(', ')}); they cannot be added up`,
        { backend: 'erp' },
      );
    }
    const currency = currencyOf(invoices[0]!.currency, `Customer ${customer.id}'s invoicing`);
    const due = invoices.reduce((sum, invoice) => sum + invoice.amountResidual, 0);
    return money(due, currency, `The outstanding balance of customer ${customer.id}`);
  },
};
