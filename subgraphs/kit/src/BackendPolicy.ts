/**
 * Resilience for one backing system, on cockatiel: a timeout per attempt, retries with
 * exponential backoff and full jitter (only for calls that are safe to repeat), the
 * backend's Retry-After honoured, and a circuit breaker shared by every call to it.
 *
 * Every call also fits inside its request's deadline (kit/requestDeadline.ts: the time the
 * gateway gave this subgraph), so that the subgraph answers, with its own error at the
 * field's path, before the gateway gives up on it: each attempt's timeout is the smaller
 * of timeoutMs and the time left, no wait before a retry starts unless it ends before the
 * deadline, and a call out of time fails with DEADLINE_EXCEEDED. The retry loop is ours
 * rather than cockatiel's retry policy, whose backoff cannot decline to wait.
 */
import {
  BrokenCircuitError,
  ConsecutiveBreaker,
  TaskCancelledError,
  TimeoutStrategy,
  circuitBreaker,
  handleWhen,
  timeout,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import { isRecording, SpanKind, withSpan, type Span, type TraceContext } from '../../../lib/tracing.js';
import { BackendError, DeadlineExceededError } from './errors.js';
import { requestDeadline, requestTraceContext, runWithTrace } from './requestDeadline.js';

export interface BackendPolicyOptions {
  /** Backend name used in errors and metrics, e.g. "crm". */
  backend: string;
  /** Deadline for one attempt, in ms. Default 5000. */
  timeoutMs?: number;
  /** Attempts in all for a retryable call, the first included. Default 3. */
  maxAttempts?: number;
  /** First backoff step, in ms; it doubles per attempt, with full jitter. Default 100. */
  baseDelayMs?: number;
  /** Largest backoff step, in ms. Default 2000. */
  maxDelayMs?: number;
  /** Longest Retry-After we wait for; a longer one fails the call with RATE_LIMITED at once. Default 5000. */
  maxRetryAfterMs?: number;
  /** Consecutive failures that open the breaker. Default 5. */
  breakerThreshold?: number;
  /** How long the breaker stays open before it lets one trial call through, in ms. Default 10000. */
  breakerHalfOpenAfterMs?: number;
}

export interface ExecuteOptions {
  /** True only for calls that are safe to send twice: reads, and writes with an idempotency key. */
  retry: boolean;
  /** Absolute time (Date.now() clock) by which the call must be over. Default: the request's deadline (kit/requestDeadline.ts), if any. */
  deadline?: number;
  /** What the call does (e.g. "companies batch read"), for its span when tracing is on. */
  operation?: string;
}

/** The call's span, its context (the parent of each attempt's span) and what happened in it, when its request is traced. */
interface TracedCall {
  span: Span;
  ctx: TraceContext | undefined;
  attempts: number;
}

export type BreakerState = 'closed' | 'open' | 'half-open' | 'isolated';

const STATE_NAMES: Record<number, BreakerState> = { 0: 'closed', 1: 'open', 2: 'half-open', 3: 'isolated' };

/**
 * Failures that say the backend is unwell, as opposed to a bad request or a definite
 * answer: a timeout, an unreachable backend, a 5xx. A non-retryable BACKEND_ERROR (an
 * Odoo fault, say) is the backend answering, so it does not open the breaker.
 */
function isBackendFailure(error: unknown): boolean {
  if (error instanceof TaskCancelledError) return true;
  if (error instanceof BackendError) return error.retryable && (error.code === 'BACKEND_UNAVAILABLE' || error.code === 'BACKEND_ERROR');
  return false;
}

export class BackendPolicy {
  readonly backend: string;
  private readonly breaker: CircuitBreakerPolicy;
  private readonly timeoutMs: number;
  private readonly options: Required<Omit<BackendPolicyOptions, 'backend'>>;

  constructor(options: BackendPolicyOptions) {
    this.backend = options.backend;
    this.options = {
      timeoutMs: options.timeoutMs ?? 5000,
      maxAttempts: options.maxAttempts ?? 3,
      baseDelayMs: options.baseDelayMs ?? 100,
      maxDelayMs: options.maxDelayMs ?? 2000,
      maxRetryAfterMs: options.maxRetryAfterMs ?? 5000,
      breakerThreshold: options.breakerThreshold ?? 5,
      breakerHalfOpenAfterMs: options.breakerHalfOpenAfterMs ?? 10_000,
    };
    this.timeoutMs = this.options.timeoutMs;
    this.breaker = circuitBreaker(handleWhen(isBackendFailure), {
      halfOpenAfter: this.options.breakerHalfOpenAfterMs,
      breaker: new ConsecutiveBreaker(this.options.breakerThreshold),
    });
  }

  get breakerState(): BreakerState {
    return STATE_NAMES[this.breaker.state] ?? 'closed';
  }

  /** Subscribes to breaker state changes (for logs and metrics). */
  onBreakerStateChange(listener: (state: BreakerState) => void): void {
    this.breaker.onStateChange((state) => listener(STATE_NAMES[state] ?? 'closed'));
  }

  /**
   * Runs `call` under the policy. `retry: true` only for calls that are safe to send
   * twice: reads, and writes that carry an idempotency key. `deadline` (Date.now() clock)
   * defaults to the deadline of the request being served, if any.
   */
  async execute<T>(call: (signal: AbortSignal) => Promise<T>, options: ExecuteOptions): Promise<T> {
    // The parent: the trace context of the request, or of the DataLoader batch, this call is
    // made for (requestDeadline.ts); a call of an untraced request runs plainly.
    const parent = requestTraceContext();
    if (!isRecording(parent)) return this.run(call, options, undefined);
    // The call's span, with one child span per attempt (the backend's HTTP request carries the
    // attempt's traceparent: the attempt runs with its context in the request's store), an event
    // per retry (its wait, the backend's Retry-After), the attempts made and the breaker's state
    // before and after.
    const attributes = {
      'graph360.backend.name': this.backend,
      'graph360.backend.retryable': options.retry,
      'graph360.breaker.state': this.breakerState,
      ...(options.operation ? { 'graph360.backend.operation': options.operation } : {}),
    };
    return withSpan(`backend ${this.backend}${options.operation ? ` ${options.operation}` : ''}`, { attributes }, parent, async (span, ctx) => {
      const traced: TracedCall = { span, ctx, attempts: 0 };
      try {
        return await this.run(call, options, traced);
      } finally {
        span.setAttributes({
          'graph360.backend.attempts': traced.attempts,
          'graph360.backend.retries': Math.max(0, traced.attempts - 1),
          'graph360.breaker.state_after': this.breakerState,
        });
      }
    });
  }

  private async run<T>(call: (signal: AbortSignal) => Promise<T>, options: ExecuteOptions, traced: TracedCall | undefined): Promise<T> {
    const deadline = options.deadline ?? requestDeadline();
    const maxAttempts = options.retry ? this.options.maxAttempts : 1;
    for (let attempt = 1; ; attempt++) {
      const left = deadline === undefined ? Infinity : deadline - Date.now();
      if (left <= 0) {
        throw new DeadlineExceededError(`${this.backend} was not called: the gateway's deadline for this request had run out`, {
          backend: this.backend,
          attempts: attempt - 1,
        });
      }
      const attemptMs = Math.min(this.timeoutMs, left);
      try {
        if (!traced) return await this.attempt(call, attemptMs);
        traced.attempts = attempt;
        return await withSpan(
          `backend.attempt ${this.backend}`,
          {
            kind: SpanKind.CLIENT,
            attributes: { 'graph360.backend.name': this.backend, 'graph360.backend.attempt': attempt, 'graph360.backend.timeout_ms': attemptMs },
          },
          traced.ctx,
          (_span, ctx) => runWithTrace(ctx, () => this.attempt(call, attemptMs)),
        );
      } catch (error) {
        // Cut short by the deadline, not by its own timeout. Still counted by the breaker as a
        // timeout (the backend did not answer in the time it had): an error the breaker ignores
        // would, in half-open, close it (cockatiel counts those as a success).
        if (error instanceof TaskCancelledError && attemptMs < this.timeoutMs) {
          throw new DeadlineExceededError(`${this.backend} did not answer before the gateway's deadline for this request ran out (attempt ${attempt})`, {
            backend: this.backend,
            attempts: attempt,
            cause: error,
          });
        }
        const failure = this.translate(error);
        if (attempt >= maxAttempts || !this.mayRetry(error)) throw failure;
        const waitMs = this.waitAfter(attempt, error);
        if (deadline !== undefined && Date.now() + waitMs >= deadline) {
          const reason = failure instanceof Error ? failure.message : String(failure);
          throw new DeadlineExceededError(
            `${reason}; the gateway's deadline for this request leaves no time to try again (after ${attempt === 1 ? '1 attempt' : `${attempt} attempts`})`,
            {
              backend: this.backend,
              attempts: attempt,
              cause: failure,
              ...(failure instanceof BackendError && failure.retryAfterMs !== undefined ? { retryAfterMs: failure.retryAfterMs } : {}),
            },
          );
        }
        traced?.span.addEvent('retry', {
          'graph360.backend.attempt': attempt,
          'graph360.retry.wait_ms': Math.round(waitMs),
          ...(error instanceof BackendError && error.retryAfterMs !== undefined ? { 'graph360.retry.retry_after_ms': error.retryAfterMs } : {}),
          'graph360.breaker.state': this.breakerState,
        });
        await new Promise((resolve) => setTimeout(resolve, waitMs));
      }
    }
  }

  /** One attempt, through the breaker, aborted after `attemptMs`. */
  private attempt<T>(call: (signal: AbortSignal) => Promise<T>, attemptMs: number): Promise<T> {
    return this.breaker.execute(() =>
      // A timeout policy per attempt: its duration depends on the time left. Its signal is
      // the attempt's own: cockatiel listens on the signal it is given, and a shared one
      // would collect a listener per call in flight.
      timeout(attemptMs, TimeoutStrategy.Aggressive).execute(({ signal }) =>
        call(signal).catch((error: unknown) => {
          // The only abort is the timeout's: whatever the aborted call threw, it timed out.
          throw signal.aborted ? new TaskCancelledError(`timed out after ${attemptMs} ms`) : error;
        }),
      ),
    );
  }

  /** Timeouts and retryable backend errors, unless the backend asked for a wait longer than we may make. */
  private mayRetry(error: unknown): boolean {
    if (error instanceof TaskCancelledError) return true;
    if (!(error instanceof BackendError) || !error.retryable) return false;
    return error.retryAfterMs === undefined || error.retryAfterMs <= this.options.maxRetryAfterMs;
  }

  /** The wait after the `attempt`th failure: the backend's Retry-After, else exponential backoff with full jitter. */
  private waitAfter(attempt: number, error: unknown): number {
    if (error instanceof BackendError && error.retryAfterMs !== undefined) return error.retryAfterMs;
    const ceiling = Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** (attempt - 1));
    return Math.random() * ceiling;
  }

  private translate(error: unknown): unknown {
    if (error instanceof BrokenCircuitError) {
      return new BackendError('BACKEND_UNAVAILABLE', `${this.backend} is unavailable (circuit open after repeated failures)`, {
        backend: this.backend,
        cause: error,
      });
    }
    if (error instanceof TaskCancelledError) {
      return new BackendError('BACKEND_UNAVAILABLE', `${this.backend} did not answer within ${this.timeoutMs} ms`, {
        backend: this.backend,
        cause: error,
      });
    }
    return error;
  }
}
