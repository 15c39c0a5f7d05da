/**
 * Cache hints as subgraphs send them: Apollo Server's cache-control plugin turns the
 * @cacheControl hints of everything a response holds into one `Cache-Control` header,
 * `max-age=30, private`, or `no-store` when anything in it has no hint (or there were
 * errors). No header or no max-age means "do not cache".
 */
export type CacheScope = 'PUBLIC' | 'PRIVATE';

export interface CacheHint {
  /** Seconds the value may be served from a cache, at least 1. */
  maxAge: number;
  scope: CacheScope;
}

export function hintFromCacheControl(header: string | null | undefined): CacheHint | null {
  if (!header) return null;
  let maxAge: number | undefined;
  let scope: CacheScope = 'PUBLIC';
  for (const part of header.split(',')) {
    const [name, value] = part.trim().toLowerCase().split('=');
    if (name === 'no-store' || name === 'no-cache') return null;
    if (name === 'private') scope = 'PRIVATE';
    if (name === 'max-age' && value !== undefined && /^\d+$/.test(value)) maxAge = Number(value);
  }
  return maxAge !== undefined && maxAge > 0 ? { maxAge, scope } : null;
}
