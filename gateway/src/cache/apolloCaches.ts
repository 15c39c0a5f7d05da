/**
 * The caches Apollo itself reads, in the shapes it wants (KeyValueCache):
 *
 * - APQ and the whole-response cache hold strings, so they go through keyv (KeyvAdapter)
 *   and are shared through Redis; each is wrapped so that a failing or slow store is a
 *   miss (or a write given up), never a failed request: Apollo Server awaits these reads
 *   on the request path and would otherwise fail the request.
 * - Parsed documents (Apollo Server's documentStore) and query plans (the gateway's
 *   queryPlanStore) are live object graphs: a DocumentNode's tokens link to each other
 *   (prev/next) and Location is a class, and a plan holds the operation's AST and
 *   selection objects the executor uses as they are. Through JSON they would come back
 *   as different, broken objects, and re-parsing is cheaper than the Redis round trip
 *   it would replace. They stay in memory, per replica, in bounded LRUs (Apollo's
 *   defaults: 30 MiB each), wrapped only to count hits and misses.
 */
import { InMemoryLRUCache, type KeyValueCache, type KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import { KeyvAdapter } from '@apollo/utils.keyvadapter';
import type { CacheLayer, GatewayMetrics } from '../metrics.js';
import type { CacheStore } from './CacheStore.js';

/** A keyv namespace as Apollo's KeyValueCache, failures turned into misses. */
export class GuardedKeyValueCache implements KeyValueCache<string> {
  private readonly adapter: KeyValueCache<string>;

  /** `countLookups`: count hits and misses here (APQ); off where a plugin counts them (response). */
  constructor(
    private readonly store: CacheStore,
    private readonly metrics: GatewayMetrics,
    private readonly countLookups: boolean,
  ) {
    // KeyvAdapter is CommonJS and sees keyv's .d.cts typings; it is the same class at run time.
    this.adapter = new KeyvAdapter<string>(store.keyv as unknown as ConstructorParameters<typeof KeyvAdapter<string>>[0]);
  }

  async get(key: string): Promise<string | undefined> {
    const value = await this.store.guard('get', () => this.adapter.get(key), undefined);
    if (this.countLookups) this.metrics.cache(this.store.layer, value === undefined ? 'miss' : 'hit');
    return value;
  }

  async set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void> {
    await this.store.guard('set', () => this.adapter.set(key, value, options), undefined);
  }

  async delete(key: string): Promise<boolean> {
    return this.store.guard('delete', async () => (await this.adapter.delete(key)) !== false, false);
  }
}

/** A bounded in-memory LRU of live objects that counts its hits and misses. */
export class CountingLRUCache<V extends object> implements KeyValueCache<V> {
  private readonly lru: InMemoryLRUCache<V>;

  /**
   * `sizeOf`: an entry's approximate size in bytes. Default: its JSON's length (Apollo's
   * own measure), which only suits values that are plain data.
   */
  constructor(
    private readonly layer: CacheLayer,
    private readonly metrics: GatewayMetrics,
    sizeOf: (value: V) => number = InMemoryLRUCache.sizeCalculation,
  ) {
    this.lru = new InMemoryLRUCache<V>({ maxSize: 30 * 2 ** 20, sizeCalculation: sizeOf });
  }

  async get(key: string): Promise<V | undefined> {
    const value = await this.lru.get(key);
    this.metrics.cache(this.layer, value === undefined ? 'miss' : 'hit');
    return value;
  }

  set(key: string, value: V, options?: KeyValueCacheSetOptions): Promise<void> {
    return this.lru.set(key, value, options);
  }

  delete(key: string): Promise<boolean> {
    return this.lru.delete(key);
  }

  /** The gateway empties its plan cache when the supergraph changes. */
  clear(): void {
    this.lru.clear();
  }
}
