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
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
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
