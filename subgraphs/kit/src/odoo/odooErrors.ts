/**
 * Odoo's failures as BackendErrors.
 *
 * Two layers can fail. The HTTP layer (the reverse proxy every production Odoo sits
 * behind, or the network): 502/503/504 and connection errors mean Odoo was not reached
 * and a read may be sent again; 429 carries Retry-After. The XML-RPC layer answers HTTP
 * 200 with a fault, and a fault is an answer, not an outage: Odoo ran the call and
 * refused it, so it is never retried. Odoo 16/17 fault codes on /xmlrpc/2/
 * (odoo/addons/base/controllers/rpc.py): 3 AccessDenied, 4 AccessError, 2 UserError and
 * its subclasses (ValidationError, MissingError), 1 anything else, with a traceback.
 *
 * No message holds the password: Odoo's fault strings can echo a call's arguments (a
 * traceback quotes them), so every one is cut to its last line and scrubbed before it
 * reaches a message, a log line or a client.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { BackendError, parseRetryAfter } from '../errors.js';

/** Longest part of an Odoo message passed on. */
const MAX_MESSAGE = 300;

/** Used when a 429 names no wait. */
export const DEFAULT_RATE_LIMIT_WAIT_MS = 1000;

/** Replaces every occurrence of each secret in `text`. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret !== '') out = out.split(secret).join('[redacted]');
  return out;
}

/**
 * The readable part of a fault string: the last line of a Python traceback (where Odoo
 * puts `ExceptionType: message`), or the message of a UserError, scrubbed and shortened.
 */
export function faultMessage(faultString: string, secrets: readonly string[]): string {
  let text = faultString.trim();
  if (text.startsWith('Traceback')) {
    const lines = text.split('\n').filter((line) => line.trim() !== '');
    text = lines.at(-1)?.trim() ?? '';
  }
  text = scrub(text, secrets).replace(/\s+/g, ' ');
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text;
}

/** True for the fault Odoo sends when a method does not exist on a model (an older or trimmed Odoo). */
export function isUnknownMethodFault(error: unknown, method: string): boolean {
  return (
    error instanceof BackendError &&
    error.details.odooFault === 1 &&
    typeof error.details.odooError === 'string' &&
    error.details.odooError.startsWith('AttributeError') &&
    error.message.includes(`'${method}' does not exist`)
  );
}

/** A fault answered by Odoo, as a BackendError; `operation` is e.g. "sale.order.create". */
export function errorForFault(faultCode: number | string, faultString: string, operation: string, secrets: readonly string[]): BackendError {
  const message = faultMessage(faultString, secrets);
  const options = { backend: 'erp', retryable: false };
  const details = (error: string | null) => ({
    odooFault: typeof faultCode === 'number' ? faultCode : String(faultCode).slice(0, 40),
    ...(error ? { odooError: error } : {}),
  });
  switch (faultCode) {
    case 3:
      return new BackendError(
        'UNAUTHENTICATED',
        `The ERP refused the configured credentials during ${operation} (Access Denied); check ERP_DB, ERP_USERNAME and ERP_PASSWORD.`,
        {
          ...options,
          details: details('AccessDenied'),
        },
      );
    case 4:
      return new BackendError('FORBIDDEN', `The ERP user may not run ${operation}: ${message}`, { ...options, details: details('AccessError') });
    case 2:
      if (/^Record does not exist or has been deleted/.test(message)) {
        return new BackendError('NOT_FOUND', `The ERP has no such record (${operation}): ${message}`, { ...options, details: details('MissingError') });
      }
      // UserError and ValidationError: Odoo refused the values, which came from the client.
      return new BackendError('BAD_USER_INPUT', `The ERP refused ${operation}: ${message}`, { ...options, details: details('UserError') });
    default: {
      const type = /^([A-Za-z_][\w.]*)(?::|$)/.exec(message)?.[1] ?? null;
      return new BackendError('BACKEND_ERROR', `The ERP failed ${operation}: ${message}`, { ...options, details: details(type) });
    }
  }
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** An HTTP answer other than 200: the proxy's or werkzeug's page, never Odoo's XML-RPC controller. */
export function errorForStatus(status: number, headers: IncomingHttpHeaders, operation: string): BackendError {
  const options = { backend: 'erp', status };
  if (status === 429) {
    const wait = parseRetryAfter(header(headers, 'retry-after')) ?? DEFAULT_RATE_LIMIT_WAIT_MS;
    return new BackendError('RATE_LIMITED', `The ERP rate limit was reached during ${operation} (HTTP 429)`, {
      ...options,
      retryable: true,
      retryAfterMs: wait,
    });
  }
  if (status === 408 || status === 502 || status === 503 || status === 504) {
    return new BackendError('BACKEND_UNAVAILABLE', `The ERP is unavailable (HTTP ${status} during ${operation})`, { ...options, retryable: true });
  }
  if (status === 401 || status === 403) {
    // A proxy in front of Odoo refused us; Odoo itself answers a bad login with a fault.
    return new BackendError(status === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN', `The ERP's web server refused ${operation} (HTTP ${status})`, options);
  }
  if (status >= 500) return new BackendError('BACKEND_ERROR', `The ERP failed during ${operation} (HTTP ${status})`, { ...options, retryable: true });
  // 404, 405, 413...: a wrong ERP_URL or a request the server will never take; not the client's input.
  return new BackendError('BACKEND_ERROR', `The ERP's web server refused ${operation} (HTTP ${status}); check ERP_URL`, options);
}

/** A request that never got an HTTP answer: refused, reset, or closed mid-way. */
export function unreachable(operation: string, error: unknown): BackendError {
  const code = typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  const reason = code ?? (error instanceof Error ? error.name : 'network error');
  return new BackendError('BACKEND_UNAVAILABLE', `The ERP could not be reached during ${operation} (${reason})`, {
    backend: 'erp',
    retryable: true,
    cause: error,
  });
}

/** A 200 answer that is not an XML-RPC response this service can read. */
export function malformed(what: string): BackendError {
  return new BackendError('BACKEND_ERROR', `The ERP sent a response this service cannot read: ${what}`, { backend: 'erp', retryable: false });
}
