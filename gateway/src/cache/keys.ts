/**
 * The pieces cache keys are made of. Keys must be equal exactly when the cached value may
 * be served in place of a fetch, so JSON is canonical (object keys sorted) and every part
 * that can be long or secret is hashed.
 */
import { createHash } from 'node:crypto';

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** JSON with object keys in sorted order at every depth, so `{a,b}` and `{b,a}` give one key. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  // Plain loops and string appends: this runs for every representation of every cached fetch.
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i > 0 ? ',' : '') + canonicalJson(value[i]);
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  // The default sort compares UTF-16 code units, as `<` on strings does.
  const keys = Object.keys(record).sort();
  let out = '{';
  for (const key of keys) {
    const v = record[key];
    if (v === undefined) continue;
    out += `${out.length > 1 ? ',' : ''}${JSON.stringify(key)}:${canonicalJson(v)}`;
  }
  return `${out}}`;
}

/** The scope every request without credentials shares. */
export const ANONYMOUS_SCOPE = 'anonymous';

/**
 * Whose PRIVATE data a request may see: a hash of the caller's identity key
 * (auth/identity.ts's identityKey: kind, subject, scopes, customer binding; never a
 * token, which would then sit in Redis keys), or the anonymous scope.
 */
export function userScope(caller: string | undefined | null): string {
  return caller ? `user:${sha256(caller).slice(0, 32)}` : ANONYMOUS_SCOPE;
}

/** An entity named by its type and id, as invalidations name them (`Invoice:123`). */
export interface EntityRef {
  __typename: string;
  id: string;
}

export const entityRefKey = (ref: EntityRef): string => `${ref.__typename}:${ref.id}`;
