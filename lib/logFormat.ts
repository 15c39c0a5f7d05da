/**
 * How log lines are shown: JSON (pino's lines, for machines: pipes, files, production) or
 * pretty (pino-pretty: time, level, message and fields, one readable line per record),
 * for a developer's terminal. The services always log JSON (redaction and line bounds
 * apply to the JSON line); `npm start` shows its services' lines pretty when its own
 * output is a terminal, and the gateway started alone does the same.
 *
 *   LOG_FORMAT=pretty|json   wins; unset: pretty in development on a TTY, JSON otherwise.
 */
import { build as prettyStream, prettyFactory, type PrettyStream } from 'pino-pretty';
import { ConfigError, type Env } from './env.js';

export type LogFormat = 'pretty' | 'json';

/** The format for an output that is (`isTTY`) or is not a terminal. */
export function chooseLogFormat(env: Env, isTTY: boolean): LogFormat {
  const explicit = env.LOG_FORMAT;
  if (explicit === 'pretty' || explicit === 'json') return explicit;
  if (explicit !== undefined && explicit !== '') throw new ConfigError('LOG_FORMAT', `must be pretty or json, got "${explicit}"`);
  return env.NODE_ENV !== 'production' && isTTY ? 'pretty' : 'json';
}

/** What pino-pretty is told: the time of day, no pid/hostname (one machine), the service name shown by the caller. */
export const PRETTY_OPTIONS = { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,name', singleLine: true } as const;

/**
 * A formatter of one line: a pino JSON line becomes its pretty form (without the trailing
 * newline), anything else (a service's plain `console.log`) is returned as it is.
 */
export function prettyLines(colorize: boolean): (line: string) => string {
  const pretty = prettyFactory({ ...PRETTY_OPTIONS, colorize });
  return (line) => {
    if (!line.startsWith('{')) return line;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      return line;
    }
    if (record === null || typeof record !== 'object' || !('level' in record)) return line;
    return pretty(record as Record<string, unknown>).replace(/\n$/, '');
  };
}

/** A pino destination that writes pretty lines to stdout (synchronously, as the JSON destination does). */
export function prettyStdout(colorize = process.stdout.hasColors?.() ?? false): PrettyStream {
  return prettyStream({ ...PRETTY_OPTIONS, colorize, destination: 1, sync: true });
}
