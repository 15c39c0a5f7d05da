/**
 * For the webhook tests: Stripe events as Stripe sends them (the fields the ERP reads and
 * a few it does not), signed with node:crypto independently of the sandbox's own code,
 * and the XML-RPC reads that show what an event did to an invoice.
 */
import { createHmac } from 'node:crypto';
import { executeKw } from '../testSupport.js';
import type { XmlRpcValue } from '../../../../lib/xmlrpc/values.js';

export const TEST_SECRET = 'whsec_sandbox';

let sequence = 0;
/** A fresh id with Stripe's prefix, unique within the test run. */
export const testId = (prefix: string): string => `${prefix}_test${Date.now().toString(36)}${(++sequence).toString(36).padStart(4, '0')}`;

function envelope(type: string, object: Record<string, unknown>, id: string, previous?: Record<string, unknown>): Record<string, unknown> {
  return {
    id,
    object: 'event',
    api_version: '2026-10-28.endive',
    created: Math.floor(Date.now() / 1000),
    data: previous ? { object, previous_attributes: previous } : { object },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
  };
}

export interface PaymentOptions {
  invoiceId: number | string | null;
  amount: number;
  currency: string;
  intentId?: string;
  eventId?: string;
}

export function paymentSucceeded(options: PaymentOptions): Record<string, unknown> {
  const intentId = options.intentId ?? testId('pi');
  const metadata = options.invoiceId === null ? {} : { erp_invoice_id: String(options.invoiceId) };
  return envelope(
    'payment_intent.succeeded',
    {
      id: intentId,
      object: 'payment_intent',
      amount: options.amount,
      amount_received: options.amount,
      currency: options.currency,
      latest_charge: `ch_${intentId.slice(3)}`,
      metadata,
      status: 'succeeded',
    },
    options.eventId ?? testId('evt'),
  );
}

export interface RefundOptions {
  intentId: string;
  /** The charge's cumulative amount_refunded after this refund. */
  amountRefunded: number;
  previouslyRefunded?: number;
  amount: number;
  currency: string;
  /** The invoice id in the charge's metadata; none when null. */
  invoiceId: number | null;
  chargeId?: string;
  eventId?: string;
}

export function chargeRefunded(options: RefundOptions): Record<string, unknown> {
  const metadata = options.invoiceId === null ? {} : { erp_invoice_id: String(options.invoiceId) };
  return envelope(
    'charge.refunded',
    {
      id: options.chargeId ?? `ch_${options.intentId.slice(3)}`,
      object: 'charge',
      amount: options.amount,
      amount_refunded: options.amountRefunded,
      currency: options.currency,
      metadata,
      paid: true,
      payment_intent: options.intentId,
      refunded: options.amountRefunded >= options.amount,
      status: 'succeeded',
    },
    options.eventId ?? testId('evt'),
    { amount_refunded: options.previouslyRefunded ?? 0, refunded: false },
  );
}

/** Stripe's header: t=<unix seconds>,v1=hex(HMAC-SHA256(secret, "<t>.<body>")). */
export function signHeader(body: string, secret = TEST_SECRET, timestamp = Math.floor(Date.now() / 1000)): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export interface WebhookAnswer {
  status: number;
  body: string;
  /** The sandbox's x-sandbox-webhook-result header: applied, ignored, duplicate or unhandled. */
  result: string | null;
}

/** The answer to a delivery the ERP acknowledged, with what it made of it. */
export const ack = (result: 'applied' | 'ignored' | 'duplicate' | 'unhandled'): WebhookAnswer => ({ status: 200, body: '""', result });

/** POSTs `body` to the webhook, signed correctly unless another header (or null: none) is given. */
export async function postWebhook(url: string, body: string, signature: string | null = signHeader(body)): Promise<WebhookAnswer> {
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
  if (signature !== null) headers['stripe-signature'] = signature;
  const response = await fetch(`${url}/payment/stripe/webhook`, { method: 'POST', headers, body });
  return { status: response.status, body: await response.text(), result: response.headers.get('x-sandbox-webhook-result') };
}

/** Signs and posts an event; the pretty-printed body is what the payments sandbox sends. */
export function postEvent(url: string, event: Record<string, unknown>): Promise<WebhookAnswer> {
  return postWebhook(url, JSON.stringify(event, null, 2));
}

export interface InvoiceView {
  id: number;
  /** In minor units. */
  total: number;
  residual: number;
  paymentState: string;
  /** Stripe's currency code: lowercase. */
  currency: string;
  partnerId: number;
  writeDate: string;
}

interface MoveRead {
  id: number;
  amount_total: number;
  amount_residual: number;
  payment_state: string;
  currency_id: [number, string];
  partner_id: [number, string];
  write_date: string;
}

const MOVE_FIELDS = ['amount_total', 'amount_residual', 'payment_state', 'currency_id', 'partner_id', 'write_date'];

const view = (move: MoveRead): InvoiceView => ({
  id: move.id,
  total: Math.round(move.amount_total * 100),
  residual: Math.round(move.amount_residual * 100),
  paymentState: move.payment_state,
  currency: move.currency_id[1].toLowerCase(),
  partnerId: move.partner_id[0],
  writeDate: move.write_date,
});

/** An invoice read back over XML-RPC, as a client of the ERP sees it. */
export async function readInvoice(url: string, id: number): Promise<InvoiceView> {
  const [move] = (await executeKw(url, 'account.move', 'read', [[id], MOVE_FIELDS])) as unknown as MoveRead[];
  if (!move) throw new Error(`no account.move ${id}`);
  return view(move);
}

/** Customer invoices matching `domain`, by id. */
export async function findInvoices(url: string, domain: XmlRpcValue[], limit: number): Promise<InvoiceView[]> {
  const moves = (await executeKw(url, 'account.move', 'search_read', [[['move_type', '=', 'out_invoice'], ...domain]], {
    fields: MOVE_FIELDS,
    order: 'id',
    limit,
  })) as unknown as MoveRead[];
  return moves.map(view);
}

/** Polls `check` until it returns something other than undefined or false, or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => Promise<T | undefined | false>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
