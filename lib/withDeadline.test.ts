import { afterEach, describe, expect, it, vi } from 'vitest';
import { withDeadline } from './withDeadline.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('withDeadline', () => {
  it("is the work's value or rejection when it settles in time, and clears its timer", async () => {
    vi.useFakeTimers();
    const onTimeout = vi.fn(() => 'late');
    await expect(withDeadline(Promise.resolve(1), 100, onTimeout)).resolves.toBe(1);
    await expect(withDeadline(Promise.reject(new Error('down')), 100, onTimeout)).rejects.toThrow('down');
    expect(vi.getTimerCount()).toBe(0);
    expect(onTimeout).not.toHaveBeenCalled();
  });

  it('past the deadline: what onTimeout returns, or its throw as the rejection', async () => {
    vi.useFakeTimers();
    const never = new Promise<number>(() => undefined);
    const fallback = withDeadline(never, 100, () => undefined);
    const failing = withDeadline(never, 100, () => {
      throw new Error('took longer than 100 ms');
    });
    const failed = expect(failing).rejects.toThrow('took longer than 100 ms');
    await vi.advanceTimersByTimeAsync(99);
    let settled = false;
    void fallback.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await expect(fallback).resolves.toBeUndefined();
    await failed;
  });

  it('a rejection of the work after the deadline is not left unhandled', async () => {
    vi.useFakeTimers();
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      let fail!: (error: Error) => void;
      const work = new Promise<number>((_, reject) => (fail = reject));
      const result = withDeadline(work, 10, () => 0);
      await vi.advanceTimersByTimeAsync(10);
      await expect(result).resolves.toBe(0);
      fail(new Error('late'));
      vi.useRealTimers();
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });
});
