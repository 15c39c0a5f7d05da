/**
 * JSON logs (pino) for every service, with secrets redacted wherever they may appear:
 * authorization headers, API keys and backend credentials never reach a log line.
 */
import { pino, type DestinationStream, type Logger } from 'pino';

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-api-key"]',
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
];

/** A JSON logger; `destination` defaults to stdout (tests pass a stream to read the lines back). */
export function createLogger(name: string, level = 'info', destination?: DestinationStream): Logger {
  const options = { name, level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger };
