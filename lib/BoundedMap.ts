/**
 * A Map that forgets its least recently used entries past `maxEntries`: the in-memory
 * store behind keyv when there is no Redis (keyv handles expiry itself; this only bounds
 * the count), and every other table of the gateway that requests fill, so that a process
 * that runs for weeks cannot grow without bound.
 */
export class BoundedMap<V> extends Map<string, V> {
  constructor(private readonly maxEntries: number) {
    super();
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError(`maxEntries must be a positive integer, got ${maxEntries}`);
  }

  override get(key: string): V | undefined {
    if (!super.has(key)) return undefined;
    // Re-inserting moves the key to the end of Map's insertion order: most recently used.
    const value = super.get(key) as V;
    super.delete(key);
    super.set(key, value);
    return value;
  }

  /**
   * The value without marking the key used: for tables read on every request whose
   * entries are cheap to learn again (Cacheability), where the reordering get does
   * (a delete and an insert) would cost more than an early eviction.
   */
  peek(key: string): V | undefined {
    return super.get(key);
  }

  override set(key: string, value: V): this {
    super.delete(key);
    super.set(key, value);
    // The first key in insertion order is the least recently used one.
    while (this.size > this.maxEntries) super.delete(this.keys().next().value as string);
    return this;
  }
}
