/**
 * /v1/payment_intents: create (optionally confirming), retrieve, update, list, search,
 * confirm and cancel. Search uses the indexes on customer, metadata.erp_invoice_id and
 * metadata.crm_company_id; other queries scan.
 */
import type { HandlerContext, RouteDef } from '../context.js';
import { invalidRequest, noSuch } from '../errors.js';
import { newId } from '../ids.js';
import { createdFilter, LIST_PARAMS, listObject, listPage } from '../lists.js';
import { checkChargeAmount, readCurrency } from '../money.js';
import { applyMetadata, type Params } from '../params.js';
import type { PaymentIntentRecord } from '../records.js';
import { serializePaymentIntent } from '../serializers.js';
import type { SortEntry } from '../Table.js';
import { customerOrThrow, materialize, paymentMethodRef, runSearch, type PaymentMethodRef } from './common.js';
import { checkConfirmable, confirmIntent, missingPaymentMethod } from './confirmIntent.js';
import { expandObject } from '../expand.js';

const CREATE_PARAMS = [
  'amount',
  'currency',
  'customer',
  'payment_method',
  'confirm',
  'metadata',
  'description',
  'receipt_email',
  'automatic_payment_methods',
  'allowed_payment_method_types',
  'payment_method_types',
  'capture_method',
  'confirmation_method',
  'off_session',
  'return_url',
  'setup_future_usage',
  'statement_descriptor',
  'error_on_requires_action',
  'expand',
] as const;
const CONFIRM_PARAMS = ['payment_method', 'receipt_email', 'return_url', 'off_session', 'setup_future_usage', 'error_on_requires_action', 'expand'] as const;
const UPDATE_PARAMS = [
  'amount',
  'currency',
  'customer',
  'payment_method',
  'description',
  'metadata',
  'receipt_email',
  'statement_descriptor',
  'expand',
] as const;
const UPDATABLE_STATUSES = ['requires_payment_method', 'requires_confirmation'];

function intentOrThrow(ctx: HandlerContext, id: string): PaymentIntentRecord {
  const pi = ctx.state.paymentIntents.get(id);
  if (!pi) throw noSuch('payment_intent', id, 'intent');
  return pi;
}

/** The PaymentMethod a request names, checked against the intent's customer. */
function readPaymentMethod(ctx: HandlerContext, p: Params, customer: string | null): PaymentMethodRef | null {
  const id = p.string('payment_method');
  if (!id) return null;
  const ref = paymentMethodRef(ctx.state, id, 'payment_method', 400);
  if (ref.kind === 'stored' && ref.record.customer !== null && ref.record.customer !== customer) {
    throw invalidRequest(
      customer === null
        ? 'The provided PaymentMethod is attached to a Customer. Include that Customer in the `customer` parameter of the PaymentIntent.'
        : `The provided PaymentMethod (${id}) is attached to another Customer than this PaymentIntent's (${customer}).`,
      { param: 'payment_method' },
    );
  }
  return ref;
}

/**
 * Which payment methods the intent allows. API versions up to 2026 take
 * `payment_method_types`; the one stripe-node 23 pins takes `allowed_payment_method_types`.
 * Both are read; only `card` is supported.
 */
function readIntentOptions(p: Params): Pick<PaymentIntentRecord, 'automaticPaymentMethods' | 'paymentMethodTypes'> {
  const automatic = p.hash('automatic_payment_methods', ['enabled', 'allow_redirects']);
  const typesParam = p.has('allowed_payment_method_types') ? 'allowed_payment_method_types' : 'payment_method_types';
  const types = p.stringList(typesParam);
  if (automatic && types) {
    throw invalidRequest(`You may only specify one of these parameters: automatic_payment_methods, ${typesParam}.`, {
      code: 'parameters_exclusive',
      param: typesParam,
    });
  }
  for (const type of types ?? []) {
    if (type !== 'card') throw invalidRequest(`The payment method type "${type}" is invalid: the sandbox supports card only.`, { param: typesParam });
  }
  const capture = p.oneOf('capture_method', ['automatic', 'automatic_async', 'manual']);
  if (capture === 'manual') throw invalidRequest('capture_method=manual is not supported by the payments sandbox.', { param: 'capture_method' });
  p.oneOf('confirmation_method', ['automatic', 'manual']);
  p.oneOf('setup_future_usage', ['on_session', 'off_session']);
  p.boolean('off_session');
  p.boolean('error_on_requires_action');
  if (types) return { automaticPaymentMethods: null, paymentMethodTypes: types };
  return {
    automaticPaymentMethods: {
      enabled: automatic?.boolean('enabled') ?? true,
      allowRedirects: automatic?.oneOf('allow_redirects', ['always', 'never']) ?? 'always',
    },
    paymentMethodTypes: ['card'],
  };
}

