/**
 * Query.products over Odoo's product search: search_read with an offset and a limit (one
 * more than asked, to know whether a page follows), and search_count for totalCount,
 * made in parallel and only when totalCount is selected. Cursors hold the offset.
 */
import { userError } from '../../kit/src/index.js';
import type { QueryProductsArgs } from './__generated__/resolvers-types.js';
import type { OdooErpConnector, ProductFilter } from './connector/OdooErpConnector.js';
import type { ProductRecord } from './models.js';
import { encodeCursor, offsetPage, type Connection } from './pagination.js';

const MAX_SEARCH_LENGTH = 100;

/** The arguments as an Odoo filter; an empty or blank search matches everything. */
export function productFilter(args: Pick<QueryProductsArgs, 'search' | 'inStockOnly'>): ProductFilter {
  const search = args.search?.trim() ?? '';
  if (search.length > MAX_SEARCH_LENGTH) throw userError('BAD_USER_INPUT', `search may hold at most ${MAX_SEARCH_LENGTH} characters, got ${search.length}`);
  return { search: search === '' ? null : search, inStockOnly: args.inStockOnly ?? false };
}

export async function productPage(connector: OdooErpConnector, args: QueryProductsArgs, wantsTotal: boolean): Promise<Connection<ProductRecord>> {
  // Checked before anything is sent, so a bad page costs no backend call.
  const { first, start } = offsetPage(args.first, args.after, 'p');
  const filter = productFilter(args);
  const [found, totalCount] = await Promise.all([
    connector.searchProducts(filter, start, first + 1),
    // Not selected, so never sent to the client: 0 stands in without a call.
    wantsTotal ? connector.countProducts(filter) : Promise.resolve(0),
  ]);
  const nodes = found.slice(0, first);
  const edges = nodes.map((node, i) => ({ node, cursor: encodeCursor({ k: 'p', o: start + i + 1 }) }));
  return { edges, nodes, pageInfo: { hasNextPage: found.length > first, endCursor: edges.at(-1)?.cursor ?? null }, totalCount };
}
