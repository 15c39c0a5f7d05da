/**
 * Remembers the answers of a pure function of one string, for the few distinct strings
 * that come back on every request (Accept headers, query texts): at most `max` of them,
 * each at most `maxKeyLength` long (longer ones are computed each time), the oldest
 * forgotten first. What a client sends can fill it, never grow it.
 */
export function boundedMemo<T>(compute: (key: string) => T, options: { max: number; maxKeyLength: number }): (key: string) => T {
  const remembered = new Map<string, T>();
  return (key) => {
    if (key.length > options.maxKeyLength) return compute(key);
    const known = remembered.get(key);
    if (known !== undefined || remembered.has(key)) return known as T;
    const value = compute(key);
    if (remembered.size >= options.max) remembered.delete(remembered.keys().next().value as string);
    remembered.set(key, value);
    return value;
  };
}
