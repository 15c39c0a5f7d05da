/**
 * One cache namespace (apq, entity, response, …): a keyv instance and the guard every
 * read and write goes through. The guard keeps the gateway's rule "a failing cache is
 * a miss, never a failed request": an operation that throws, or that takes longer than
 * the deadline (a Redis that is slow or gone), resolves to a fallback (a miss, or
 * nothing written), counts metrics.cache(layer, 'error') and is logged, at most once
 * per LOG_EVERY_MS per namespace so that a Redis outage under load does not flood the log.
 */
import type Keyv from 'keyv';
import type { Logger } from 'pino';
import { withDeadline } from '../../../lib/withDeadline.js';
import type { CacheLayer, GatewayMetrics } from '../metrics.js';

const LOG_EVERY_MS = 10_000;

export interface CacheStoreOptions {
  namespace: string;
  /** The metrics label for this namespace's operations. */
  layer: CacheLayer;
  keyv: Keyv;
  /** Deadline of one operation, in ms. */
  timeoutMs: number;
  /** False while the backing store is known to be unreachable: operations are skipped at once. */
  available: () => boolean;
  logger: Logger;
  metrics: GatewayMetrics;
}

export class CacheStore {
  readonly namespace: string;
  readonly layer: CacheLayer;
  readonly keyv: Keyv;
  private lastLogAt = 0;
  private suppressed = 0;

  constructor(private readonly options: CacheStoreOptions) {
    this.namespace = options.namespace;
    this.layer = options.layer;
    this.keyv = options.keyv;
    options.keyv.on('error', (error: unknown) => this.logFailure('store error', error));
  }

  /** Runs `operation` under the deadline; on failure logs, counts and returns `fallback`. */
  async guard<T>(what: string, operation: () => Promise<T>, fallback: T): Promise<T> {
    if (!this.options.available()) {
      this.options.metrics.cache(this.layer, 'error');
      this.logFailure(what, new Error('cache store unavailable (not connected)'));
      return fallback;
    }
    const attempt = operation();
    try {
      return await withDeadline(attempt, this.options.timeoutMs, () => {
        throw new Error(`cache ${what} took longer than ${this.options.timeoutMs} ms`);
      });
    } catch (error) {
      this.options.metrics.cache(this.layer, 'error');
      this.logFailure(what, error);
      return fallback;
    }
  }

  getMany<T>(keys: string[]): Promise<Array<T | undefined>> {
    if (keys.length === 0) return Promise.resolve([]);
    return this.guard(
      'getMany',
      () => this.keyv.getMany<T>(keys) as Promise<Array<T | undefined>>,
      keys.map(() => undefined),
    );
  }

  /** Writes entries with a TTL in ms each; resolves to false when the write failed (never rejects). */
  async setMany(entries: Array<{ key: string; value: unknown; ttl: number }>): Promise<boolean> {
    if (entries.length === 0) return true;
    return this.guard(
      'setMany',
      async () => {
        // keyv reports per-entry results for some stores and nothing (undefined) for Redis, whose errors throw instead.
        const results = (await this.keyv.setMany(entries)) as boolean[] | undefined;
        return !Array.isArray(results) || results.every(Boolean);
      },
      false,
    );
  }

  private logFailure(what: string, error: unknown): void {
    const now = Date.now();
    if (now - this.lastLogAt < LOG_EVERY_MS) {
      this.suppressed++;
      return;
    }
    this.options.logger.warn(
      { err: error, cacheNamespace: this.namespace, operation: what, suppressedSinceLastLog: this.suppressed },
      'cache operation failed; treated as a miss',
    );
    this.lastLogAt = now;
    this.suppressed = 0;
  }
}
