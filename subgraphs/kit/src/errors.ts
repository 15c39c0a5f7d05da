/**
 * The error codes a subgraph sends to its clients, and the error a connector throws
 * when its backing system fails. A BackendError carries what the resilience policy
 * needs (may it be retried, after how long) and what a client may see (code, a message
 * that never holds a credential); formatSubgraphError turns it into a GraphQL error.
 */
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';

export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'CONFLICT'
  | 'PAYMENT_DECLINED'
  /** A write was sent and no answer came back: retry with the same idempotency key to learn its outcome. */
  | 'PAYMENT_OUTCOME_UNKNOWN'
  | 'RATE_LIMITED'
  | 'BACKEND_UNAVAILABLE'
  | 'BACKEND_ERROR'
  | 'DEADLINE_EXCEEDED'
  | 'INTERNAL_SERVER_ERROR';

export interface BackendErrorOptions {
  /** The backing system, e.g. "crm". */
  backend: string;
  /** HTTP status the backend answered with, if any. */
  status?: number;
  /** True when the same call may be sent again (the backend did not apply it). */
  retryable?: boolean;
  /** The backend asked us to wait this long before calling again (Retry-After). */
  retryAfterMs?: number;
  /** Extra, non-secret facts for the client (e.g. a decline code). */
  details?: Record<string, string | number | boolean | null>;
  cause?: unknown;
}

export class BackendError extends Error {
  readonly code: ErrorCode;
  readonly backend: string;
  readonly status: number | undefined;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly details: Record<string, string | number | boolean | null>;

  constructor(code: ErrorCode, message: string, options: BackendErrorOptions) {
    super(message, { cause: options.cause });
    this.name = 'BackendError';
    this.code = code;
    this.backend = options.backend;
    this.status = options.status;
    this.retryable = options.retryable ?? false;
    this.retryAfterMs = options.retryAfterMs;
    this.details = options.details ?? {};
  }
}

/**
 * A backend call given up because the request's deadline ran out: the time the gateway
 * gave this subgraph (x-graph360-deadline-ms, see kit/requestDeadline.ts) or a deadline the
 * caller passed. Not retryable: there is no time left to retry in.
 */
export class DeadlineExceededError extends BackendError {
  /** Attempts sent to the backend before giving up; 0 when nothing was sent. */
  readonly attempts: number;

  constructor(message: string, options: Omit<BackendErrorOptions, 'retryable' | 'status'> & { attempts: number }) {
    super('DEADLINE_EXCEEDED', message, { ...options, retryable: false });
    this.name = 'DeadlineExceededError';
    this.attempts = options.attempts;
  }
}

/** Maps an HTTP status from a backend to our code and whether a retry is safe for a read. */
export function codeForStatus(status: number): { code: ErrorCode; retryable: boolean } {
  if (status === 401) return { code: 'UNAUTHENTICATED', retryable: false };
  if (status === 403) return { code: 'FORBIDDEN', retryable: false };
  if (status === 404) return { code: 'NOT_FOUND', retryable: false };
  if (status === 409) return { code: 'CONFLICT', retryable: false };
  if (status === 429) return { code: 'RATE_LIMITED', retryable: true };
  if (status === 408 || status === 502 || status === 503 || status === 504) return { code: 'BACKEND_UNAVAILABLE', retryable: true };
  if (status >= 500) return { code: 'BACKEND_ERROR', retryable: true };
  return { code: 'BAD_USER_INPUT', retryable: false };
}

/** Parses a Retry-After header (seconds or an HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** A GraphQL error a resolver throws on bad input or a missing object. */
export function userError(code: 'NOT_FOUND' | 'BAD_USER_INPUT' | 'FORBIDDEN' | 'CONFLICT', message: string, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extra } });
}

export interface FormatErrorOptions {
  serviceName: string;
  /** Called with every error that is masked, so the details reach the log. */
  onMasked?: (error: unknown, id: string) => void;
}

/**
 * Apollo Server's formatError for every subgraph: backend errors keep their code and
 * gain serviceName; errors with a code pass through; anything else is masked, with an
 * id that is also in the log.
 */
export function formatSubgraphError(options: FormatErrorOptions) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof BackendError) {
      return {
        ...formatted,
        message: original.message,
        extensions: {
          code: original.code,
          serviceName: options.serviceName,
          backend: original.backend,
          ...(original.retryAfterMs !== undefined ? { retryAfterSeconds: Math.ceil(original.retryAfterMs / 1000) } : {}),
          ...original.details,
        },
      };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR') {
      const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions: { ...extensions, serviceName: options.serviceName } };
    }
    const id = crypto.randomUUID();
    options.onMasked?.(original, id);
    return {
      message: `Unexpected error in ${options.serviceName} (id ${id})`,
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR', serviceName: options.serviceName, errorId: id },
    };
  };
}
