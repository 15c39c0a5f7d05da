/**
 * Connections shared by the subgraphs: `first` checked, opaque cursors (base64url of a
 * small JSON object with a kind tag `k`), and paging of a list already in memory. Each
 * subgraph declares its own cursor kinds (an offset, or a backend's own cursor) and
 * validates them with `cursorCodec`, so a cursor of one list passed to another is a
 * BAD_USER_INPUT, not a silently wrong page.
 */
import { userError } from './errors.js';

export const MAX_PAGE_SIZE = 100;

export interface Connection<T> {
  edges: Array<{ cursor: string; node: T }>;
  nodes: T[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

/** The cursor every subgraph shares: an offset into a list paged in memory. */
export type OffsetCursor = { k: 'o'; o: number };

export function checkFirst(first: number | null | undefined): number {
  if (typeof first !== 'number' || !Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw userError('BAD_USER_INPUT', `first must be from 1 to ${MAX_PAGE_SIZE}, got ${String(first)}`);
  }
  return first;
}

export const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

export interface CursorCodec<C extends { k: string }> {
  encode(cursor: C): string;
  /** Decodes `after` as a cursor of `kind`; anything else is BAD_USER_INPUT showing the value. */
  decode<K extends C['k']>(after: string, kind: K): Extract<C, { k: K }>;
}

/**
 * A codec for one subgraph's cursor kinds. `validate` gets the decoded JSON object and
 * returns the cursor when its fields have the right types for its kind, otherwise null.
 */
export function cursorCodec<C extends { k: string }>(validate: (value: Record<string, unknown>) => C | null): CursorCodec<C> {
  const parse = (raw: string): C | null => {
    if (!/^[A-Za-z0-9_-]+$/.test(raw)) return null;
    let value: unknown;
    try {
      value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    } catch {
      return null;
    }
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? validate(value as Record<string, unknown>) : null;
  };
  return {
    encode: (cursor) => Buffer.from(JSON.stringify(cursor)).toString('base64url'),
    decode(after, kind) {
      const cursor = parse(after);
      if (cursor === null || cursor.k !== kind) {
        throw userError('BAD_USER_INPUT', `after: "${after.slice(0, 100)}" is not a cursor of this list; pass a previous page's endCursor`);
      }
      return cursor as Extract<C, { k: typeof kind }>;
    },
  };
}

/** Validated `first`/`after` of a list paged in memory: how many, and from which offset. */
export interface OffsetPage {
  first: number;
  start: number;
}

const encodeOffset = (o: number): string => Buffer.from(JSON.stringify({ k: 'o', o } satisfies OffsetCursor)).toString('base64url');

/** One page of `items` (already filtered and in their final order); cursors are offsets (`k: 'o'`). */
export function pageOf<T>(items: readonly T[], { first, start }: OffsetPage): Connection<T> {
  const nodes = items.slice(start, start + first);
  const edges = nodes.map((node, i) => ({ cursor: encodeOffset(start + i + 1), node }));
  return {
    edges,
    nodes,
    pageInfo: { hasNextPage: start + first < items.length, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount: items.length,
  };
}
