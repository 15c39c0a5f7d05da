/**
 * Resilience for one backing system, on cockatiel: a timeout per attempt, retries with
 * exponential backoff and full jitter (only for calls that are safe to repeat), the
 * backend's Retry-After honoured, and a circuit breaker shared by every call to it.
 */
import {
  BrokenCircuitError,
  ConsecutiveBreaker,
  DelegateBackoff,
  TaskCancelledError,
  TimeoutStrategy,
  circuitBreaker,
  handleWhen,
  retry,
  timeout,
  wrap,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import { BackendError } from './errors.js';

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
   * twice: reads, and writes that carry an idempotency key.
   */
  async execute<T>(call: (signal: AbortSignal) => Promise<T>, options: { retry: boolean }): Promise<T> {
    const { maxRetryAfterMs, baseDelayMs, maxDelayMs } = this.options;
    const retryPolicy = retry(
      handleWhen((error) => {
        if (error instanceof TaskCancelledError) return true;
        if (!(error instanceof BackendError) || !error.retryable) return false;
        return error.retryAfterMs === undefined || error.retryAfterMs <= maxRetryAfterMs;
      }),
      {
        maxAttempts: options.retry ? this.options.maxAttempts - 1 : 0,
        backoff: new DelegateBackoff((context) => {
          const reason = context.result;
          const error = 'error' in reason ? reason.error : undefined;
          if (error instanceof BackendError && error.retryAfterMs !== undefined) return error.retryAfterMs;
          const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (context.attempt - 1));
          return Math.random() * ceiling;
        }),
      },
    );
    const policy = wrap(retryPolicy, this.breaker, timeout(this.timeoutMs, TimeoutStrategy.Aggressive));
    try {
      // The only abort is the timeout's: whatever the aborted call threw, it timed out.
      // A signal of its own per call: cockatiel listens on the signal it is given, and a
      // shared one would collect a listener per call in flight.
      return await policy.execute(
        ({ signal }) =>
          call(signal).catch((error: unknown) => {
            throw signal.aborted ? new TaskCancelledError(`timed out after ${this.timeoutMs} ms`) : error;
          }),
        new AbortController().signal,
      );
    } catch (error) {
      throw this.translate(error);
    }
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
