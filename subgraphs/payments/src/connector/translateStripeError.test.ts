import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { BackendError } from '../../../kit/src/index.js';
import { scrubSecrets, translateStripeError } from './translateStripeError.js';

type Raw = ConstructorParameters<typeof Stripe.errors.StripeError>[0];
const KEY = 'sk_test_TranslateSecret42';
const translate = (error: unknown): BackendError => translateStripeError(error, [KEY, 'whsec_abc']) as BackendError;
/** Stripe's own factory, as the client uses it on an error response. */
const fromResponse = (raw: Raw & { statusCode: number; type: string; headers?: Record<string, string> }) => Stripe.errors.StripeError.generate(raw);

describe('translateStripeError', () => {
  it('maps each Stripe error type to our code, retryability and details', () => {
    const card = translate(
      fromResponse({
        statusCode: 402,
        type: 'card_error',
        message: 'Your card has insufficient funds.',
        code: 'card_declined',
        decline_code: 'insufficient_funds',
        payment_intent: { id: 'pi_123' } as Stripe.PaymentIntent,
      }),
    );
    expect(card).toMatchObject({
      code: 'PAYMENT_DECLINED',
      retryable: false,
      status: 402,
      message: 'Your card has insufficient funds.',
      details: { declineCode: 'insufficient_funds', paymentId: 'pi_123' },
    });

    const limited = translate(
      fromResponse({ statusCode: 429, type: 'invalid_request_error', code: 'rate_limit', message: 'slow down', headers: { 'retry-after': '2' } }),
    );
    expect(limited).toMatchObject({ code: 'RATE_LIMITED', retryable: true, retryAfterMs: 2000 });

    expect(translate(fromResponse({ statusCode: 500, type: 'api_error', message: 'boom' }))).toMatchObject({
      code: 'BACKEND_ERROR',
      retryable: true,
      status: 500,
    });
    expect(translate(fromResponse({ statusCode: 503, type: 'api_error', message: 'busy' }))).toMatchObject({ code: 'BACKEND_UNAVAILABLE', retryable: true });
    expect(translate(new Stripe.errors.StripeConnectionError({ message: 'ECONNREFUSED' }))).toMatchObject({ code: 'BACKEND_UNAVAILABLE', retryable: true });
    expect(translate(fromResponse({ statusCode: 403, type: 'invalid_request_error', message: 'no' }))).toMatchObject({ code: 'FORBIDDEN', retryable: false });
    expect(
      translate(
        fromResponse({ statusCode: 400, type: 'idempotency_error', message: 'Keys for idempotent requests can only be used with the same parameters' }),
      ),
    ).toMatchObject({
      code: 'CONFLICT',
      retryable: false,
    });
    expect(translate(fromResponse({ statusCode: 409, type: 'invalid_request_error', message: 'in progress' }))).toMatchObject({
      code: 'CONFLICT',
      retryable: true,
    });
    expect(
      translate(fromResponse({ statusCode: 404, type: 'invalid_request_error', code: 'resource_missing', message: "No such payment_intent: 'pi_x'" })),
    ).toMatchObject({
      code: 'NOT_FOUND',
      retryable: false,
    });
    expect(translate(fromResponse({ statusCode: 400, type: 'invalid_request_error', message: 'Invalid integer', param: 'amount' }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      details: { param: 'amount' },
    });
  });

  it('never lets the key through: our own words for a rejected key, secrets scrubbed from any other message', () => {
    const auth = translate(fromResponse({ statusCode: 401, type: 'invalid_request_error', message: 'Invalid API Key provided: sk_test_***************et42' }));
    expect(auth).toMatchObject({ code: 'UNAUTHENTICATED', retryable: false });
    expect(auth.message).not.toMatch(/sk_|et42/);
    const echoed = translate(fromResponse({ statusCode: 400, type: 'invalid_request_error', message: `bad request with ${KEY} and whsec_abc inside` }));
    expect(echoed.message).toBe('bad request with [redacted] and [redacted] inside');
    expect(scrubSecrets('key sk_live_AbC123 and rk_test_zz and whsec_q', [])).toBe('key [redacted] and [redacted] and [redacted]');
  });

  it('passes through what is not a Stripe error', () => {
    const plain = new TypeError('bug');
    expect(translateStripeError(plain, [])).toBe(plain);
    const ours = new BackendError('NOT_FOUND', 'x', { backend: 'payments' });
    expect(translateStripeError(ours, [])).toBe(ours);
  });
});
