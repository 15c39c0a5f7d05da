/**
 * Work on one key, one at a time: for writes whose only guard against running twice is
 * "look first, then write" (the erp's createSalesOrder with an idempotency key; Odoo has
 * no unique constraint that would refuse the second order).
 *
 * - In this process, always: a queue per key (the next caller starts when the previous
 *   one has finished, whatever its outcome).
 * - Across replicas, when REDIS_URL is set: a lease in Redis (`SET key token NX PX`),
 *   waited for by polling, released by a compare-and-delete script so that a lease that
 *   expired and was taken by another replica is never released by the first. The lease
 *   outlives the work it guards (`leaseMs`, longer than a backend call's timeouts and
 *   retries); a replica that dies holding it blocks the key until it expires.
 * - Redis unreachable (or slower than `waitMs` to grant the lease): the work runs under
 *   the process's queue alone, and the caller is told (onDegraded) for the logs. A write
 *   is never refused because the lock store is down: the look-first step still catches
 *   every repeat that is not concurrent across replicas.
 * - With `requireLease` (money: payInvoice, refundPayment), the work never runs without
 *   the lease when Redis is configured: run() rejects with LockUnavailableError, and the
 *   caller refuses the write (nothing was done) rather than risk two replicas at once.
 */
import { randomUUID } from 'node:crypto';
import { createClient, type RedisClientType } from '@keyv/redis';

export interface KeyLock {
  /** Runs `work` when no other holder of `key` (here, or on another replica with Redis) is running. */
  run<T>(key: string, work: () => Promise<T>): Promise<T>;
  readonly kind: 'process' | 'redis';
  /** With Redis: whether it is connected now (work then runs under the lease). */
  readonly connected: boolean;
  close(): Promise<void>;
}

export interface KeyLockOptions {
  /** Prefix of the Redis keys, e.g. "erp:order-lock". */
  namespace: string;
  redisUrl?: string | undefined;
  /** How long a Redis lease lasts if its holder never releases it. Default 60 s. */
  leaseMs?: number;
  /** How long to wait for a lease before running under the process queue alone. Default 30 s. */
  waitMs?: number;
  /** Poll interval while another replica holds the lease. Default 50 ms. */
  pollMs?: number;
  /** Told when the work ran without the cross-replica lease, and why. */
  onDegraded?: (reason: string) => void;
  /** Refuse (LockUnavailableError) instead of running without the lease when Redis is configured. Default false. */
  requireLease?: boolean;
}

/** The cross-replica lease could not be had and the lock was told to require it: the work did not run. */
export class LockUnavailableError extends Error {
  constructor(reason: string) {
    super(`the cross-replica lock is unavailable: ${reason}`);
    this.name = 'LockUnavailableError';
  }
}

const RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

export function createKeyLock(options: KeyLockOptions): KeyLock {
  const queues = new Map<string, Promise<unknown>>();
  const client = options.redisUrl ? connect(options.redisUrl) : undefined;
  const leaseMs = options.leaseMs ?? 60_000;
  const waitMs = options.waitMs ?? 30_000;
  const pollMs = options.pollMs ?? 50;

  /** The lease's token once held; undefined when the work must run without it. */
  const degraded = (reason: string): undefined => {
    if (options.requireLease) throw new LockUnavailableError(reason);
    options.onDegraded?.(reason);
    return undefined;
  };

  async function acquire(redisKey: string): Promise<string | undefined> {
    if (!client) return undefined;
    if (!client.isReady) return degraded('Redis is not connected');
    const token = randomUUID();
    const deadline = Date.now() + waitMs;
    for (;;) {
      let granted: boolean;
      try {
        granted = (await client.set(redisKey, token, { NX: true, PX: leaseMs })) === 'OK';
      } catch (error) {
        return degraded(`Redis failed: ${(error as Error).message}`);
      }
      if (granted) return token;
      if (Date.now() >= deadline) return degraded(`the lease on ${redisKey} was not granted within ${waitMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  async function underLease<T>(key: string, work: () => Promise<T>): Promise<T> {
    const redisKey = `${options.namespace}:${key}`;
    const token = await acquire(redisKey);
    try {
      return await work();
    } finally {
      // Best effort: an unreleased lease expires after leaseMs.
      if (token && client?.isReady) await client.eval(RELEASE, { keys: [redisKey], arguments: [token] }).catch(() => undefined);
    }
  }

  return {
    kind: client ? 'redis' : 'process',
    get connected() {
      return client?.isReady ?? false;
    },
    async run<T>(key: string, work: () => Promise<T>): Promise<T> {
      const previous = queues.get(key) ?? Promise.resolve();
      const result = previous.then(
        () => underLease(key, work),
        () => underLease(key, work),
      );
      const tail = result.then(
        () => undefined,
        () => undefined,
      );
      queues.set(key, tail);
      try {
        return await result;
      } finally {
        if (queues.get(key) === tail) queues.delete(key);
      }
    },
    async close() {
      // Every run has released its lease by now (or it expires); nothing to wait for.
      if (client?.isOpen) client.destroy();
    },
  };
}

function connect(url: string): RedisClientType {
  const client = createClient({
    url,
    // A command sent while disconnected fails at once (the work then runs without the lease).
    disableOfflineQueue: true,
    socket: { connectTimeout: 1000, reconnectStrategy: (attempt: number) => Math.min(100 * 2 ** attempt, 2000) },
  }) as unknown as RedisClientType;
  client.on('error', () => undefined); // reported through onDegraded when it matters
  client.connect().catch(() => undefined);
  return client;
}
