/**
 * The gateway's JSON logger (pino). Lines about a request come from the child logger
 * that plugins/requestId keeps per request, so they carry its `requestId`. Secrets are
 * redacted by path wherever a caller might put them: the client's authorization header
 * and cookies, API keys, the invalidation secret, passwords and tokens in a config or
 * an error object. Behind the paths, every serialised line goes through
 * lib/redactSecrets.ts (pino's streamWrite hook): JWTs, Bearer/Basic credentials,
 * Stripe keys and the configured secret values are replaced wherever they appear,
 * messages included. Then the line is bounded (capLogLine.ts): no string value over 4 KB,
 * no line over 16 KB, whatever a client sent.
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import { chooseLogFormat, prettyStdout } from '../../../lib/logFormat.js';
import { secretRedactor } from '../../../lib/redactSecrets.js';
import { capLogLine, DEFAULT_LOG_LINE_LIMITS, type LogLineLimits } from './capLogLine.js';

export const REDACTED_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["x-graph360-gateway"]',
  'headers["x-graph360-gateway"]',
  '*.headers["x-api-key"]',
  '*.headers["x-graph360-gateway"]',
  '*.headers.cookie',
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
  // One level deeper (e.g. config.erp.password), for configs and error objects.
  '*.*.password',
  '*.*.secret',
  '*.*.secretKey',
  '*.*.token',
  '*.*.apiKey',
];

export interface GatewayLoggerOptions {
  /** pino level. Default info. */
  level?: string;
  /** Where lines go. Default stdout (tests pass a stream to read them back). */
  destination?: DestinationStream;
  /** Configured secret values (shared secrets, keys) to redact wherever they appear in a line. */
  secrets?: ReadonlyArray<string | undefined>;
  /** Bounds on one line. Default DEFAULT_LOG_LINE_LIMITS (4 KB per string, 16 KB per line). */
  lineLimits?: LogLineLimits;
}

/** Longest a line waits in the log buffer before it is written. */
export const LOG_FLUSH_MS = 100;

const withoutPathRedaction = new WeakMap<Logger, Logger>();

export function createGatewayLogger(options: GatewayLoggerOptions = {}): Logger {
  const redact = secretRedactor(options.secrets);
  const limits = options.lineLimits ?? DEFAULT_LOG_LINE_LIMITS;
  // With tracing on (lib/tracing.ts), a request's lines carry its trace_id and span_id as bindings of its child logger (plugins/requestId/).
  const common = { name: 'gateway', level: options.level ?? 'info', hooks: { streamWrite: (line: string) => capLogLine(redact(line), limits) } };
  // Stdout, in batches: lines are gathered up to 4 kB or for at most LOG_FLUSH_MS, then
  // written in one call (synchronous: a write handed to libuv's thread pool costs the
  // event loop more than the write itself); what is left is written when the process
  // exits (pino's exit hook). A process killed outright loses at most LOG_FLUSH_MS of lines.
  // On a developer's terminal, readable lines instead (lib/logFormat.ts: LOG_FORMAT, else pretty in development on a TTY).
  const destination =
    options.destination ??
    // No destination given: the gateway's entry point, which leaves LOG_FORMAT for this to read (tests pass a destination).
    // eslint-disable-next-line no-restricted-properties
    (chooseLogFormat(process.env, process.stdout.isTTY === true) === 'pretty'
      ? prettyStdout()
      : pino.destination({ dest: 1, sync: true, minLength: 4096, periodicFlush: LOG_FLUSH_MS }));
  const logger = pino({ ...common, redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' } }, destination);
  withoutPathRedaction.set(logger, pino(common, destination));
  return logger;
}

/**
 * A logger that writes where `logger` writes, with the same secret scrubbing of the whole
 * line and the same bounds, but without the redaction by path, which walks every object
 * logged: for lines whose fields are fixed and cannot hold credentials (the line per
 * operation). For a logger not made by createGatewayLogger, that logger itself.
 */
export function withoutRedactedPaths(logger: Logger): Logger {
  return withoutPathRedaction.get(logger) ?? logger;
}

export type { Logger };