function create(ctx: HandlerContext) {
  const p = ctx.params(CREATE_PARAMS);
  const amount = p.integer('amount', { required: true })!;
  const currency = readCurrency(p.string('currency', { required: true })!);
  checkChargeAmount(amount, currency);
  const customer = p.string('customer') ?? null;
  if (customer) customerOrThrow(ctx.state, customer, 'customer', 400);
  const pmRef = readPaymentMethod(ctx, p, customer);
  const confirm = p.boolean('confirm') ?? false;
  const options = readIntentOptions(p);
  const metadata = applyMetadata({}, p.metadata());
  const statementDescriptor = p.string('statement_descriptor') ?? null;
  const description = p.string('description') ?? null;
  const receiptEmail = p.string('receipt_email') ?? null;
  p.string('return_url');
  if (confirm && !pmRef) throw missingPaymentMethod();
  // Everything is checked: from here on the request writes.
  const pm = pmRef ? materialize(ctx, pmRef, null) : null;
  const id = newId('pi');
  const pi = ctx.state.paymentIntents.put({
    id,
    created: ctx.now(),
    amount,
    currency,
    customer,
    paymentMethod: pm?.id ?? null,
    description,
    receiptEmail,
    metadata,
    status: pm ? 'requires_confirmation' : 'requires_payment_method',
    amountReceived: 0,
    latestCharge: null,
    lastPaymentError: null,
    canceledAt: null,
    cancellationReason: null,
    clientSecret: `${id}_secret_${newId('s', 25).slice(2)}`,
    ...options,
    statementDescriptor,
  });
  ctx.emit('payment_intent.created', serializePaymentIntent(ctx.state, pi));
  if (confirm && pm) return confirmIntent(ctx, pi, pm, (o) => expandObject(ctx.state, o, p.expand()));
  return ctx.ok(serializePaymentIntent(ctx.state, pi), p);
}

function retrieve(ctx: HandlerContext, id: string) {
  const p = ctx.params(['expand', 'client_secret']);
  return ctx.ok(serializePaymentIntent(ctx.state, intentOrThrow(ctx, id)), p);
}

function update(ctx: HandlerContext, id: string) {
  const p = ctx.params(UPDATE_PARAMS);
  const pi = intentOrThrow(ctx, id);
  for (const field of ['amount', 'currency', 'customer', 'payment_method']) {
    if (p.has(field) && !UPDATABLE_STATUSES.includes(pi.status)) {
      throw invalidRequest(
        `This PaymentIntent's ${field} could not be updated because it has a status of ${pi.status}. You may only update the ${field} of a PaymentIntent with one of the following statuses: requires_payment_method, requires_confirmation, requires_action.`,
        { code: 'payment_intent_unexpected_state', param: field },
      );
    }
  }
  const amount = p.integer('amount') ?? pi.amount;
  const currencyParam = p.string('currency');
  const currency = currencyParam === undefined ? pi.currency : readCurrency(currencyParam);
  // Only a new amount or currency is checked: some seeded partial payments lie below today's minimums.
  if (p.has('amount') || p.has('currency')) checkChargeAmount(amount, currency);
  const customerParam = p.nullableString('customer');
  const customer = customerParam === undefined ? pi.customer : customerParam;
  if (customer && customerParam !== undefined) customerOrThrow(ctx.state, customer, 'customer', 400);
  const pmRef = readPaymentMethod(ctx, p, customer);
  const metadata = applyMetadata(pi.metadata, p.metadata());
  const text = (name: string, current: string | null): string | null => {
    const value = p.nullableString(name);
    return value === undefined ? current : value;
  };
  const description = text('description', pi.description);
  const receiptEmail = text('receipt_email', pi.receiptEmail);
  const statementDescriptor = text('statement_descriptor', pi.statementDescriptor);
  const pm = pmRef ? materialize(ctx, pmRef, null) : null;
  const next = ctx.state.paymentIntents.put({
    ...pi,
    amount,
    currency,
    customer,
    metadata,
    paymentMethod: pm ? pm.id : pi.paymentMethod,
    status: pm ? 'requires_confirmation' : pi.status,
    description,
    receiptEmail,
    statementDescriptor,
  });
  return ctx.ok(serializePaymentIntent(ctx.state, next), p);
}

