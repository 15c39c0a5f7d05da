/**
 * Checks a `Stripe-Signature` header the way Stripe's libraries do (stripe-node's
 * `webhooks.constructEvent`, stripe-python's `WebhookSignature.verify_header`):
 *
 *     Stripe-Signature: t=1700000000,v1=<hex>,v1=<hex>,v0=<ignored>
 *
 * Each `v1` is HMAC-SHA256 of `<t>.<raw body>` keyed with the whole signing secret
 * (`whsec_...`). The header may carry several `v1` entries (Stripe sends two while a
 * secret is being rolled); one match is enough. Signatures are compared in constant time,
 * and a timestamp older than the tolerance is refused so that a captured delivery cannot
 * be replayed later. As in Stripe's libraries a timestamp in the future is not refused.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Stripe's default tolerance (stripe-node `Webhook.DEFAULT_TOLERANCE`), in seconds. */
export const STRIPE_SIGNATURE_TOLERANCE_SECONDS = 300;

export interface SignatureCheck {
  rawBody: Buffer;
  /** The header as node:http hands it over (a repeated header is joined with ", "). */
  header: string | string[] | undefined;
  secret: string;
  nowMs: number;
  toleranceSeconds?: number;
}

/** The HMAC Stripe puts in `v1` for this body and timestamp. */
export function stripeSignature(rawBody: Buffer | string, secret: string, timestampSeconds: number): string {
  return createHmac('sha256', secret).update(`${timestampSeconds}.`, 'utf8').update(rawBody).digest('hex');
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  // timingSafeEqual needs equal lengths; the length of a hex digest is no secret.
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Undefined when the signature holds; otherwise why not, in the words of Stripe's libraries. */
export function checkStripeSignature(check: SignatureCheck): string | undefined {
  const { rawBody, header, secret, nowMs } = check;
  if (rawBody.length === 0) return 'No webhook payload was provided.';
  if (typeof header !== 'string' || header.trim() === '') return 'No stripe-signature header value was provided.';
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const item of header.split(',')) {
    const at = item.indexOf('=');
    if (at < 0) continue;
    const key = item.slice(0, at).trim();
    const value = item.slice(at + 1).trim();
    // stripe-node keeps the last `t`; a value that is not a plain number is no timestamp.
    if (key === 't') timestamp = /^\d{1,12}$/.test(value) ? Number(value) : undefined;
    if (key === 'v1') signatures.push(value);
  }
  if (timestamp === undefined) return 'Unable to extract timestamp and signatures from header';
  if (signatures.length === 0) return 'No signatures found with expected scheme';
  const expected = stripeSignature(rawBody, secret, timestamp);
  // Every candidate is compared, so the time taken does not say which one matched.
  let matched = false;
  for (const signature of signatures) matched = sameText(expected, signature) || matched;
  if (!matched) return 'No signatures found matching the expected signature for payload.';
  const age = Math.floor(nowMs / 1000) - timestamp;
  if (age > (check.toleranceSeconds ?? STRIPE_SIGNATURE_TOLERANCE_SECONDS)) return 'Timestamp outside the tolerance zone';
  return undefined;
}
