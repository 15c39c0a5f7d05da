/**
 * The Redis buckets with a way down: when Redis is not connected, a script fails, or
 * it does not answer within `timeoutMs` (a hung Redis must not stall requests), the
 * take is made from buckets in this process's memory with the same rule, so a client
 * is still limited, per replica, instead of let through. A limiter that fails open
 * while Redis is down would hand every client an unlimited budget for the length of
 * the outage, exactly when the gateway is weakest.
 *
 * While on memory, at most one take per `probeEveryMs` tries Redis again (and only
 * once the client says it is connected), so a dead Redis costs one bounded wait per
 * interval and not one per request; the first take Redis answers switches back. Each
 * switch is reported once through `onSwitch` (logs and the backend gauge).
 *
 * The memory buckets are kept between outages: a client that spent its local budget in
 * one does not get it back in the next before it has refilled.
 */
import { withDeadline } from '../../../lib/withDeadline.js';
import { MemoryBuckets, type BucketRule, type BucketStore, type RedisBuckets, type Take } from './buckets.js';

export type Backend = 'redis' | 'memory';

export interface FallbackBucketsOptions {
  redis: RedisBuckets;
  memory?: MemoryBuckets;
  /** Deadline of one Redis take, in ms, after which it counts as a failure. */
  timeoutMs: number;
  /** Least time between two attempts at Redis while on memory, in ms. Default 1000. */
  probeEveryMs?: number;
  /** Told once per switch: to memory with the failure that caused it, back to Redis without. */
  onSwitch: (backend: Backend, error?: unknown) => void;
  now?: () => number;
}

export class FallbackBuckets implements BucketStore {
  readonly kind = 'redis';
  private current: Backend = 'redis';
  private nextProbeAt = 0;
  private probing = false;
  private readonly memory: MemoryBuckets;
  private readonly now: () => number;

  constructor(private readonly options: FallbackBucketsOptions) {
    this.memory = options.memory ?? new MemoryBuckets();
    this.now = options.now ?? Date.now;
  }

  /** The store the last take used. */
  get backend(): Backend {
    return this.current;
  }

  async take(key: string, amount: number, rule: BucketRule): Promise<Take> {
    if (this.current === 'redis') {
      try {
        return await this.fromRedis(key, amount, rule);
      } catch (error) {
        this.switchTo('memory', error);
        return this.memory.take(key, amount, rule);
      }
    }
    if (this.probing || this.now() < this.nextProbeAt || !this.options.redis.available) return this.memory.take(key, amount, rule);
    this.probing = true;
    try {
      const taken = await this.fromRedis(key, amount, rule);
      this.switchTo('redis');
      return taken;
    } catch {
      this.nextProbeAt = this.now() + (this.options.probeEveryMs ?? 1000);
      return this.memory.take(key, amount, rule);
    } finally {
      this.probing = false;
    }
  }

  private async fromRedis(key: string, amount: number, rule: BucketRule): Promise<Take> {
    if (!this.options.redis.available) throw new Error('Redis not connected');
    return withDeadline(this.options.redis.take(key, amount, rule), this.options.timeoutMs, () => {
      throw new Error(`Redis did not answer within ${this.options.timeoutMs} ms`);
    });
  }

  private switchTo(backend: Backend, error?: unknown): void {
    // Concurrent takes that all failed switch once.
    if (this.current === backend) return;
    this.current = backend;
    if (backend === 'memory') this.nextProbeAt = this.now() + (this.options.probeEveryMs ?? 1000);
    this.options.onSwitch(backend, error);
  }
}
