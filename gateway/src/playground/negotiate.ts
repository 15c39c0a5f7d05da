/**
 * The two content negotiations the playground does: does this client want a page
 * (text/html) rather than a GraphQL response, and which compression does it accept.
 * Header parsing is kept to what RFC 9110's grammar needs here (media ranges or codings
 * with an optional q), with no dependency.
 */

/** Each comma-separated entry of an Accept-style header, lower-cased, with its q (default 1). */
function weighted(header: string | undefined): Array<{ value: string; q: number }> {
  if (!header) return [];
  return header.split(',').map((entry) => {
    const [value = '', ...params] = entry.split(';').map((part) => part.trim().toLowerCase());
    const q = params.find((param) => param.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    return { value, q: Number.isFinite(weight) ? weight : 0 };
  });
}

/** The highest q the header gives any of `values`, 0 when none is named. */
function quality(entries: Array<{ value: string; q: number }>, values: readonly string[]): number {
  return Math.max(0, ...entries.filter((entry) => values.includes(entry.value)).map((entry) => entry.q));
}

const JSON_TYPES = ['application/json', 'application/graphql-response+json', 'multipart/mixed'];

/**
 * True when the client names text/html and prefers it to every GraphQL response type.
 * A browser navigating names text/html first (and any type at q=0.8); API clients name
 * JSON types, or accept any type without naming html (curl), and keep getting GraphQL.
 */
export function prefersHtml(accept: string | undefined): boolean {
  const entries = weighted(accept);
  const html = quality(entries, ['text/html']);
  return html > 0 && html > quality(entries, JSON_TYPES);
}

/** br when accepted, else gzip when accepted, else none (identity). */
export function preferredEncoding(acceptEncoding: string | undefined): 'br' | 'gzip' | undefined {
  const entries = weighted(acceptEncoding);
  const star = quality(entries, ['*']);
  const named = (coding: string): number => (entries.some((entry) => entry.value === coding) ? quality(entries, [coding]) : star);
  const br = named('br');
  const gzip = named('gzip');
  if (br > 0 && br >= gzip) return 'br';
  if (gzip > 0) return 'gzip';
  return undefined;
}
