/**
 * Records on invoices what Stripe's events say happened to their payments, as Odoo's
 * Stripe provider does: `payment_intent.succeeded` pays the invoice named by the intent's
 * `metadata.erp_invoice_id`, `charge.refunded` gives back what was refunded.
 *
 * Each intent's share of its invoice is recomputed from what is known of it (received
 * minus refunded, per charge the largest cumulative `amount_refunded` seen), instead of
 * adding and subtracting event amounts, so that an event seen twice, or events arriving
 * out of order (a refund before the payment it refunds), still end in the right residual.
 * On top of that, each event id is processed once.
 *
 * An event is planned in full before anything is written, then the invoice, the intent
 * and the event id are saved in one store transaction: the data file gets all or none.
 *
 * Processed event ids are remembered for as long as Stripe could send the event again
 * (it keeps events 30 days), then pruned, so that they do not pile up. An event seen
 * again after that would still change nothing: the intent's share is recomputed.
 */
import { createdCutoff, type Collection } from '../../../kit/src/index.js';
import { formatDatetime, type RecordDoc } from '../odoo/fields.js';
import type { Registry } from '../odoo/Registry.js';
import { STRIPE_EVENTS, STRIPE_INTENTS, type StripeEventDoc, type StripeIntentDoc } from './stripeLedger.js';

/** The envelope of a webhook event, checked by the route; `object` is `data.object`, unchecked. */
export interface StripeEvent {
  id: string;
  type: string;
  object: unknown;
}

export type EventResult =
  | { status: 'applied' | 'ignored'; note: string }
  /** Processed before: nothing done. */
  | { status: 'duplicate' }
  /** A type the ERP does not act on: acknowledged, not recorded. */
  | { status: 'unhandled' };

export const HANDLED_EVENT_TYPES: ReadonlySet<string> = new Set(['payment_intent.succeeded', 'charge.refunded']);

type JsonObject = Record<string, unknown>;

interface Plan {
  note: string;
  intent?: StripeIntentDoc;
  invoice?: RecordDoc;
}

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const minorUnits = (value: unknown): number | undefined => (Number.isSafeInteger(value) && (value as number) >= 0 ? (value as number) : undefined);
/** An expandable field: the id, or the expanded object's id. */
const idOf = (value: unknown): string | undefined => text(value) ?? (isObject(value) ? text(value.id) : undefined);

/** Stripe metadata values are strings; the ERP's invoice ids are positive integers. */
function invoiceIdIn(metadata: unknown): number | undefined {
  const value = isObject(metadata) ? metadata.erp_invoice_id : undefined;
  return typeof value === 'string' && /^[1-9]\d{0,9}$/.test(value.trim()) ? Number(value.trim()) : undefined;
}

function sameIntent(a: StripeIntentDoc, b: StripeIntentDoc | undefined): boolean {
  if (!b || a.invoiceId !== b.invoiceId || a.received !== b.received || a.applied !== b.applied) return false;
  const charges = Object.keys(a.refunded);
  return charges.length === Object.keys(b.refunded).length && charges.every((charge) => a.refunded[charge] === b.refunded[charge]);
}

/** Odoo's rule for a customer invoice: nothing due is paid, everything due is not paid. */
export function paymentStateFor(residual: number, total: number): 'paid' | 'partial' | 'not_paid' {
  if (residual <= 0) return 'paid';
  return residual >= total ? 'not_paid' : 'partial';
}

export interface StripeReconcilerOptions {
  /** The clock for write_date and the processed-at stamp. Default: Date.now. */
  now?: () => number;
  /** Where ignored events are reported. Default: console.warn. */
  log?: (message: string) => void;
}

export class StripeReconciler {
  private readonly events: Collection<StripeEventDoc>;
  private readonly intents: Collection<StripeIntentDoc>;
  private readonly now: () => number;
  private readonly log: (message: string) => void;

  constructor(
    private readonly registry: Registry,
    options: StripeReconcilerOptions = {},
  ) {
    this.events = registry.store.collection<StripeEventDoc>(STRIPE_EVENTS);
    this.intents = registry.store.collection<StripeIntentDoc>(STRIPE_INTENTS);
    this.now = options.now ?? Date.now;
    this.log = options.log ?? ((message) => console.warn(message));
  }

  process(event: StripeEvent): EventResult {
    if (!HANDLED_EVENT_TYPES.has(event.type)) return { status: 'unhandled' };
    if (this.events.has(event.id)) return { status: 'duplicate' };
    const plan = event.type === 'payment_intent.succeeded' ? this.planPayment(event.object) : this.planRefund(event.object);
    const moves = this.registry.model('account.move')!;
    const intent = plan.intent && !sameIntent(plan.intent, this.intents.get(plan.intent.id)) ? plan.intent : undefined;
    const record: StripeEventDoc = { id: event.id, type: event.type, outcome: plan.note, processedAt: new Date(this.now()).toISOString() };
    const transaction = intent ? this.transactionFor(intent, plan.invoice) : undefined;
    this.registry.store.transaction(() => {
      if (plan.invoice) moves.save(plan.invoice);
      if (intent) this.intents.put(intent);
      if (transaction) this.registry.model('payment.transaction')!.save(transaction);
      this.events.put(record);
    });
    // Applied: the event taught the ERP something (the invoice changed, or what the intent settles did).
    const applied = plan.invoice !== undefined || intent !== undefined;
    if (!applied) this.log(`[erp sandbox] stripe event ${event.id} (${event.type}) ignored: ${plan.note}`);
    return { status: applied ? 'applied' : 'ignored', note: plan.note };
  }

