/**
 * JSON logs (pino) for every service, with secrets redacted wherever they may appear:
 * authorization headers, API keys and backend credentials never reach a log line. Paths
 * first (pino `redact`), then every serialised line through lib/redactSecrets.ts (JWTs,
 * Bearer/Basic credentials, Stripe keys and the configured `secrets`, in any field or
 * message). With tracing on, the active span's trace_id and span_id on every line.
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import { secretRedactor } from '../../../lib/redactSecrets.js';
import { traceLogFields, tracingEnabled } from '../../../lib/tracing.js';
import { requestTraceContext } from './requestDeadline.js';

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-api-key"]',
  'headers["x-graph360-gateway"]',
  'req.headers["x-graph360-gateway"]',
  '*.headers.authorization',
  '*.headers["x-graph360-gateway"]',
  'config.*.token',
  'config.*.password',
  'config.*.secretKey',
  'config.*.apiKey',
  'config.*.webhookSecret',
  'config.*.invalidationSecret',
  '*.password',
  '*.token',
  '*.secretKey',
  '*.apiKey',
  '*.*.password',
  '*.*.secretKey',
  '*.*.token',
  '*.*.apiKey',
];

/**
 * A JSON logger; `destination` defaults to stdout (tests pass a stream to read the lines
 * back); `secrets` are configured secret values redacted wherever they appear.
 */
export function createLogger(name: string, level = 'info', destination?: DestinationStream, secrets: ReadonlyArray<string | undefined> = []): Logger {
  // With tracing on (lib/tracing.ts), every line written for a request carries the trace_id and span_id of its trace context (requestDeadline.ts).
  const options = {
    name,
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    hooks: { streamWrite: secretRedactor(secrets) },
    ...(tracingEnabled() ? { mixin: requestTraceFields } : {}),
  };
  return destination ? pino(options, destination) : pino(options);
}

/** pino `mixin`: the ids of the trace context of the request being served (none outside a request). */
function requestTraceFields(): Record<string, string> {
  return traceLogFields(requestTraceContext()) as Record<string, string>;
}

export type { Logger };
