/**
 * Every cache of the gateway behind keyv, one namespace per use (docs/gateway.md,
 * "Caches"): in memory by default, in Redis when a URL is given, so that replicas
 * share what they cached. With Redis, all namespaces share ONE client (one connection
 * per gateway, not one per namespace); keys are `<keyPrefix>:<namespace>::<key>`.
 *
 * Start-up never waits for Redis: the client connects (and reconnects) in the
 * background, and while it is not ready every operation is skipped as a miss by the
 * CacheStore guard. A gateway whose Redis is down therefore starts and serves, uncached.
 */
import Keyv from 'keyv';
import KeyvRedis, { createClient, type RedisClientType } from '@keyv/redis';
import type { Logger } from 'pino';
import type { CacheLayer, GatewayMetrics } from '../metrics.js';
import { BoundedMap } from '../../../lib/BoundedMap.js';
import { CacheStore } from './CacheStore.js';

export interface CacheStoresOptions {
  /** Redis URL; every namespace lives in memory when undefined. */
  redisUrl: string | undefined;
  /** Prefix of every Redis key, so that several deployments (or test runs) share one Redis. Default "graph360". */
  keyPrefix?: string;
  /** Deadline of one cache operation, in ms. Default 250. */
  operationTimeoutMs?: number;
  /** Most entries one in-memory namespace keeps. Default 50,000. */
  memoryMaxEntries?: number;
  logger: Logger;
  metrics: GatewayMetrics;
}

export interface CacheStores {
  readonly kind: 'memory' | 'redis';
  /** The one Redis client (when REDIS_URL is set), for what needs more than keyv: the rate limiter's atomic scripts. */
  readonly redis: RedisClient | undefined;
  /** The store of one namespace (created once, then the same instance). */
  store(namespace: string, layer: CacheLayer): CacheStore;
  close(): Promise<void>;
}

// node-redis's generic client type; createClient's inferred one is narrower than KeyvRedis accepts.
type RedisClient = RedisClientType;

export function createCacheStores(options: CacheStoresOptions): CacheStores {
  const keyPrefix = options.keyPrefix ?? 'graph360';
  const timeoutMs = options.operationTimeoutMs ?? 250;
  const logger = options.logger.child({ component: 'cache' });
  const client: RedisClient | undefined = options.redisUrl ? connectRedis(options.redisUrl, logger) : undefined;
  const stores = new Map<string, CacheStore>();

  const makeKeyv = (namespace: string): Keyv => {
    const prefixed = `${keyPrefix}:${namespace}`;
    if (!client) return new Keyv({ store: new BoundedMap(options.memoryMaxEntries ?? 50_000), namespace: prefixed, throwOnErrors: true });
    // Errors are thrown (and caught by the guard) rather than swallowed into a silent miss.
    const adapter = new KeyvRedis(client, { namespace: prefixed, throwOnConnectError: false, throwOnErrors: true });
    return new Keyv({ store: adapter, namespace: prefixed, useKeyPrefix: false, throwOnErrors: true });
  };

  return {
    kind: client ? 'redis' : 'memory',
    redis: client,
    store(namespace, layer) {
      let store = stores.get(namespace);
      if (!store) {
        store = new CacheStore({
          namespace,
          layer,
          keyv: makeKeyv(namespace),
          timeoutMs,
          available: () => !client || client.isReady,
          logger,
          metrics: options.metrics,
        });
        stores.set(namespace, store);
      }
      return store;
    },
    async close() {
      if (client?.isReady) await client.close().catch(() => client.destroy());
      else if (client?.isOpen) client.destroy();
    },
  };
}

function connectRedis(url: string, logger: Logger): RedisClient {
  const client: RedisClient = createClient({
    url,
    // Commands sent while disconnected fail at once instead of queueing behind a dead socket.
    disableOfflineQueue: true,
    socket: { connectTimeout: 1000, reconnectStrategy: (attempt: number) => Math.min(100 * 2 ** attempt, 2000) },
  }) as unknown as RedisClient;
  let down = false;
  client.on('error', (error: unknown) => {
    // One line per outage, not one per reconnect attempt.
    if (!down) logger.warn({ err: error, redis: redactUrl(url) }, 'Redis unavailable; caches are bypassed until it is back');
    down = true;
  });
  client.on('ready', () => {
    logger.info({ redis: redactUrl(url), recovered: down }, 'Redis connected; caches shared through it');
    down = false;
  });
  // Never awaited: the gateway starts whether or not Redis answers.
  client.connect().catch((error: unknown) => logger.warn({ err: error }, 'Redis connection given up'));
  return client;
}

/** The URL without its password, for logs. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'redis://(unparsable URL)';
  }
}
