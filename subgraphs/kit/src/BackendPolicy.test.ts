import DataLoader from 'dataloader';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BackendPolicy } from './BackendPolicy.js';
import { BackendError, DeadlineExceededError } from './errors.js';
import { outsideRequestDeadline, requestDeadline, runWithRequestDeadline, withinRequestDeadline } from './requestDeadline.js';

const unavailable = (retryAfterMs?: number): BackendError =>
  new BackendError(retryAfterMs === undefined ? 'BACKEND_UNAVAILABLE' : 'RATE_LIMITED', 'down', { backend: 'test', retryable: true, retryAfterMs });

/** A call that fails `failures` times with `error`, then answers `ok`; records each attempt's time. */
function flaky(failures: number, error: () => Error) {
  const attempts: number[] = [];
  const call = async (): Promise<string> => {
    attempts.push(Date.now());
    if (attempts.length <= failures) throw error();
    return 'ok';
  };
  return { call, attempts };
}

describe('BackendPolicy', () => {
  it('retries a retryable read until it succeeds', async () => {
    const policy = new BackendPolicy({ backend: 'test', baseDelayMs: 1, maxAttempts: 3 });
    const { call, attempts } = flaky(2, () => unavailable());
    await expect(policy.execute(call, { retry: true })).resolves.toBe('ok');
    expect(attempts).toHaveLength(3);
  });

  it('never retries a call that is not safe to repeat', async () => {
    const policy = new BackendPolicy({ backend: 'test', baseDelayMs: 1 });
    const { call, attempts } = flaky(1, () => unavailable());
    await expect(policy.execute(call, { retry: false })).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
    expect(attempts).toHaveLength(1);
  });

  it('does not retry a client error', async () => {
    const policy = new BackendPolicy({ backend: 'test', baseDelayMs: 1 });
    const { call, attempts } = flaky(1, () => new BackendError('NOT_FOUND', 'nope', { backend: 'test' }));
    await expect(policy.execute(call, { retry: true })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(attempts).toHaveLength(1);
  });

  it('waits at least the Retry-After the backend asked for', async () => {
    const policy = new BackendPolicy({ backend: 'test', baseDelayMs: 1 });
    const { call, attempts } = flaky(1, () => unavailable(200));
    await expect(policy.execute(call, { retry: true })).resolves.toBe('ok');
    expect(attempts).toHaveLength(2);
    expect(attempts[1]! - attempts[0]!).toBeGreaterThanOrEqual(195);
  });

  it('fails at once with RATE_LIMITED when Retry-After is longer than it may wait', async () => {
    const policy = new BackendPolicy({ backend: 'test', maxRetryAfterMs: 100 });
    const { call, attempts } = flaky(1, () => unavailable(60_000));
    await expect(policy.execute(call, { retry: true })).rejects.toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 60_000 });
    expect(attempts).toHaveLength(1);
  });

  it('turns a timeout into BACKEND_UNAVAILABLE and aborts the attempt', async () => {
    const policy = new BackendPolicy({ backend: 'test', timeoutMs: 20, maxAttempts: 1 });
    let aborted = false;
    const hang = (signal: AbortSignal) =>
      new Promise<string>((_, reject) => {
        signal.addEventListener('abort', () => {
          aborted = true;
          reject(new Error('aborted'));
        });
      });
    await expect(policy.execute(hang, { retry: true })).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE', message: 'test did not answer within 20 ms' });
    expect(aborted).toBe(true);
  });

  it('opens the breaker after consecutive failures, fails fast while open, and closes after a good trial call', async () => {
    const policy = new BackendPolicy({ backend: 'test', breakerThreshold: 3, breakerHalfOpenAfterMs: 50, maxAttempts: 1 });
    const states: string[] = [];
    policy.onBreakerStateChange((state) => states.push(state));
    let calls = 0;
    let healthy = false;
    const call = async (): Promise<string> => {
      calls++;
      if (!healthy) throw unavailable();
      return 'ok';
    };
    for (let i = 0; i < 3; i++) await expect(policy.execute(call, { retry: true })).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
    expect(policy.breakerState).toBe('open');
    await expect(policy.execute(call, { retry: true })).rejects.toThrow('circuit open');
    expect(calls).toBe(3);

    healthy = true;
    const deadline = Date.now() + 5000;
    let result: string | undefined;
    while (result === undefined && Date.now() < deadline) {
      result = await policy.execute(call, { retry: false }).catch(() => undefined);
      if (result === undefined) await new Promise((r) => setTimeout(r, 10));
    }
    expect(result).toBe('ok');
    expect(policy.breakerState).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'closed']);
  });
});

