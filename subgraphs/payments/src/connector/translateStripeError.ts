/**
 * Stripe's typed errors to BackendError: the code a client sees, whether the call may be
 * sent again, how long Stripe asked us to wait. Messages never carry a credential: an
 * authentication failure gets our own words (Stripe's echo part of the key), and every
 * other message is scrubbed of anything shaped like a Stripe secret.
 */
import Stripe from 'stripe';
import { BackendError, codeForStatus, parseRetryAfter } from '../../../kit/src/index.js';

const BACKEND = 'payments';

/** sk_live_…, sk_test_…, rk_…, whsec_…, even masked (sk_test_****1234). */
const SECRET_SHAPES = /\b(sk|rk)_(test|live)_[A-Za-z0-9*]+|\bwhsec_[A-Za-z0-9*]+/g;

export function scrubSecrets(message: string, secrets: readonly string[]): string {
  let out = message;
  for (const secret of secrets) if (secret) out = out.split(secret).join('[redacted]');
  return out.replace(SECRET_SHAPES, '[redacted]');
}

export function translateStripeError(error: unknown, secrets: readonly string[]): unknown {
  if (error instanceof BackendError) return error;
  if (!(error instanceof Stripe.errors.StripeError)) return error;
  const status = error.statusCode;
  const message = scrubSecrets(error.message, secrets);
  // No `cause`: the Stripe error holds the raw response, which we keep out of logs and clients.
  const base = { backend: BACKEND, status };

  if (error instanceof Stripe.errors.StripeCardError) {
    const paymentId = error.payment_intent?.id ?? null;
    return new BackendError('PAYMENT_DECLINED', message, {
      ...base,
      details: { declineCode: error.decline_code ?? error.code ?? null, paymentId },
    });
  }
  if (error instanceof Stripe.errors.StripeRateLimitError) {
    const retryAfterMs = parseRetryAfter(error.headers?.['retry-after']);
    return new BackendError('RATE_LIMITED', 'payments is rate limiting us; try again shortly', { ...base, retryable: true, retryAfterMs });
  }
  if (error instanceof Stripe.errors.StripeConnectionError) {
    return new BackendError('BACKEND_UNAVAILABLE', 'payments could not be reached', { ...base, retryable: true });
  }
  if (error instanceof Stripe.errors.StripeAuthenticationError) {
    return new BackendError('UNAUTHENTICATED', 'payments refused our API key (check STRIPE_SECRET_KEY)', base);
  }
  if (error instanceof Stripe.errors.StripePermissionError) {
    return new BackendError('FORBIDDEN', 'payments does not allow our API key to do this', base);
  }
  if (error instanceof Stripe.errors.StripeIdempotencyError) {
    return new BackendError('CONFLICT', message, base);
  }
  if (status === 409) {
    // Another request with the same idempotency key is still running: a moment later it replays.
    return new BackendError('CONFLICT', message, { ...base, retryable: true });
  }
  if (error instanceof Stripe.errors.StripeInvalidRequestError) {
    return new BackendError(status === 404 ? 'NOT_FOUND' : 'BAD_USER_INPUT', message, { ...base, details: error.param ? { param: error.param } : {} });
  }
  if (status !== undefined && status >= 500) {
    const { code, retryable } = codeForStatus(status);
    return new BackendError(code, `payments failed (HTTP ${status})`, { ...base, retryable });
  }
  return new BackendError('BACKEND_ERROR', `payments failed: ${message}`, { ...base, retryable: false });
}
