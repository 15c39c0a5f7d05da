/**
 * kit/keyLock.ts: one holder per key, in a process and (with Redis) across processes;
 * running without the cross-replica lease, and saying so, when Redis is not there.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createKeyLock, LockUnavailableError, type KeyLock } from './keyLock.js';
import { requireOrSkip, TEST_REDIS_URL } from '../../../test/support.js';

const REDIS_URL = TEST_REDIS_URL;

/** Runs `count` holders of one key at once through `locks` (round robin); returns the most that ever ran together. */
async function mostAtOnce(locks: KeyLock[], key: string, count: number): Promise<number> {
  let running = 0;
  let most = 0;
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      locks[i % locks.length]!.run(key, async () => {
        running++;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 20));
        running--;
      }),
    ),
  );
  return most;
}

describe('createKeyLock in one process', () => {
  const lock = createKeyLock({ namespace: 'test:lock' });
  afterAll(() => lock.close());

  it('runs the holders of one key one after the other, other keys alongside, and goes on after a failure', async () => {
    expect(lock.kind).toBe('process');
    expect(await mostAtOnce([lock], 'k1', 5)).toBe(1);
    let together = 0;
    let most = 0;
    const hold = (key: string) =>
      lock.run(key, async () => {
        together++;
        most = Math.max(most, together);
        await new Promise((resolve) => setTimeout(resolve, 20));
        together--;
      });
    await Promise.all([hold('a'), hold('b'), hold('c')]);
    expect(most).toBe(3);
    await expect(lock.run('k2', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await lock.run('k2', async () => 'next')).toBe('next');
  });

  it('runs without the lease, and says why, when Redis cannot be reached', async () => {
    const reasons: string[] = [];
    const unreachable = createKeyLock({ namespace: 'test:lock', redisUrl: 'redis://127.0.0.1:1', onDegraded: (reason) => reasons.push(reason) });
    try {
      expect(await unreachable.run('k', async () => 'ran')).toBe('ran');
      expect(reasons).toEqual(['Redis is not connected']);
    } finally {
      await unreachable.close();
    }
  });

  it('with requireLease, refuses to run without the lease when Redis cannot be reached, and the next holder is not blocked', async () => {
    const strict = createKeyLock({ namespace: 'test:lock', redisUrl: 'redis://127.0.0.1:1', requireLease: true });
    let ran = 0;
    try {
      await expect(strict.run('k', async () => void ran++)).rejects.toBeInstanceOf(LockUnavailableError);
      await expect(strict.run('k', async () => void ran++)).rejects.toThrow('the cross-replica lock is unavailable: Redis is not connected');
      expect(ran).toBe(0);
    } finally {
      await strict.close();
    }
  });
});

const redis = await requireOrSkip('keyLock.test.ts: the key lock through Redis', 'redis');

describe.runIf(redis)('createKeyLock across processes through Redis', () => {
  const reasons: string[] = [];
  const namespace = `test:lock:${process.pid}:${Date.now()}`;
  const one = createKeyLock({ namespace, redisUrl: REDIS_URL, pollMs: 5, onDegraded: (reason) => reasons.push(reason) });
  const two = createKeyLock({ namespace, redisUrl: REDIS_URL, pollMs: 5, onDegraded: (reason) => reasons.push(reason) });
  afterAll(async () => {
    await one.close();
    await two.close();
  });

  it('lets one holder of a key run at a time across two clients, and releases the lease after each', async () => {
    // Both clients connect in the background; wait until they have.
    const deadline = Date.now() + 5000;
    while (!(one.connected && two.connected) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(one.kind).toBe('redis');
    expect(await mostAtOnce([one, two], 'shared', 6)).toBe(1);
    expect(reasons).toEqual([]);
  });

  it('waits for a lease another replica holds, and takes it when that one releases it', async () => {
    const order: string[] = [];
    let release!: () => void;
    const held = one.run('busy', async () => {
      order.push('one starts');
      await new Promise<void>((resolve) => (release = resolve));
      order.push('one ends');
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const waiting = two.run('busy', async () => {
      order.push('two runs');
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(order).toEqual(['one starts']);
    release();
    await Promise.all([held, waiting]);
    expect(order).toEqual(['one starts', 'one ends', 'two runs']);
  });
});
