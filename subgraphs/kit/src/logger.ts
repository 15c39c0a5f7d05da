/**
 * JSON logs (pino) for every service, with secrets redacted wherever they may appear:
 * authorization headers, API keys and backend credentials never reach a log line. Paths
 * first (pino `redact`), then every serialised line through lib/redactSecrets.ts (JWTs,
 * Bearer/Basic credentials, Stripe keys and the configured `secrets`, in any field or
 * message). With tracing on, the active span's trace_id and span_id on every line.
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import { secretRedactor } from '../../../lib/redactSecrets.js';
import { traceLogOptions } from '../../../lib/tracing.js';

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
  // With tracing on (lib/tracing.ts), every line written inside a span carries its trace_id and span_id.
  const options = { name, level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, hooks: { streamWrite: secretRedactor(secrets) }, ...traceLogOptions() };
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger };
