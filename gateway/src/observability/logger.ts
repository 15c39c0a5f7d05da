/**
 * The gateway's JSON logger (pino). Lines about a request come from the child logger
 * that plugins/requestId keeps per request, so they carry its `requestId`. Secrets are
 * redacted by path wherever a caller might put them: the client's authorization header
 * and cookies, API keys, the invalidation secret, passwords and tokens in a config or
 * an error object. Paths, not patterns: a secret inside a free-text message (a Redis
 * URL with a password, say) is the caller's job to leave out.
 */
import { pino, type DestinationStream, type Logger } from 'pino';

export const REDACTED_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'headers.cookie',
  'headers["x-api-key"]',
  'request.headers.authorization',
  '*.headers.authorization',
  'authorization',
  '*.authorization',
  'invalidationSecret',
  '*.invalidationSecret',
  'secret',
  '*.secret',
  'password',
  '*.password',
  'token',
  '*.token',
  'apiKey',
  '*.apiKey',
];

export interface GatewayLoggerOptions {
  /** pino level. Default info. */
  level?: string;
  /** Where lines go. Default stdout (tests pass a stream to read them back). */
  destination?: DestinationStream;
}

export function createGatewayLogger(options: GatewayLoggerOptions = {}): Logger {
  const settings = { name: 'gateway', level: options.level ?? 'info', redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' } };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

export type { Logger };
