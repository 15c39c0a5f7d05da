/**
 * Connections: opaque cursors (base64url of a small JSON value) and paging of a list
 * already in memory. Each kind of cursor carries a tag, so a cursor from one list passed
 * to another is a BAD_USER_INPUT, not a silently wrong page.
 */
import { userError } from '../../kit/src/index.js';

export const MAX_PAGE_SIZE = 100;

export interface Connection<T> {
  edges: Array<{ cursor: string; node: T }>;
  nodes: T[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

/** Where a page starts: an offset in a list (`o`), or HubSpot's own cursors (`l`, `s`). */
export type Cursor =
  | { k: 'o'; o: number }
  /** Companies list: HubSpot's `after` (null: the start), then `s` records to skip. */
  | { k: 'l'; a: string | null; s: number }
  /** Companies search: the offset HubSpot's search takes as `after`. */
  | { k: 's'; o: number };

export function checkFirst(first: number): number {
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw userError('BAD_USER_INPUT', `first must be from 1 to ${MAX_PAGE_SIZE}, got ${first}`);
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
  if ((c.k === 'o' || c.k === 's') && isCount(c.o)) return { k: c.k, o: c.o };
  if (c.k === 'l' && (c.a === null || typeof c.a === 'string') && isCount(c.s)) return { k: 'l', a: c.a, s: c.s };
  return null;
}

/** Decodes `after` as a cursor of `kind`; anything else is BAD_USER_INPUT showing the value. */
export function decodeCursor<K extends Cursor['k']>(after: string, kind: K): Extract<Cursor, { k: K }> {
  const cursor = parse(after);
  if (cursor === null || cursor.k !== kind) {
    throw userError('BAD_USER_INPUT', `after: "${after.slice(0, 100)}" is not a cursor of this list; pass a previous page's endCursor`);
  }
  return cursor as Extract<Cursor, { k: K }>;
}

/** Validated `first`/`after` of a list paged in memory: how many, and from which offset. */
export interface OffsetPage {
  first: number;
  start: number;
}

/** Checks the arguments before anything is loaded, so a bad page costs no backend call. */
export function offsetPage(first: number, after: string | null | undefined): OffsetPage {
  return { first: checkFirst(first), start: after === null || after === undefined ? 0 : decodeCursor(after, 'o').o };
}

/** One page of `items` (already in their final order). */
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
