/**
 * Stripe's webhook signature: `Stripe-Signature: t=<unix seconds>,v1=<hex>` where the
 * hex is HMAC-SHA256 of `<t>.<payload>` keyed by the endpoint's signing secret (the
 * whole `whsec_...` string). stripe.webhooks.constructEvent() checks exactly this.
 */
import { createHmac } from 'node:crypto';

export function signatureHeader(payload: string, secret: string, timestampSeconds: number): string {
  const signature = createHmac('sha256', secret).update(`${timestampSeconds}.${payload}`, 'utf8').digest('hex');
  return `t=${timestampSeconds},v1=${signature}`;
}
