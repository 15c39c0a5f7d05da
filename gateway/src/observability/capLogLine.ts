/**
 * A bound on what one log line can carry. Clients choose much of what the gateway logs
 * (operation names, header values, error texts that quote their query), and a log
 * pipeline pays for every byte, so every serialised line passes through `capLogLine`
 * (pino's streamWrite hook, after secret redaction: a cut must not split a secret that
 * the redaction would have recognised):
 *
 * - any string value longer than `maxStringChars` keeps its start and says how much was cut;
 * - a line still longer than `maxLineChars` keeps only the fields that identify it
 *   (level, time, name, requestId, errorId, msg) and says so with `truncated: true`.
 *
 * Lines no longer than `maxStringChars` cannot hold a string that long and pass as they
 * are, unparsed: the operation log line of every request costs nothing more.
 */

export interface LogLineLimits {
  /** Longest string value kept whole, in characters. Default 4096 (a stack trace fits). */
  maxStringChars: number;
  /** Longest line, in characters. Default 16384. */
  maxLineChars: number;
}

export const DEFAULT_LOG_LINE_LIMITS: LogLineLimits = { maxStringChars: 4096, maxLineChars: 16_384 };

const IDENTIFYING_FIELDS = ['level', 'time', 'pid', 'hostname', 'name', 'requestId', 'errorId', 'code', 'msg'];

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…[${text.length - max} more characters]`;
}

function capStrings(value: unknown, max: number): unknown {
  if (typeof value === 'string') return truncate(value, max);
  if (Array.isArray(value)) return value.map((item) => capStrings(item, max));
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [truncate(key, max), capStrings(item, max)]));
  return value;
}

export function capLogLine(line: string, limits: LogLineLimits = DEFAULT_LOG_LINE_LIMITS): string {
  if (line.length <= limits.maxStringChars) return line;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    // Not one JSON object (pino writes nothing else): cut it, keeping the newline.
    return `${line.slice(0, limits.maxLineChars - 1)}\n`;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return `${line.slice(0, limits.maxLineChars - 1)}\n`;
  const capped = JSON.stringify(capStrings(parsed, limits.maxStringChars));
  if (capped.length < limits.maxLineChars) return `${capped}\n`;
  const record = parsed as Record<string, unknown>;
  const kept = Object.fromEntries(IDENTIFYING_FIELDS.filter((key) => key in record).map((key) => [key, capStrings(record[key], 256)]));
  return `${JSON.stringify({ ...kept, truncated: true, lineChars: line.length })}\n`;
}
