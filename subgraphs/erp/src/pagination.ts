/**
 * Connections: opaque cursors (base64url of a small JSON value) and paging of a list
 * already in memory. Each kind of cursor carries a tag, so a cursor of one list passed to
 * another is a BAD_USER_INPUT, not a silently wrong page.
 *
 * (The same scheme as the crm subgraph's; see the report on moving it to subgraphs/kit.)
 */
import { userError } from '../../kit/src/index.js';

export const MAX_PAGE_SIZE = 100;

export interface Connection<T> {
  edges: Array<{ cursor: string; node: T }>;
  nodes: T[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

/** Where a page starts: an offset in a list paged in memory (`o`), or in Odoo's product search (`p`). */
export type Cursor = { k: 'o'; o: number } | { k: 'p'; o: number };

export function checkFirst(first: number | null | undefined): number {
  if (typeof first !== 'number' || !Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw userError('BAD_USER_INPUT', `first must be from 1 to ${MAX_PAGE_SIZE}, got ${String(first)}`);
  }
  return first;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

function parse(raw: string): Cursor | null {
  if (!/^[A-Za-z0-9_-]+$/.test(raw)) return null;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const c = value as Record<string, unknown>;
  if ((c.k === 'o' || c.k === 'p') && isCount(c.o)) return { k: c.k, o: c.o };
  return null;
}

/** Decodes `after` as a cursor of `kind`; anything else is BAD_USER_INPUT showing the value. */
export function decodeCursor(after: string, kind: Cursor['k']): number {
  const cursor = parse(after);
  if (cursor === null || cursor.k !== kind) {
    throw userError('BAD_USER_INPUT', `after: "${after.slice(0, 100)}" is not a cursor of this list; pass a previous page's endCursor`);
  }
  return cursor.o;
}

/** Validated `first`/`after`: how many, and from which offset. */
export interface OffsetPage {
  first: number;
  start: number;
}

/** Checks the arguments before anything is loaded, so a bad page costs no backend call. */
export function offsetPage(first: number | null | undefined, after: string | null | undefined, kind: Cursor['k'] = 'o'): OffsetPage {
  return { first: checkFirst(first), start: after === null || after === undefined ? 0 : decodeCursor(after, kind) };
}

/** One page of `items` (already filtered and in their final order). */
export function pageOf<T>(items: readonly T[], { first, start }: OffsetPage): Connection<T> {
  const nodes = items.slice(start, start + first);
  const edges = nodes.map((node, i) => ({ cursor: encodeCursor({ k: 'o', o: start + i + 1 }), node }));
  return {
    edges,
    nodes,
    pageInfo: { hasNextPage: start + first < items.length, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount: items.length,
  };
}
