/**
 * Remembers the answers of a pure function of one string, for the few distinct strings
 * that come back on every request (Accept headers, query texts): at most `max` of them
 * (the least recently used forgotten first), each at most `maxKeyLength` long (longer
 * ones are computed each time). What a client sends can fill it, never grow it.
 */
import { BoundedMap } from './BoundedMap.js';

export function boundedMemo<T>(compute: (key: string) => T, options: { max: number; maxKeyLength: number }): (key: string) => T {
  const remembered = new BoundedMap<T>(options.max);
  return (key) => {
    if (key.length > options.maxKeyLength) return compute(key);
    if (remembered.has(key)) return remembered.get(key) as T;
    const value = compute(key);
    remembered.set(key, value);
    return value;
  };
}
