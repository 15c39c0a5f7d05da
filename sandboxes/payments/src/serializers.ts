/**
 * Records to Stripe objects, with the fields and defaults of Stripe's API reference
 * (customer, payment_method, payment_intent, charge, refund, event, webhook_endpoint).
 * Fields the sandbox does not model are sent as Stripe sends them when unused (null,
 * {} or false), so clients that read them get the types they expect.
 */
import { docUrl } from './errors.js';
import { idSuffix } from './ids.js';
import type { PaymentsState } from './PaymentsState.js';
import type {
  ChargeRecord,
  CustomerRecord,
  EventRecord,
  PaymentErrorRecord,
  PaymentIntentRecord,
  PaymentMethodRecord,
  RefundRecord,
  WebhookEndpointRecord,
} from './records.js';

export type StripeObject = Record<string, unknown>;

const NULL_ADDRESS = { city: null, country: null, line1: null, line2: null, postal_code: null, state: null };

export function serializeCustomer(c: CustomerRecord): StripeObject {
  if (c.deleted) return { id: c.id, object: 'customer', deleted: true };
  return {
    id: c.id,
    object: 'customer',
    address: null,
    balance: 0,
    created: c.created,
    currency: null,
    customer_account: null,
    default_source: null,
    delinquent: false,
    description: c.description,
    discount: null,
    email: c.email,
    invoice_prefix: c.invoicePrefix,
    invoice_settings: { custom_fields: null, default_payment_method: c.defaultPaymentMethod, footer: null, rendering_options: null },
    livemode: false,
    metadata: { ...c.metadata },
    name: c.name,
    next_invoice_sequence: 1,
    phone: c.phone,
    preferred_locales: [],
    shipping: null,
    tax_exempt: 'none',
    test_clock: null,
  };
}

function cardDetails(pm: PaymentMethodRecord): StripeObject {
  return {
    brand: pm.brand,
    checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
    country: pm.country,
    display_brand: pm.brand,
    exp_month: pm.expMonth,
    exp_year: pm.expYear,
    fingerprint: pm.fingerprint,
    funding: pm.funding,
    generated_from: null,
    last4: pm.last4,
    networks: { available: [pm.brand], preferred: null },
    regulated_status: 'unregulated',
    three_d_secure_usage: { supported: true },
    wallet: null,
  };
}

export function serializePaymentMethod(pm: PaymentMethodRecord): StripeObject {
  return {
    id: pm.id,
    object: 'payment_method',
    allow_redisplay: 'unspecified',
    billing_details: { address: NULL_ADDRESS, email: null, name: null, phone: null, tax_id: null },
    card: cardDetails(pm),
    created: pm.created,
    customer: pm.customer,
    customer_account: null,
    livemode: false,
    metadata: { ...pm.metadata },
    type: 'card',
  };
}

function serializePaymentError(state: PaymentsState, error: PaymentErrorRecord): StripeObject {
  const pm = error.paymentMethod ? state.paymentMethods.get(error.paymentMethod) : undefined;
  const out: StripeObject = { charge: error.charge, code: error.code };
  if (error.declineCode) out.decline_code = error.declineCode;
  out.doc_url = docUrl(error.code);
  out.message = error.message;
  if (pm) out.payment_method = serializePaymentMethod(pm);
  out.type = 'card_error';
  return out;
}

export function serializePaymentIntent(state: PaymentsState, pi: PaymentIntentRecord): StripeObject {
  return {
    id: pi.id,
    object: 'payment_intent',
    allowed_payment_method_types: pi.automaticPaymentMethods ? null : [...pi.paymentMethodTypes],
    amount: pi.amount,
    amount_capturable: 0,
    amount_details: { tip: {} },
    amount_received: pi.amountReceived,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: pi.automaticPaymentMethods
      ? { allow_redirects: pi.automaticPaymentMethods.allowRedirects, enabled: pi.automaticPaymentMethods.enabled }
      : null,
    canceled_at: pi.canceledAt,
    cancellation_reason: pi.cancellationReason,
    capture_method: 'automatic_async',
    client_secret: pi.clientSecret,
    confirmation_method: 'automatic',
    created: pi.created,
    currency: pi.currency,
    customer: pi.customer,
    customer_account: null,
    description: pi.description,
    excluded_payment_method_types: null,
    last_payment_error: pi.lastPaymentError ? serializePaymentError(state, pi.lastPaymentError) : null,
    latest_charge: pi.latestCharge,
    livemode: false,
    managed_payments: null,
    metadata: { ...pi.metadata },
    next_action: null,
    on_behalf_of: null,
    payment_method: pi.paymentMethod,
    payment_method_configuration_details: null,
    payment_method_options: { card: { installments: null, mandate_options: null, network: null, request_three_d_secure: 'automatic' } },
    payment_method_types: ['card'],
    payment_record: null,
    processing: null,
    receipt_email: pi.receiptEmail,
    review: null,
    setup_future_usage: null,
    shipping: null,
    source: null,
    statement_descriptor: pi.statementDescriptor,
    statement_descriptor_suffix: null,
    status: pi.status,
    transfer_data: null,
    transfer_group: null,
  };
}

