/**
 * What the sandbox stores: compact records, one collection per resource. The Stripe
 * objects clients see are built from them by serializers.ts, so that fields Stripe
 * always sends as null or defaults do not fill the database file.
 *
 * Records are replaced, never edited in place: Table.put() compares old and new index
 * keys, and the collection keeps the object it was given.
 */
import type { Metadata } from './params.js';

/** Every stored record: its id and its creation time in unix seconds. */
export interface BaseRecord {
  id: string;
  created: number;
}

export interface CustomerRecord extends BaseRecord {
  name: string | null;
  email: string | null;
  phone: string | null;
  description: string | null;
  metadata: Metadata;
  invoicePrefix: string;
  defaultPaymentMethod: string | null;
  deleted: boolean;
}

/** How a card behaves when charged: Stripe's test cards decline in set ways. */
export interface CardDecline {
  /** The error code: card_declined, expired_card, incorrect_cvc, processing_error. */
  code: string;
  declineCode: string;
  message: string;
}

export interface PaymentMethodRecord extends BaseRecord {
  customer: string | null;
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
  funding: string;
  country: string;
  fingerprint: string;
  metadata: Metadata;
  /** Set for test cards that decline; never shown to clients. */
  decline: CardDecline | null;
}

export interface PaymentErrorRecord {
  code: string;
  declineCode: string | null;
  message: string;
  charge: string | null;
  paymentMethod: string | null;
}

export type PaymentIntentStatus = 'requires_payment_method' | 'requires_confirmation' | 'succeeded' | 'canceled';

export interface PaymentIntentRecord extends BaseRecord {
  amount: number;
  currency: string;
  customer: string | null;
  paymentMethod: string | null;
  description: string | null;
  receiptEmail: string | null;
  metadata: Metadata;
  status: PaymentIntentStatus;
  amountReceived: number;
  latestCharge: string | null;
  lastPaymentError: PaymentErrorRecord | null;
  canceledAt: number | null;
  cancellationReason: string | null;
  clientSecret: string;
  /** Null when the intent was created with explicit payment_method_types. */
  automaticPaymentMethods: { enabled: boolean; allowRedirects: string } | null;
  paymentMethodTypes: string[];
  statementDescriptor: string | null;
}

export interface ChargeRecord extends BaseRecord {
  amount: number;
  amountRefunded: number;
  currency: string;
  customer: string | null;
  paymentIntent: string;
  paymentMethod: string;
  status: 'succeeded' | 'failed';
  failure: { code: string; declineCode: string; message: string } | null;
  description: string | null;
  metadata: Metadata;
}

export interface RefundRecord extends BaseRecord {
  amount: number;
  currency: string;
  charge: string;
  paymentIntent: string;
  reason: string | null;
  metadata: Metadata;
}

export interface EventRecord extends BaseRecord {
  type: string;
  apiVersion: string;
  /** The object as it was when the event happened, serialized. */
  object: Record<string, unknown>;
  previousAttributes: Record<string, unknown> | null;
  requestId: string | null;
  idempotencyKey: string | null;
  pendingWebhooks: number;
}

export interface WebhookEndpointRecord extends BaseRecord {
  url: string;
  secret: string;
  enabledEvents: string[];
  description: string | null;
  metadata: Metadata;
  disabled: boolean;
  deleted: boolean;
}

/** One event on its way to one endpoint; pending ones survive a restart. */
export interface DeliveryRecord {
  id: string;
  eventId: string;
  /** A webhook_endpoint id, or `config:<url>` for the endpoints from the environment. */
  endpoint: string;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  /** When the next attempt is due, ms since epoch. */
  nextAttemptAt: number;
  lastStatus: number | null;
  lastError: string | null;
}
