/**
 * HubSpot's failures as BackendErrors: the HTTP status gives the code (kit's
 * codeForStatus), HubSpot's error body gives a message and a correlation id a support
 * ticket can quote, and a 429 gives the wait before the next attempt. No message ever
 * holds the access token: the one we would write never does, and HubSpot's own message
 * is scrubbed of it before it is passed on.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { BackendError, codeForStatus, parseRetryAfter } from '../../../kit/src/index.js';
import { isObject } from './records.js';

/** Used when a 429 names no wait and no window. */
export const DEFAULT_RATE_LIMIT_WAIT_MS = 1000;
/** Bounds of a wait derived from HubSpot's rate-limit window. */
export const MIN_RATE_LIMIT_WAIT_MS = 250;
export const MAX_RATE_LIMIT_WAIT_MS = 2000;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * How long to wait after a 429, or null when waiting within this request cannot help.
 *
 * HubSpot's burst-limit 429 usually carries no Retry-After, only X-HubSpot-RateLimit-*
 * headers describing a rolling window (10 s). Waiting the whole window (what
 * @hubspot/api-client does) would outlast any GraphQL request; the oldest call leaves a
 * rolling window at an unknown moment within it, so a tenth of the window (1 s for 10 s),
 * bounded to 0.25–2 s, gives the retry a fair chance while the request still answers in
 * time. The daily limit does not free up for hours: no retry.
 */
export function rateLimitWaitMs(headers: IncomingHttpHeaders, body: unknown): number | null {
  const policy = isObject(body) && typeof body.policyName === 'string' ? body.policyName : '';
  if (policy.toUpperCase().includes('DAILY')) return null;
  const retryAfter = parseRetryAfter(header(headers, 'retry-after'));
  if (retryAfter !== undefined) return retryAfter;
  const interval = Number(header(headers, 'x-hubspot-ratelimit-interval-milliseconds'));
  if (Number.isFinite(interval) && interval > 0) {
    return Math.min(MAX_RATE_LIMIT_WAIT_MS, Math.max(MIN_RATE_LIMIT_WAIT_MS, Math.round(interval / 10)));
  }
  // The search endpoints' per-second limit says so in its message, not in a header.
  return DEFAULT_RATE_LIMIT_WAIT_MS;
}

/** Replaces every occurrence of `secret` in `text`. */
export function scrub(text: string, secret: string): string {
  return secret === '' ? text : text.split(secret).join('[redacted]');
}

/** HubSpot's error message, category and correlation id, scrubbed and shortened. */
function describe(body: unknown, token: string): { message: string | null; details: Record<string, string> } {
  if (!isObject(body)) return { message: null, details: {} };
  const details: Record<string, string> = {};
  if (typeof body.category === 'string') details.hubspotCategory = body.category;
  if (typeof body.correlationId === 'string') details.correlationId = body.correlationId;
  const message = typeof body.message === 'string' ? scrub(body.message, token).slice(0, 500) : null;
  return { message, details };
}

export function errorForResponse(status: number, headers: IncomingHttpHeaders, body: unknown, token: string, operation: string): BackendError {
  const { code, retryable } = codeForStatus(status);
  const { message, details } = describe(body, token);
  const options = { backend: 'crm', status, retryable, details };
  if (status === 401) {
    // HubSpot's 401 text points at OAuth docs; ours says what to fix, without the token.
    return new BackendError(code, 'The CRM refused the configured access token (HTTP 401); check CRM_API_TOKEN.', options);
  }
  if (status === 403) {
    return new BackendError(code, `The CRM access token lacks the scope for ${operation} (HTTP 403)${message ? `: ${message}` : ''}`, options);
  }
  if (status === 429) {
    const wait = rateLimitWaitMs(headers, body);
    return new BackendError(code, `The CRM rate limit was reached during ${operation}${message ? `: ${message}` : ''}`, {
      ...options,
      retryable: wait !== null,
      ...(wait !== null ? { retryAfterMs: wait } : {}),
    });
  }
  if (status >= 500) return new BackendError(code, `The CRM failed during ${operation} (HTTP ${status})`, options);
  return new BackendError(code, `The CRM refused ${operation} (HTTP ${status})${message ? `: ${message}` : ''}`, options);
}

/** A request that never got an HTTP answer: refused, reset, or closed mid-way. */
export function unreachable(operation: string, error: unknown): BackendError {
  const reason = isObject(error) && typeof error.code === 'string' ? error.code : error instanceof Error ? error.name : 'network error';
  return new BackendError('BACKEND_UNAVAILABLE', `The CRM could not be reached during ${operation} (${reason})`, {
    backend: 'crm',
    retryable: true,
    cause: error,
  });
}
