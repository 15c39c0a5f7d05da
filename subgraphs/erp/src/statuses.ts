/**
 * Odoo's states as the graph's enums. An invoice's status is not one Odoo field: it
 * combines the payment state with the due date, read against today's date in UTC (the
 * date Odoo stores its dates in), fixed once per request so that one answer never mixes
 * two days.
 */
import { BackendError } from '../../kit/src/index.js';
import type { InvoiceStatus, OrderStatus } from './__generated__/resolvers-types.js';
import type { InvoiceRecord, OrderRecord } from './models.js';

const ORDER_STATUS: Readonly<Record<string, OrderStatus>> = {
  draft: 'DRAFT',
  sent: 'SENT',
  sale: 'CONFIRMED',
  // Odoo ≤ 16's locked orders; Odoo 17 keeps them in `sale` with a lock flag.
  done: 'CONFIRMED',
  cancel: 'CANCELLED',
};

export function orderStatusOf(order: Pick<OrderRecord, 'id' | 'state'>): OrderStatus {
  const status = ORDER_STATUS[order.state];
  if (!status)
    throw new BackendError('BACKEND_ERROR', `Sales order ${order.id} is in the state "${order.state}", which this graph does not know`, { backend: 'erp' });
  return status;
}

/** The Odoo states an OrderStatus stands for, to filter a customer's orders. */
export function orderStatesFor(status: OrderStatus): string[] {
  return Object.entries(ORDER_STATUS)
    .filter(([, value]) => value === status)
    .map(([state]) => state);
}

/** Payment states after which nothing is left to pay: paid, paid by a payment not yet reconciled, or reversed by a credit note. */
const SETTLED = new Set(['paid', 'in_payment', 'reversed']);

/** Today's date in UTC, YYYY-MM-DD. */
export function utcDate(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/**
 * PAID when nothing is left to pay; else OVERDUE once the due date (or, without one, the
 * invoice date) is before `today`; else PARTIALLY_PAID when part is paid; else OPEN.
 */
export function invoiceStatusOf(
  invoice: Pick<InvoiceRecord, 'paymentState' | 'amountResidual' | 'invoiceDateDue' | 'invoiceDate'>,
  today: string,
): InvoiceStatus {
  if ((invoice.paymentState !== null && SETTLED.has(invoice.paymentState)) || invoice.amountResidual <= 0) return 'PAID';
  const due = invoice.invoiceDateDue ?? invoice.invoiceDate;
  if (due !== null && due < today) return 'OVERDUE';
  return invoice.paymentState === 'partial' ? 'PARTIALLY_PAID' : 'OPEN';
}
