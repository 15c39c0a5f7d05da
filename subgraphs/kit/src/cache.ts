/**
 * keyv caches for subgraphs: in memory by default, Redis when a URL is given, one
 * namespace per use. A cache that fails is a miss, never a failed request: errors are
 * logged and the value is loaded from the backend.
 */
import Keyv from 'keyv';
import KeyvRedis from '@keyv/redis';
import { withDeadline } from '../../../lib/withDeadline.js';

export interface CacheOptions {
  /** Namespace, e.g. "erp:catalog"; keys of different uses never collide. */
  namespace: string;
  /** Redis URL; memory when absent. */
  redisUrl?: string | undefined;
  /** Receives cache errors (they never reach the caller). */
  onError?: (error: unknown) => void;
}

export function createCache(options: CacheOptions): Keyv {
  const store = options.redisUrl ? new KeyvRedis(options.redisUrl, { throwOnConnectError: false, throwOnErrors: false, connectionTimeout: 1000 }) : new Map();
  const cache = new Keyv({ store, namespace: options.namespace, throwOnErrors: false });
  cache.on('error', (error: unknown) => options.onError?.(error));
  return cache;
}

/** Deadline for one cache operation; a slow cache is treated as a failing one. */
const CACHE_OP_TIMEOUT_MS = 250;

function withinCacheDeadline<T>(promise: Promise<T>): Promise<T> {
  return withDeadline(promise, CACHE_OP_TIMEOUT_MS, () => {
    throw new Error(`cache operation took longer than ${CACHE_OP_TIMEOUT_MS} ms`);
  });
}

/**
 * Read-through for many keys at once: cached values are returned, the rest loaded in
 * one call to `load` and written back with `ttlMs`. `load` returns a value or an Error
 * per missing key, in order; errors are not cached.
 */
export async function readThroughMany<V>(
  cache: Keyv,
  keys: readonly string[],
  ttlMs: number,
  load: (missing: string[]) => Promise<Array<V | Error>>,
  onError?: (error: unknown) => void,
): Promise<Array<V | Error>> {
  let cached: Array<V | undefined>;
  try {
    cached = (await withinCacheDeadline(cache.getMany<V>([...keys]))) as Array<V | undefined>;
  } catch (error) {
    onError?.(error);
    cached = keys.map(() => undefined);
  }
  const missing = keys.filter((_, i) => cached[i] === undefined);
  if (missing.length === 0) return cached as V[];
  const loaded = await load(missing);
  const byKey = new Map(missing.map((key, i) => [key, loaded[i]] as const));
  const fresh = missing.flatMap((key) => {
    const value = byKey.get(key);
    return value === undefined || value instanceof Error ? [] : [{ key, value, ttl: ttlMs }];
  });
  if (fresh.length > 0) {
    withinCacheDeadline(cache.setMany(fresh)).catch((error: unknown) => onError?.(error));
  }
  return keys.map((key, i) => cached[i] ?? (byKey.get(key) as V | Error));
}
