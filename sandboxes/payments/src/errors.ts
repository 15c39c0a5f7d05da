/**
 * Stripe's error object and the statuses it travels with. Every error a client of the
 * sandbox sees goes through here, so it has Stripe's shape:
 * `{ error: { type, code?, decline_code?, message, param?, doc_url? } }`.
 */
import type { ProductErrors, SandboxResponse } from '../../kit/src/index.js';
import { newRequestId } from './ids.js';

export type StripeErrorType = 'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error';

export interface StripeErrorBody {
  type: StripeErrorType;
  message: string;
  code?: string;
  decline_code?: string;
  param?: string;
  doc_url?: string;
  charge?: string;
  payment_intent?: unknown;
  payment_method?: unknown;
}

/** Thrown by handlers before they write anything; the router turns it into a response. */
export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
    readonly headers: Record<string, string> = {},
  ) {
    super(body.message);
    this.name = 'StripeApiError';
  }
}

/** Stripe links each error code to its page, spelled with dashes. */
export function docUrl(code: string): string {
  return `https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}`;
}

export function invalidRequest(message: string, options: { code?: string; param?: string; status?: number } = {}): StripeApiError {
  const body: StripeErrorBody = { type: 'invalid_request_error', message };
  if (options.code) {
    body.code = options.code;
    body.doc_url = docUrl(options.code);
  }
  if (options.param) body.param = options.param;
  return new StripeApiError(options.status ?? 400, body);
}

export function missingParam(param: string): StripeApiError {
  return invalidRequest(`Missing required param: ${param}.`, { code: 'parameter_missing', param });
}

/** A resource named in the URL (404) or in a parameter (400) does not exist. */
export function noSuch(resource: string, id: string, param: string, status: 400 | 404 = 404): StripeApiError {
  return invalidRequest(`No such ${resource}: '${id}'`, { code: 'resource_missing', param, status });
}

export function unrecognizedUrl(method: string, path: string): StripeApiError {
  return invalidRequest(`Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`, {
    status: 404,
  });
}

export function idempotencyError(message: string): StripeApiError {
  return new StripeApiError(400, { type: 'idempotency_error', message });
}

export const JSON_CONTENT_TYPE = 'application/json';

/** Stripe pretty-prints its JSON, two spaces; clients and humans both read it. */
export function jsonBody(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

export function errorResponse(error: StripeApiError, headers: Record<string, string>): SandboxResponse {
  // Stripe lists the error's fields in alphabetical order.
  const body = Object.fromEntries(Object.entries(error.body).sort(([a], [b]) => a.localeCompare(b)));
  return {
    status: error.status,
    headers: { 'content-type': JSON_CONTENT_TYPE, ...headers, ...error.headers },
    body: jsonBody({ error: body }),
  };
}

/**
 * The answers for injected faults and failures of the shell, in Stripe's words. The 429
 * body is what Stripe sends today (type invalid_request_error, code rate_limit); the
 * official clients raise their rate-limit error from the status.
 */
export function createProductErrors(apiVersion: string): ProductErrors {
  const headers = (): Record<string, string> => ({ 'request-id': newRequestId(), 'stripe-version': apiVersion });
  return {
    serverError: () => errorResponse(new StripeApiError(500, { type: 'api_error', message: 'An unknown error occurred' }), headers()),
    rateLimited: (retryAfterSeconds) =>
      errorResponse(
        invalidRequest('Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.', {
          code: 'rate_limit',
          status: 429,
        }),
        { ...headers(), 'retry-after': String(retryAfterSeconds) },
      ),
    tooLarge: (limitBytes) =>
      errorResponse(invalidRequest(`The request body is too large: the sandbox reads at most ${limitBytes} bytes.`, { status: 413 }), {
        ...headers(),
      }),
    internal: (error) => {
      console.error('[payments sandbox] unexpected error:', error);
      return errorResponse(new StripeApiError(500, { type: 'api_error', message: 'An unknown error occurred' }), headers());
    },
  };
}
