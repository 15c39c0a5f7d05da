/**
 * The shapes resolvers pass between each other: Stripe objects parsed once by the
 * connector into what the graph needs, with amounts in minor units and the GraphQL
 * currency and status names already applied. Codegen maps the GraphQL types to these.
 */
import type { CurrencyCode, PaymentEventType, PaymentStatus, RefundStatus } from './__generated__/resolvers-types.js';

/** A Customer reference: the CRM company id; every field loads through a loader. */
export interface CustomerRefModel {
  id: string;
}

/** An Invoice reference: the ERP invoice id. */
export interface InvoiceRefModel {
  id: string;
}

export interface PaymentMethodModel {
  /** pm_… */
  id: string;
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
}

/** The Stripe customer behind a CRM company. */
export interface StripeCustomerModel {
  /** cus_… */
  id: string;
  /** metadata.crm_company_id */
  companyId: string;
  /** invoice_settings.default_payment_method, expanded with the customer. */
  defaultPaymentMethod: PaymentMethodModel | null;
  created: number;
}

export interface PaymentModel {
  /** pi_… */
  id: string;
  amount: number;
  currency: CurrencyCode;
  /**
   * From the latest charge, expanded with the intent; null when the charge was not
   * expanded (then the refunds are summed instead).
   */
  amountRefunded: number | null;
  status: PaymentStatus;
  /** Unix seconds, as Stripe gives it; kept for ordering. */
  created: number;
  /** metadata.erp_invoice_id */
  invoiceId: string | null;
  /** metadata.crm_company_id, or the expanded customer's. */
  companyId: string | null;
  /** cus_… */
  stripeCustomerId: string | null;
  paymentMethod: PaymentMethodModel | null;
  failureCode: string | null;
  /** metadata.idempotency_key: the key of the payInvoice request that made it (payInvoice finds its own earlier attempt by it). */
  idempotencyKey?: string | null;
}

export interface RefundModel {
  /** re_… */
  id: string;
  amount: number;
  currency: CurrencyCode;
  status: RefundStatus;
  created: number;
}

/**
 * A payment event as it is published (events/): plain JSON, so that it can cross Redis
 * to every replica's subscribers. PaymentEvent's resolvers read it.
 */
export interface PaymentEventModel {
  /** evt_…, or `<evt_… of the payment_intent.succeeded>:reconciled`. */
  id: string;
  type: PaymentEventType;
  /** Unix seconds: the provider event's `created`, or when the reconciliation was seen. */
  created: number;
  payment: PaymentModel;
  /** metadata.erp_invoice_id of the intent; null when the payment is for no invoice. */
  invoiceId: string | null;
  /** metadata.crm_company_id of the intent (events without one are not published). */
  customerId: string;
}