function outcome(ch: ChargeRecord): StripeObject {
  if (!ch.failure) {
    return {
      advice_code: null,
      network_advice_code: null,
      network_decline_code: null,
      network_status: 'approved_by_network',
      reason: null,
      risk_level: 'normal',
      risk_score: 32,
      seller_message: 'Payment complete.',
      type: 'authorized',
    };
  }
  return {
    advice_code: null,
    network_advice_code: null,
    network_decline_code: null,
    network_status: 'declined_by_network',
    reason: ch.failure.declineCode,
    risk_level: 'normal',
    risk_score: 32,
    seller_message: 'The bank did not return any further details with this decline.',
    type: 'issuer_declined',
  };
}

export function serializeCharge(state: PaymentsState, ch: ChargeRecord): StripeObject {
  const pm = state.paymentMethods.get(ch.paymentMethod);
  const succeeded = ch.status === 'succeeded';
  return {
    id: ch.id,
    object: 'charge',
    amount: ch.amount,
    amount_captured: succeeded ? ch.amount : 0,
    amount_refunded: ch.amountRefunded,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: succeeded ? `txn_${idSuffix(ch.id)}` : null,
    billing_details: { address: NULL_ADDRESS, email: null, name: null, phone: null, tax_id: null },
    calculated_statement_descriptor: 'SANDBOX PAYMENTS',
    captured: succeeded,
    created: ch.created,
    currency: ch.currency,
    customer: ch.customer,
    description: ch.description,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: ch.failure?.code ?? null,
    failure_message: ch.failure?.message ?? null,
    fraud_details: {},
    livemode: false,
    metadata: { ...ch.metadata },
    on_behalf_of: null,
    outcome: outcome(ch),
    paid: succeeded,
    payment_intent: ch.paymentIntent,
    payment_method: ch.paymentMethod,
    payment_method_details: pm ? { card: cardDetails(pm), type: 'card' } : null,
    receipt_email: null,
    receipt_number: null,
    receipt_url: null,
    refunded: succeeded && ch.amountRefunded >= ch.amount,
    review: null,
    shipping: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: ch.status,
    transfer_data: null,
    transfer_group: null,
  };
}

export function serializeRefund(state: PaymentsState, re: RefundRecord): StripeObject {
  const charge = state.charges.get(re.charge);
  return {
    id: re.id,
    object: 'refund',
    amount: re.amount,
    balance_transaction: `txn_${idSuffix(re.id)}`,
    charge: re.charge,
    created: re.created,
    currency: re.currency,
    customer: charge?.customer ?? null,
    customer_account: null,
    destination_details: { card: { reference_status: 'pending', reference_type: 'acquirer_reference_number', type: 'refund' }, type: 'card' },
    metadata: { ...re.metadata },
    payment_intent: re.paymentIntent,
    payment_method: charge?.paymentMethod ?? null,
    reason: re.reason,
    receipt_number: null,
    source_transfer_reversal: null,
    status: 'succeeded',
    transfer_reversal: null,
  };
}

export function serializeEvent(ev: EventRecord): StripeObject {
  const data: StripeObject = { object: ev.object };
  if (ev.previousAttributes) data.previous_attributes = ev.previousAttributes;
  return {
    id: ev.id,
    object: 'event',
    api_version: ev.apiVersion,
    created: ev.created,
    data,
    livemode: false,
    pending_webhooks: ev.pendingWebhooks,
    request: { id: ev.requestId, idempotency_key: ev.idempotencyKey },
    type: ev.type,
  };
}

/** The signing secret is shown only when the endpoint is created, as in Stripe. */
export function serializeWebhookEndpoint(we: WebhookEndpointRecord, withSecret = false): StripeObject {
  if (we.deleted) return { id: we.id, object: 'webhook_endpoint', deleted: true };
  const out: StripeObject = {
    id: we.id,
    object: 'webhook_endpoint',
    api_version: null,
    application: null,
    created: we.created,
    description: we.description,
    enabled_events: [...we.enabledEvents],
    livemode: false,
    metadata: { ...we.metadata },
  };
  if (withSecret) out.secret = we.secret;
  out.status = we.disabled ? 'disabled' : 'enabled';
  out.url = we.url;
  return out;
}
