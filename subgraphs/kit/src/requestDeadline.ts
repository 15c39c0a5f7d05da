/**
 * The deadline of the GraphQL request a subgraph is serving, which every backend call of
 * that request must fit inside: the gateway sends it (lib/deadlineHeader.ts),
 * createSubgraphServer sets it around the request's execution, BackendPolicy.execute reads
 * it for each call (a call may also pass a deadline of its own).
 *
 * Why an AsyncLocalStorage, not a `deadline` on each subgraph's context passed down through
 * its loaders and connectors: the deadline belongs to the whole request, like a trace
 * context, and must reach every backend call it makes. Passed by hand it would be a new
 * parameter on some forty connector methods and on every loader and resolver that calls
 * one, in all three subgraphs (resolvers owned by others included), and a call site that
 * forgot it would go without a deadline with nothing to catch it: the parameter is
 * optional, since background work (the payments read model's sync) has no request. Here it
 * is set in one place and cannot be forgotten; DataLoader batches, run on a later tick,
 * keep the context of the load that scheduled them (and loaders are per request).
 *
 * What such a store gets wrong is work shared between requests or outliving one: it would
 * run under the deadline of whichever request started it. Such work starts through
 * outsideRequestDeadline, and each request waits for it with withinRequestDeadline (the
 * ERP connector's login, shared by every request, does both).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { TraceContext } from '../../../lib/tracing.js';
import { withDeadline } from '../../../lib/withDeadline.js';
import { DeadlineExceededError } from './errors.js';

/**
 * What the request's store holds: its deadline, and its trace context when tracing is on
 * (lib/tracing.ts). The trace context rides in the same store, for the same reasons as
 * the deadline: DataLoader batches and the connectors' backend calls (Stripe's HTTP
 * client among them, called from inside its SDK) must find it. One store, so tracing
 * adds no AsyncLocalStorage of its own (OpenTelemetry's context manager is not used).
 */
interface RequestScope {
  readonly deadline: number | undefined;
  readonly trace: TraceContext | undefined;
}

// Module-level, as an AsyncLocalStorage must be to be found again; each request's value lives in its own async context.
const scopes = new AsyncLocalStorage<RequestScope>();

/** Runs `fn` (and everything it starts) with this absolute deadline (Date.now() clock); with none when undefined. */
export function runWithRequestDeadline<T>(deadline: number | undefined, fn: () => T): T {
  return runInRequest(deadline, undefined, fn);
}

/** Runs `fn` (and everything it starts) with this deadline and this trace context (none when undefined). */
export function runInRequest<T>(deadline: number | undefined, trace: TraceContext | undefined, fn: () => T): T {
  return deadline === undefined && trace === undefined ? scopes.exit(fn) : scopes.run({ deadline, trace }, fn);
}

/** Runs `fn` with the current request's deadline and `trace` as its trace context (a span's, for what `fn` starts under it). */
export function runWithTrace<T>(trace: TraceContext | undefined, fn: () => T): T {
  return scopes.run({ deadline: scopes.getStore()?.deadline, trace }, fn);
}

/** The deadline of the request this code runs for, if it has one. */
export function requestDeadline(): number | undefined {
  return scopes.getStore()?.deadline;
}

/** The trace context of the request (or of the span within it) this code runs for; undefined when tracing is off. */
export function requestTraceContext(): TraceContext | undefined {
  return scopes.getStore()?.trace;
}

/** Starts work that is shared by requests or outlives them, free of the current request's deadline. */
export function outsideRequestDeadline<T>(fn: () => T): T {
  return scopes.exit(fn);
}

/**
 * Waits for shared work no longer than the current request's deadline: past it, rejects
 * with DEADLINE_EXCEEDED for `backend` (the work itself goes on, for the other requests).
 */
export function withinRequestDeadline<T>(work: Promise<T>, backend: string): Promise<T> {
  const deadline = requestDeadline();
  if (deadline === undefined) return work;
  return withDeadline(work, Math.max(0, deadline - Date.now()), () => {
    throw new DeadlineExceededError(`${backend} did not answer before the gateway's deadline for this request ran out`, { backend, attempts: 0 });
  });
}
