/**
 * JSON logs (pino) for every service, with secrets redacted wherever they may appear:
 * authorization headers, API keys and backend credentials never reach a log line.
 */
import { pino, type Logger } from 'pino';

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
  '*.password',
  '*.token',
  '*.secretKey',
  '*.apiKey',
];

export function createLogger(name: string, level = 'info'): Logger {
  return pino({ name, level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } });
}

export type { Logger };
