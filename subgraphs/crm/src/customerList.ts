/**
 * Query.customers over HubSpot's two ways of listing companies:
 * - no filter: the list API, paged by HubSpot's own `after` cursor. It has no total, so
 *   totalCount costs a one-result search, made (in parallel) only when it is selected.
 * - a filter: the search API (filters ANDed), paged by offset, total included. HubSpot's
 *   search reaches only the first 10,000 matches.
 * A cursor says which of the two made it, and one of the wrong kind is BAD_USER_INPUT.
 */
import { userError } from '../../kit/src/index.js';
import type { CustomerFilter } from './__generated__/resolvers-types.js';
import { HUBSPOT_LIMITS, type HubSpotCrmConnector, type SearchFilter } from './connector/HubSpotCrmConnector.js';
import type { CompanyRecord } from './models.js';
import { checkFirst, decodeCursor, encodeCursor, type Connection } from './pagination.js';
import { KNOWN_LIFECYCLE_VALUES, lifecycleValueOf } from './stages.js';

/** HubSpot allows 6 filters per group; one may be the lifecycle stage. */
const MAX_NAME_WORDS = 5;
/** More list calls than this for one page means HubSpot's paging is not progressing. */
const MAX_LIST_CALLS = 5;

/** The filter as HubSpot search filters; none when the filter asks for nothing. */
export function searchFilters(filter: CustomerFilter | null | undefined): SearchFilter[] {
  const filters: SearchFilter[] = [];
  if (filter?.nameContains !== undefined && filter.nameContains !== null) {
    const words = filter.nameContains.trim().split(/\s+/).filter(Boolean);
    if (words.length === 0) throw userError('BAD_USER_INPUT', 'filter.nameContains must contain a word');
    if (words.length > MAX_NAME_WORDS) throw userError('BAD_USER_INPUT', `filter.nameContains may hold at most ${MAX_NAME_WORDS} words, got ${words.length}`);
    // CONTAINS_TOKEN matches a whole word of the name, case-insensitively; each word must match.
    for (const word of words) filters.push({ propertyName: 'name', operator: 'CONTAINS_TOKEN', value: word });
  }
  if (filter?.lifecycleStage) {
    filters.push(
      filter.lifecycleStage === 'OTHER'
        ? { propertyName: 'lifecyclestage', operator: 'NOT_IN', values: [...KNOWN_LIFECYCLE_VALUES] }
        : { propertyName: 'lifecyclestage', operator: 'EQ', value: lifecycleValueOf(filter.lifecycleStage) },
    );
  }
  return filters;
}

type Page = Omit<Connection<CompanyRecord>, 'totalCount'>;

/** A page of the list API from a list cursor: HubSpot's `after`, then records to skip. */
async function listPage(connector: HubSpotCrmConnector, first: number, start: { a: string | null; s: number }): Promise<Page> {
  let hubspotAfter = start.a;
  let skip = start.s;
  const edges: Page['edges'] = [];
  let hasNextPage = false;
  for (let calls = 0; edges.length < first && calls < MAX_LIST_CALLS; calls++) {
    const need = first - edges.length;
    const { companies, nextAfter } = await connector.listCompanies(hubspotAfter, Math.min(HUBSPOT_LIMITS.listPage, skip + need));
    const taken = companies.slice(skip, skip + need);
    taken.forEach((node, i) => edges.push({ node, cursor: encodeCursor({ k: 'l', a: hubspotAfter, s: skip + i + 1 }) }));
    if (companies.length > skip + taken.length) {
      hasNextPage = true;
      break;
    }
    if (nextAfter === null) break;
    // This HubSpot page is used up: the next edge starts at HubSpot's own cursor.
    hasNextPage = true;
    const last = edges.at(-1);
    if (last) last.cursor = encodeCursor({ k: 'l', a: nextAfter, s: 0 });
    hubspotAfter = nextAfter;
    skip = 0;
  }
  return { edges, nodes: edges.map((edge) => edge.node), pageInfo: { hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
}

async function searchPage(connector: HubSpotCrmConnector, filters: SearchFilter[], first: number, after: string | null): Promise<Connection<CompanyRecord>> {
  const offset = after === null ? 0 : decodeCursor(after, 's').o;
  if (offset >= HUBSPOT_LIMITS.searchResults) {
    throw userError('BAD_USER_INPUT', `The CRM's search reaches only the first ${HUBSPOT_LIMITS.searchResults} matches; narrow the filter`);
  }
  const { companies, total, nextOffset } = await connector.searchCompanies(filters, offset, Math.min(first, HUBSPOT_LIMITS.searchResults - offset));
  const edges = companies.map((node, i) => ({ node, cursor: encodeCursor({ k: 's', o: offset + i + 1 }) }));
  return { edges, nodes: companies, pageInfo: { hasNextPage: nextOffset !== null, endCursor: edges.at(-1)?.cursor ?? null }, totalCount: total };
}

export async function customerPage(
  connector: HubSpotCrmConnector,
  args: { first: number; after?: string | null; filter?: CustomerFilter | null },
  wantsTotal: boolean,
): Promise<Connection<CompanyRecord>> {
  const first = checkFirst(args.first);
  const filters = searchFilters(args.filter);
  const after = args.after ?? null;
  if (filters.length > 0) return searchPage(connector, filters, first, after);
  // Decoded first, so a bad cursor costs no backend call.
  const start = after === null ? { a: null, s: 0 } : decodeCursor(after, 'l');
  const [page, totalCount] = await Promise.all([listPage(connector, first, start), wantsTotal ? connector.countCompanies([]) : Promise.resolve(0)]);
  return { ...page, totalCount };
}
