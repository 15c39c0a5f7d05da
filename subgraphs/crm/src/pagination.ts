/**
 * The crm subgraph's cursor kinds (the generic paging is subgraphs/kit/src/pagination.ts):
 * an offset in a list paged in memory, or HubSpot's own list and search cursors.
 */
import { checkFirst, cursorCodec, isCount, type OffsetCursor, type OffsetPage } from '../../kit/src/index.js';

export { checkFirst, MAX_PAGE_SIZE, pageOf, type Connection, type OffsetPage } from '../../kit/src/index.js';

/** Where a page starts: an offset in a list (`o`), or HubSpot's own cursors (`l`, `s`). */
export type Cursor =
  | OffsetCursor
  /** Companies list: HubSpot's `after` (null: the start), then `s` records to skip. */
  | { k: 'l'; a: string | null; s: number }
  /** Companies search: the offset HubSpot's search takes as `after`. */
  | { k: 's'; o: number };

const codec = cursorCodec<Cursor>((c) => {
  if ((c.k === 'o' || c.k === 's') && isCount(c.o)) return { k: c.k, o: c.o };
  if (c.k === 'l' && (c.a === null || typeof c.a === 'string') && isCount(c.s)) return { k: 'l', a: c.a, s: c.s };
  return null;
});

export const encodeCursor = codec.encode;
export const decodeCursor = codec.decode;

/** Checks the arguments before anything is loaded, so a bad page costs no backend call. */
export function offsetPage(first: number, after: string | null | undefined): OffsetPage {
  return { first: checkFirst(first), start: after === null || after === undefined ? 0 : decodeCursor(after, 'o').o };
}