// On vitest's fake clock (Date and timers), so the attempts a deadline leaves room for are
// exact whatever the machine's load: the tests assert counts, and when (on that clock) the
// call gave up.
describe('BackendPolicy under a deadline', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A call that never answers; records each attempt and whether its signal aborted it. */
  function hung() {
    const attempts: Array<{ aborted: boolean }> = [];
    const call = (signal: AbortSignal) =>
      new Promise<string>((_, reject) => {
        const attempt = { aborted: false };
        attempts.push(attempt);
        signal.addEventListener('abort', () => {
          attempt.aborted = true;
          reject(new Error('aborted'));
        });
      });
    return { call, attempts };
  }

  /** The call's outcome, and whether it has settled yet. */
  function watch(promise: Promise<unknown>) {
    const state: { settled: boolean; error?: unknown } = { settled: false };
    promise.then(
      () => (state.settled = true),
      (error: unknown) => Object.assign(state, { settled: true, error }),
    );
    return state;
  }

  it('stops retrying when the deadline is shorter than attempts x timeout: exactly 3 of 5 attempts, the last cut at the deadline', async () => {
    // 1000 ms per attempt, waits under 100 ms: attempts at 0 and about 1000 run their full
    // second; the third starts before 2200 with under 1000 ms left and is cut at 2500.
    const policy = new BackendPolicy({ backend: 'erp', timeoutMs: 1000, maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 100, breakerThreshold: 100 });
    const { call, attempts } = hung();
    const outcome = watch(policy.execute(call, { retry: true, deadline: Date.now() + 2500 }));
    await vi.advanceTimersByTimeAsync(2499);
    expect(outcome.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(outcome.settled).toBe(true);
    expect(outcome.error).toBeInstanceOf(DeadlineExceededError);
    expect(outcome.error).toMatchObject({
      code: 'DEADLINE_EXCEEDED',
      backend: 'erp',
      attempts: 3,
      retryable: false,
      message: "erp did not answer before the gateway's deadline for this request ran out (attempt 3)",
    });
    expect(attempts.map((a) => a.aborted)).toEqual([true, true, true]);
    // Nothing more is tried after the call failed.
    await vi.advanceTimersByTimeAsync(10_000);
    expect(attempts).toHaveLength(3);
  });

  it("starts no wait that ends past the deadline: a Retry-After that does not fit ends the call at once, after 2 attempts, keeping the backend's Retry-After", async () => {
    const policy = new BackendPolicy({ backend: 'crm', maxAttempts: 5, breakerThreshold: 100 });
    const { call, attempts } = flaky(
      10,
      () => new BackendError('BACKEND_UNAVAILABLE', 'crm answered 503', { backend: 'crm', retryable: true, retryAfterMs: 1000 }),
    );
    const outcome = watch(policy.execute(call, { retry: true, deadline: Date.now() + 1500 }));
    // The first wait (0 to 1000) fits; the second would end at 2000: the call fails when the second attempt does.
    await vi.advanceTimersByTimeAsync(1000);
    expect(outcome.settled).toBe(true);
    expect(attempts).toHaveLength(2);
    expect(outcome.error).toMatchObject({
      code: 'DEADLINE_EXCEEDED',
      attempts: 2,
      retryAfterMs: 1000,
      message: "crm answered 503; the gateway's deadline for this request leaves no time to try again (after 2 attempts)",
    });
  });

  it('does not call the backend at all once the deadline has passed', async () => {
    const policy = new BackendPolicy({ backend: 'payments' });
    const { call, attempts } = flaky(0, () => unavailable());
    await expect(policy.execute(call, { retry: true, deadline: Date.now() })).rejects.toMatchObject({ code: 'DEADLINE_EXCEEDED', attempts: 0 });
    expect(attempts).toHaveLength(0);
  });

  it("takes the request's deadline when the call passes none, in a DataLoader batch too, and none outside a request", async () => {
    const policy = new BackendPolicy({ backend: 'erp', timeoutMs: 1000, maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1, breakerThreshold: 100 });
    const { call, attempts } = hung();
    const seen: Array<number | undefined> = [];
    const loader = new DataLoader(async (keys: readonly number[]) => {
      seen.push(requestDeadline());
      return Promise.all(keys.map(() => policy.execute(call, { retry: true }).catch((error: unknown) => error as Error)));
    });
    const deadline = Date.now() + 1500;
    // An Error value makes load() reject (DataLoader's contract): caught at once, looked at below.
    const loaded = runWithRequestDeadline(deadline, () => loader.load(1)).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(1500);
    expect(seen).toEqual([deadline]);
    // A first attempt of a full second, then one cut at 1500: 2 of the 3 allowed.
    expect(await loaded).toMatchObject({ code: 'DEADLINE_EXCEEDED', attempts: 2 });
    expect(attempts).toHaveLength(2);

    expect(requestDeadline()).toBeUndefined();
    expect(runWithRequestDeadline(deadline, () => outsideRequestDeadline(() => requestDeadline()))).toBeUndefined();
  });

  it('lets a request wait for shared work only until its deadline; the work goes on for the others', async () => {
    let finish: (value: string) => void = () => undefined;
    const shared = new Promise<string>((resolve) => (finish = resolve));
    const impatient = watch(runWithRequestDeadline(Date.now() + 100, () => withinRequestDeadline(shared, 'erp')));
    const patient = runWithRequestDeadline(Date.now() + 10_000, () => withinRequestDeadline(shared, 'erp'));
    await vi.advanceTimersByTimeAsync(100);
    expect(impatient).toMatchObject({ settled: true, error: { code: 'DEADLINE_EXCEEDED', backend: 'erp' } });
    finish('uid 2');
    await expect(patient).resolves.toBe('uid 2');
  });
});
