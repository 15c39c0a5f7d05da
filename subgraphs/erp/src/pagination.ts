/**
 * The erp subgraph's cursor kinds (the generic paging is subgraphs/kit/src/pagination.ts):
 * an offset in a list paged in memory, or in Odoo's product search.
 */
import { checkFirst, cursorCodec, isCount, type OffsetCursor, type OffsetPage } from '../../kit/src/index.js';

export { checkFirst, MAX_PAGE_SIZE, pageOf, type Connection, type OffsetPage } from '../../kit/src/index.js';

/** Where a page starts: an offset in a list paged in memory (`o`), or in Odoo's product search (`p`). */
export type Cursor = OffsetCursor | { k: 'p'; o: number };

const codec = cursorCodec<Cursor>((c) => ((c.k === 'o' || c.k === 'p') && isCount(c.o) ? { k: c.k, o: c.o } : null));

export const encodeCursor = codec.encode;

/** Decodes `after` as a cursor of `kind`: its offset; anything else is BAD_USER_INPUT showing the value. */
export function decodeCursor(after: string, kind: Cursor['k']): number {
  return codec.decode(after, kind).o;
}

/** Checks the arguments before anything is loaded, so a bad page costs no backend call. */
export function offsetPage(first: number | null | undefined, after: string | null | undefined, kind: Cursor['k'] = 'o'): OffsetPage {
  return { first: checkFirst(first), start: after === null || after === undefined ? 0 : decodeCursor(after, kind) };
}
