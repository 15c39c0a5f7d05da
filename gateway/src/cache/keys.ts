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
 * Whose PRIVATE data a request may see: a hash of its Authorization header (never the
 * token itself, which would then sit in Redis keys), or the anonymous scope. The graph
 * has no authentication yet, so today every request is anonymous; the key structure is
 * ready for per-user data the day a token identifies the user.
 */
export function userScope(authorization: string | undefined | null): string {
  return authorization ? `user:${sha256(authorization).slice(0, 32)}` : ANONYMOUS_SCOPE;
}

/** An entity named by its type and id, as invalidations name them (`Invoice:123`). */
export interface EntityRef {
  __typename: string;
  id: string;
}

export const entityRefKey = (ref: EntityRef): string => `${ref.__typename}:${ref.id}`;