  /**
   * The payment.transaction that records a received payment on its invoice (Odoo's
   * Stripe provider keeps one per intent, state `done` once paid), created on the first
   * payment_intent.succeeded; undefined while the intent has received nothing or names no invoice.
   */
  private transactionFor(intent: StripeIntentDoc, changedInvoice: RecordDoc | undefined): RecordDoc | undefined {
    if (intent.invoiceId === null || intent.received <= 0) return undefined;
    const transactions = this.registry.model('payment.transaction')!;
    const existing = [...transactions.lookup('provider_reference', intent.id)][0];
    const before = existing === undefined ? undefined : transactions.get(existing);
    const invoice = changedInvoice ?? this.registry.get('account.move', intent.invoiceId);
    if (!invoice || (before && before.amount === intent.received)) return undefined;
    const stamp = formatDatetime(this.now());
    const id = before?.id ?? transactions.nextId();
    return {
      ...(before ?? { create_date: stamp }),
      id,
      reference: before?.reference ?? `${String(invoice.name)}-${id}`,
      provider_reference: intent.id,
      provider_code: 'stripe',
      state: 'done',
      amount: intent.received,
      currency_id: invoice.currency_id ?? false,
      partner_id: invoice.partner_id ?? false,
      _invoice_id: intent.invoiceId,
      write_date: stamp,
    };
  }

  /** Forgets the processed events recorded at least `retentionMs` ago (the store's clock, at `now`); returns how many. */
  prune(retentionMs: number, now = this.now()): number {
    return this.events.deleteCreatedBefore(createdCutoff(now, retentionMs)).length;
  }

  private planPayment(object: unknown): Plan {
    if (!isObject(object)) return { note: 'data.object is not a payment intent' };
    const intentId = text(object.id);
    const received = minorUnits(object.amount_received);
    const currency = text(object.currency);
    if (!intentId || received === undefined || !currency) return { note: 'the payment intent has no id, amount_received or currency' };
    const known = this.intents.get(intentId);
    const invoiceId = known?.invoiceId ?? invoiceIdIn(object.metadata);
    if (invoiceId === undefined) return { note: `payment intent ${intentId} names no invoice (metadata.erp_invoice_id)` };
    const invoice = this.invoiceFor(invoiceId, currency);
    if (typeof invoice === 'string') return { note: invoice };
    const intent: StripeIntentDoc = { ...(known ?? { id: intentId, refunded: {}, applied: 0 }), invoiceId, received };
    return this.settle(intent, invoice);
  }

  private planRefund(object: unknown): Plan {
    if (!isObject(object)) return { note: 'data.object is not a charge' };
    const chargeId = text(object.id);
    const intentId = idOf(object.payment_intent);
    const refunded = minorUnits(object.amount_refunded);
    const currency = text(object.currency);
    if (!chargeId || !intentId || refunded === undefined || !currency) return { note: 'the charge has no id, payment_intent, amount_refunded or currency' };
    const known = this.intents.get(intentId);
    const invoiceId = known?.invoiceId ?? invoiceIdIn(object.metadata) ?? null;
    // amount_refunded is cumulative, and events may come out of order: keep the largest seen.
    const before = known?.refunded[chargeId] ?? 0;
    const intent: StripeIntentDoc = {
      ...(known ?? { id: intentId, received: 0, applied: 0 }),
      invoiceId,
      refunded: { ...known?.refunded, [chargeId]: Math.max(before, refunded) },
    };
    if (invoiceId === null) return { note: `refund of ${intentId} kept until its payment names an invoice`, intent };
    const invoice = this.invoiceFor(invoiceId, currency);
    if (typeof invoice === 'string') return { note: invoice };
    return this.settle(intent, invoice);
  }

  /** The invoice a payment in `currency` can be recorded on, or why there is none. */
  private invoiceFor(id: number, currency: string): RecordDoc | string {
    const move = this.registry.get('account.move', id);
    if (!move) return `account.move ${id} does not exist`;
    if (move.move_type !== 'out_invoice') return `account.move ${id} is ${String(move.move_type)}, not a customer invoice (out_invoice)`;
    if (move.state !== 'posted') return `invoice ${id} is ${String(move.state)}, not posted`;
    const code = this.registry.get('res.currency', Number(move.currency_id))?.name;
    if (typeof code !== 'string' || code.toLowerCase() !== currency.toLowerCase()) {
      return `invoice ${id} is in ${String(code)}, the payment in ${currency}`;
    }
    return move;
  }

  /**
   * Brings the invoice's residual in line with what the intent now settles: its net
   * amount, but never more than the invoice had due (an overpayment is not a negative
   * residual) and never raising the residual above the invoice's total.
   */
  private settle(intent: StripeIntentDoc, invoice: RecordDoc): Plan {
    const refunded = Object.values(intent.refunded).reduce((sum, amount) => sum + amount, 0);
    const net = Math.max(0, intent.received - refunded);
    const residual = Number(invoice.amount_residual);
    const total = Number(invoice.amount_total);
    const settles = Math.min(net, intent.applied + residual);
    const nextResidual = Math.min(total, Math.max(0, residual + intent.applied - settles));
    const next: StripeIntentDoc = { ...intent, applied: Math.max(0, intent.applied + residual - nextResidual) };
    if (nextResidual === residual) return { note: `invoice ${invoice.id} unchanged (residual ${residual})`, intent: next };
    const paymentState = paymentStateFor(nextResidual, total);
    return {
      note: `invoice ${invoice.id}: residual ${residual} -> ${nextResidual}, ${paymentState}`,
      intent: next,
      invoice: { ...invoice, amount_residual: nextResidual, payment_state: paymentState, write_date: formatDatetime(this.now()) },
    };
  }
}
