/**
 * What the page says for the graph's enum values and codes. Each map is typed by the
 * generated enum, so a value added to the schema fails the typecheck until it has a label.
 */
import type { InvoiceStatus, LifecycleStage, OrderStatus, PaymentEventType, PaymentStatus } from '../../__generated__/graphql.js';

export const lifecycleStageLabel: Record<LifecycleStage, string> = {
  LEAD: 'Lead',
  MARKETING_QUALIFIED_LEAD: 'Marketing-qualified lead',
  SALES_QUALIFIED_LEAD: 'Sales-qualified lead',
  OPPORTUNITY: 'Opportunity',
  CUSTOMER: 'Customer',
  EVANGELIST: 'Evangelist',
  OTHER: 'Other',
};

export const orderStatusLabel: Record<OrderStatus, string> = {
  DRAFT: 'Quotation',
  SENT: 'Quotation sent',
  CONFIRMED: 'Confirmed',
  CANCELLED: 'Cancelled',
};

export const invoiceStatusLabel: Record<InvoiceStatus, string> = {
  OPEN: 'Open',
  OVERDUE: 'Overdue',
  PARTIALLY_PAID: 'Partly paid',
  PAID: 'Paid',
};

export const paymentStatusLabel: Record<PaymentStatus, string> = {
  SUCCEEDED: 'Succeeded',
  PROCESSING: 'Processing',
  FAILED: 'Failed',
  REQUIRES_ACTION: 'Needs action',
  CANCELED: 'Cancelled',
};

/** What the pay panel says for each live payment event (InvoicePaymentEvents). */
export const paymentEventTypeLabel: Record<PaymentEventType, string> = {
  PAYMENT_SUCCEEDED: 'Payment succeeded',
  PAYMENT_FAILED: 'Payment failed',
  PAYMENT_REFUNDED: 'Payment refunded',
  PAYMENT_CANCELED: 'Payment cancelled',
  INVOICE_RECONCILED: 'Reconciled in the ERP',
};

/** A CRM industry code as words: COMPUTER_SOFTWARE -> Computer software. */
export function industryLabel(industry: string): string {
  const words = industry.toLowerCase().replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
