/**
 * POST /payment/stripe/webhook, the route Odoo's Stripe payment provider
 * (`payment_stripe/controllers/main.py`) gives Stripe as its webhook endpoint.
 *
 * The signature is checked on the raw body before anything is parsed; a missing or bad
 * signature, or a body that is not a JSON event, is a 400, which Stripe retries and shows
 * as failed. Everything else is a 200 with Odoo's body `""`, also for event types the ERP
 * does not act on and for events it ignores, so that Stripe stops retrying them, and for
 * an event already processed (Stripe delivers at least once). An unexpected error is a
 * 500, which Stripe retries: never a crash, and never a 200 that would lose the event.
 */
import type { RoutedCall, SandboxRequest, SandboxResponse } from '../../../kit/src/index.js';
import { badRequest, internalServerError, methodNotAllowed } from '../httpErrors.js';
import { checkStripeSignature } from './stripeSignature.js';
import type { EventResult, StripeReconciler } from './StripeReconciler.js';

export const STRIPE_WEBHOOK_PATH = '/payment/stripe/webhook';
/** The stats name of every POST to the webhook, whatever its outcome. */
export const STRIPE_WEBHOOK_OPERATION = 'payment.stripe.webhook';

/**
 * Not Odoo's: says what the sandbox made of a delivery (`applied`, `ignored`, `duplicate`,
 * `unhandled`), for tests and for whoever debugs with curl. Stripe ignores it.
 */
export const RESULT_HEADER = 'x-sandbox-webhook-result';

// request.make_json_response('') in Odoo's controller.
const acknowledged = (result: EventResult['status']): SandboxResponse => ({
  status: 200,
  headers: { 'content-type': 'application/json; charset=utf-8', [RESULT_HEADER]: result },
  body: '""',
});

export interface StripeWebhookRouteOptions {
  /** The endpoint's signing secret (`whsec_...`). */
  secret: string;
  reconciler: StripeReconciler;
  now?: () => number;
}

function handle(request: SandboxRequest, options: StripeWebhookRouteOptions): SandboxResponse {
  const problem = checkStripeSignature({
    rawBody: request.body,
    header: request.headers['stripe-signature'],
    secret: options.secret,
    nowMs: (options.now ?? Date.now)(),
  });
  if (problem) return badRequest(problem);
  let event: unknown;
  try {
    event = JSON.parse(request.body.toString('utf8'));
  } catch {
    return badRequest('The payload is not valid JSON.');
  }
  const envelope = typeof event === 'object' && event !== null ? (event as Record<string, unknown>) : {};
  const { id, type, data } = envelope;
  if (typeof id !== 'string' || id === '' || typeof type !== 'string' || type === '')
    return badRequest('The payload is not a Stripe event: it needs an id and a type.');
  const object = typeof data === 'object' && data !== null ? (data as Record<string, unknown>).object : undefined;
  return acknowledged(options.reconciler.process({ id, type, object }).status);
}

export function createStripeWebhookRoute(options: StripeWebhookRouteOptions): (request: SandboxRequest) => RoutedCall | SandboxResponse {
  return (request) => {
    if (request.method !== 'POST') return methodNotAllowed();
    return {
      operation: STRIPE_WEBHOOK_OPERATION,
      run: () => {
        try {
          return handle(request, options);
        } catch (error) {
          console.error('[erp sandbox] stripe webhook failed:', error);
          return internalServerError();
        }
      },
    };
  };
}
