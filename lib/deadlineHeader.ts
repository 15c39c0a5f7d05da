/**
 * The deadline the gateway gives a subgraph for one fetch, carried in a request header:
 * `x-graph360-deadline-ms: <milliseconds>`, the time the subgraph has to answer, counted
 * from when it receives the request. Relative rather than a timestamp, so the gateway's
 * and the subgraph's clocks need not agree (the time the request spends on the wire is
 * lost, which only makes the subgraph's deadline a little early). The gateway has already
 * taken off a margin for the answer's way back: a subgraph that answers within the
 * deadline is heard, with its own errors, before the gateway's SUBGRAPH_TIMEOUT_MS fires.
 *
 * Shared here because both ends must agree on it, and the gateway imports no subgraph code.
 */

export const DEADLINE_HEADER = 'x-graph360-deadline-ms';

/**
 * The longest deadline a subgraph takes from the header; a larger value is clamped to it.
 * Ten minutes, the most SUBGRAPH_TIMEOUT_MS allows.
 */
export const MAX_DEADLINE_MS = 600_000;

/**
 * The absolute deadline (on the Date.now() clock) that a header value gives a request
 * received at `receivedAt`; undefined when the header is absent or not a whole number of
 * milliseconds (a repeated header, which Node joins with commas, included): the request
 * then has no deadline of its own, only the backend policy's timeouts.
 */
export function deadlineFromHeader(value: string | string[] | undefined, receivedAt = Date.now()): number | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  if (!/^\d{1,16}$/.test(trimmed)) return undefined;
  return receivedAt + Math.min(Number(trimmed), MAX_DEADLINE_MS);
}
