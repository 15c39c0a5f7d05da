import { describe, expect, it } from 'vitest';
import { BackendPolicy } from './BackendPolicy.js';
import { BackendError } from './errors.js';

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
