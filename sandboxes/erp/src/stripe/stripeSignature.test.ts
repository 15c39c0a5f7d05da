import { createHmac } from 'node:crypto';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { checkStripeSignature } from './stripeSignature.js';

const SECRET = 'whsec_sandbox';
const NOW_MS = 1_750_000_000_000;
const NOW = NOW_MS / 1000;
const body = '{\n  "id": "evt_1",\n  "type": "payment_intent.succeeded"\n}';
const sign = (t: number, payload = body, secret = SECRET): string => createHmac('sha256', secret).update(`${t}.${payload}`).digest('hex');
const check = (header: string | string[] | undefined, payload = body): string | undefined =>
  checkStripeSignature({ rawBody: Buffer.from(payload), header, secret: SECRET, nowMs: NOW_MS });

describe('checkStripeSignature', () => {
  it('accepts what stripe-node signs, and refuses what stripe-node refuses', () => {
    const stripe = new Stripe('sk_test_unused');
    const header = stripe.webhooks.generateTestHeaderString({ payload: body, secret: SECRET, timestamp: NOW });
    expect(check(header)).toBeUndefined();
    for (const [candidate, payload] of [
      [header, body.replace('evt_1', 'evt_2')],
      [`t=${NOW},v1=${sign(NOW, body, 'whsec_other')}`, body],
      [`t=${NOW - 301},v1=${sign(NOW - 301)}`, body],
      [`v1=${sign(NOW)}`, body],
    ] as const) {
      const ours = check(candidate, payload);
      expect(ours).toBeDefined();
      expect(() => stripe.webhooks.constructEvent(payload, candidate, SECRET, undefined, undefined, NOW_MS)).toThrow(ours);
    }
  });

  it('allows an age of exactly the tolerance and a timestamp in the future, as Stripe does', () => {
    expect(check(`t=${NOW - 300},v1=${sign(NOW - 300)}`)).toBeUndefined();
    expect(check(`t=${NOW - 301},v1=${sign(NOW - 301)}`)).toBe('Timestamp outside the tolerance zone');
    expect(check(`t=${NOW + 3600},v1=${sign(NOW + 3600)}`)).toBeUndefined();
  });

  it('takes any one of several v1 signatures, ignores other schemes, and tolerates spaces', () => {
    expect(check(`t=${NOW},v1=${'0'.repeat(64)},v1=${sign(NOW)},v0=${'1'.repeat(64)}`)).toBeUndefined();
    expect(check(`t=${NOW}, v1=${sign(NOW)}`)).toBeUndefined();
    expect(check(`t=${NOW},v0=${sign(NOW)}`)).toBe('No signatures found with expected scheme');
    expect(check(`t=${NOW},v1=${sign(NOW).slice(0, 63)}`)).toBe('No signatures found matching the expected signature for payload.');
    expect(check(`t=${NOW},v1=${sign(NOW).toUpperCase()}`)).toBe('No signatures found matching the expected signature for payload.');
  });

  it('refuses a missing header, an unreadable timestamp and an empty body', () => {
    expect(check(undefined)).toBe('No stripe-signature header value was provided.');
    expect(check(['a', 'b'])).toBe('No stripe-signature header value was provided.');
    expect(check(`t=soon,v1=${sign(NOW)}`)).toBe('Unable to extract timestamp and signatures from header');
    expect(check(`t=${NOW},v1=${sign(NOW, '')}`, '')).toBe('No webhook payload was provided.');
  });
});