function confirm(ctx: HandlerContext, id: string) {
  const p = ctx.params(CONFIRM_PARAMS);
  const pi = intentOrThrow(ctx, id);
  const pmRef = readPaymentMethod(ctx, p, pi.customer);
  checkConfirmable(ctx, pi, pmRef !== null || pi.paymentMethod !== null);
  p.string('return_url');
  p.boolean('off_session');
  p.boolean('error_on_requires_action');
  p.oneOf('setup_future_usage', ['on_session', 'off_session']);
  const receiptEmail = p.string('receipt_email');
  const pm = pmRef ? materialize(ctx, pmRef, null) : ctx.state.paymentMethods.get(pi.paymentMethod!)!;
  const ready = receiptEmail === undefined ? pi : { ...pi, receiptEmail };
  return confirmIntent(ctx, ready, pm, (o) => expandObject(ctx.state, o, p.expand()));
}

function cancel(ctx: HandlerContext, id: string) {
  const p = ctx.params(['cancellation_reason', 'expand']);
  const pi = intentOrThrow(ctx, id);
  const reason = p.oneOf('cancellation_reason', ['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned']) ?? null;
  if (!UPDATABLE_STATUSES.includes(pi.status)) {
    const error = invalidRequest(
      `You cannot cancel this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be canceled: requires_payment_method, requires_capture, requires_confirmation, requires_action, processing.`,
      { code: 'payment_intent_unexpected_state' },
    );
    error.body.payment_intent = serializePaymentIntent(ctx.state, pi);
    throw error;
  }
  const canceled = ctx.state.paymentIntents.put({ ...pi, status: 'canceled', canceledAt: ctx.now(), cancellationReason: reason });
  const object = serializePaymentIntent(ctx.state, canceled);
  ctx.emit('payment_intent.canceled', object);
  return ctx.ok(object, p);
}

function list(ctx: HandlerContext) {
  const p = ctx.params([...LIST_PARAMS, 'customer', 'created']);
  const customer = p.string('customer');
  const created = createdFilter(p);
  const table = ctx.state.paymentIntents;
  const entries: readonly SortEntry[] = customer === undefined ? table.all.entries : table.lookup('customer', customer);
  const keep = created === null ? undefined : (id: string) => created(table.get(id)!.created);
  const page = listPage(p, entries, (id) => table.entry(id), 'payment_intent', keep);
  return ctx.ok(
    listObject(
      '/v1/payment_intents',
      page.ids.map((id) => serializePaymentIntent(ctx.state, table.get(id)!)),
      page.hasMore,
    ),
    p,
  );
}

const INDEXED_METADATA = ['erp_invoice_id', 'crm_company_id'];

function search(ctx: HandlerContext) {
  const table = ctx.state.paymentIntents;
  const body = runSearch(ctx, {
    table,
    resource: 'payment_intents',
    url: '/v1/payment_intents/search',
    fields: { amount: 'numeric', created: 'numeric', currency: 'token', customer: 'token', status: 'token' },
    read: (pi) => (field, key) => (key !== null ? pi.metadata[key] : pi[field as 'amount' | 'created' | 'currency' | 'customer' | 'status']),
    index: (clause) => {
      if (clause.metadataKey !== null) return INDEXED_METADATA.includes(clause.metadataKey) ? table.lookup(clause.metadataKey, clause.value!) : null;
      return clause.field === 'customer' ? table.lookup('customer', clause.value!) : null;
    },
    serialize: (pi) => serializePaymentIntent(ctx.state, pi),
  });
  return { status: 200, body };
}

export const paymentIntentRoutes: RouteDef[] = [
  { method: 'GET', pattern: '/v1/payment_intents/search', operation: 'payment_intents.search', handler: search },
  { method: 'GET', pattern: '/v1/payment_intents', operation: 'payment_intents.list', handler: list },
  { method: 'POST', pattern: '/v1/payment_intents', operation: 'payment_intents.create', handler: create },
  { method: 'GET', pattern: '/v1/payment_intents/:id', operation: 'payment_intents.retrieve', handler: retrieve },
  { method: 'POST', pattern: '/v1/payment_intents/:id', operation: 'payment_intents.update', handler: update },
  { method: 'POST', pattern: '/v1/payment_intents/:id/confirm', operation: 'payment_intents.confirm', handler: confirm },
  { method: 'POST', pattern: '/v1/payment_intents/:id/cancel', operation: 'payment_intents.cancel', handler: cancel },
];
