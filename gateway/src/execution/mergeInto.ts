/**
 * Merges data a subgraph sent into the data already gathered for the same objects, in
 * place: the fetched objects are fresh from JSON.parse and owned by this request (the
 * data source hands every sharer of a deduplicated fetch its own copy), so their
 * sub-objects are adopted by reference rather than copied. Objects merge key by key;
 * lists of the same length merge element by element (the same list, fetched twice with
 * different fields); anything else replaces; undefined (a renamed key) is skipped.
 */
import { setOwn } from './DataRewrites.js';

export type Data = Record<string, unknown>;

export function isObject(value: unknown): value is Data {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The own value of `key`, or undefined: never one inherited from Object.prototype. */
export function ownValue(data: Data, key: string): unknown {
  const value = data[key];
  return value !== undefined && (typeof value === 'function' || key === '__proto__') ? (Object.hasOwn(data, key) ? value : undefined) : value;
}

export function mergeInto(target: Data, source: Data): void {
  for (const key in source) {
    const value = source[key];
    if (value === undefined) continue;
    const existing = ownValue(target, key);
    // Already there: the same answer merged into two entities that share what is below them.
    if (existing !== value) mergeExisting(target, key, existing, value);
  }
}

/** Merges `value` into `target[key]`, whose value is `existing` (undefined when it has none). */
export function mergeExisting(target: Data, key: string, existing: unknown, value: unknown): void {
  if (existing && isObject(value)) {
    if (isObject(existing)) mergeInto(existing, value);
    else setOwn(target, key, value);
  } else if (Array.isArray(value) && Array.isArray(existing) && value.length === existing.length) {
    for (let i = 0; i < value.length; i++) {
      const from = value[i];
      const into = existing[i];
      if (isObject(into) && isObject(from)) mergeInto(into, from);
      else existing[i] = from;
    }
  } else {
    setOwn(target, key, value);
  }
}
