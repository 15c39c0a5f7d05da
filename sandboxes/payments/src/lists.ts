/**
 * Stripe's two ways of paging: lists (`limit`, `starting_after`, `ending_before`,
 * `has_more`, `url`) and search results (`page`, `next_page`, `total_count` when
 * `expand[]=total_count`). Both walk entries already in list order (newest first).
 */
import { invalidRequest, noSuch } from './errors.js';
import type { Params } from './params.js';
import { compareEntries, type SortEntry } from './Table.js';

export const LIST_PARAMS = ['limit', 'starting_after', 'ending_before', 'expand'] as const;

export interface Page {
  ids: string[];
  hasMore: boolean;
}

/** First index whose entry comes after `cursor` in list order. */
function indexAfter(entries: readonly SortEntry[], cursor: SortEntry): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareEntries(entries[mid]!, cursor) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function readLimit(params: Params): number {
  return params.integer('limit', { min: 1, max: 100 }) ?? 10;
}

/**
 * One page of `entries` keeping those `keep` accepts. The cursor object must exist (it
 * may lie outside the filtered set: its place in list order is what counts).
 */
export function listPage(
  params: Params,
  entries: readonly SortEntry[],
  lookup: (id: string) => SortEntry | undefined,
  resource: string,
  keep: (id: string) => boolean = () => true,
): Page {
  const limit = readLimit(params);
  const startingAfter = params.string('starting_after');
  const endingBefore = params.string('ending_before');
  if (startingAfter !== undefined && endingBefore !== undefined) {
    throw invalidRequest('You may only specify one of these parameters: starting_after, ending_before.', {
      code: 'parameters_exclusive',
      param: 'ending_before',
    });
  }
  const cursorOf = (id: string, param: string): SortEntry => {
    const entry = lookup(id);
    if (!entry) throw noSuch(resource, id, param, 400);
    return entry;
  };
  const ids: string[] = [];
  if (endingBefore !== undefined) {
    // Walk back from the cursor towards newer entries, then give them newest first.
    const cursor = cursorOf(endingBefore, 'ending_before');
    let i = indexAfter(entries, cursor) - 1;
    if (entries[i]?.id === cursor.id) i--;
    for (; i >= 0 && ids.length <= limit; i--) if (keep(entries[i]!.id)) ids.push(entries[i]!.id);
    const hasMore = ids.length > limit;
    return { ids: ids.slice(0, limit).reverse(), hasMore };
  }
  let i = startingAfter !== undefined ? indexAfter(entries, cursorOf(startingAfter, 'starting_after')) : 0;
  for (; i < entries.length && ids.length <= limit; i++) if (keep(entries[i]!.id)) ids.push(entries[i]!.id);
  return { ids: ids.slice(0, limit), hasMore: ids.length > limit };
}

export function listObject(url: string, data: unknown[], hasMore: boolean): Record<string, unknown> {
  return { object: 'list', data, has_more: hasMore, url };
}

/** Search pages are opaque tokens; this one names the last id of the previous page. */
function encodePage(lastId: string): string {
  return Buffer.from(JSON.stringify({ after: lastId })).toString('base64url');
}

function decodePage(token: string): string {
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof value.after === 'string') return value.after;
  } catch {
    // fall through to the error below
  }
  throw invalidRequest(`Invalid page: ${token}`, { param: 'page' });
}

export interface SearchPage {
  ids: string[];
  hasMore: boolean;
  nextPage: string | null;
  totalCount: number;
}

/** One page of search results; `matches` are all the hits, in list order. */
export function searchPage(params: Params, matches: readonly string[]): SearchPage {
  const limit = readLimit(params);
  const page = params.string('page');
  let start = 0;
  if (page !== undefined && page !== '') {
    const after = decodePage(page);
    const index = matches.indexOf(after);
    start = index === -1 ? matches.length : index + 1;
  }
  const ids = matches.slice(start, start + limit);
  const hasMore = start + limit < matches.length;
  return { ids, hasMore, nextPage: hasMore ? encodePage(ids[ids.length - 1]!) : null, totalCount: matches.length };
}

/** `created=123` or `created[gte]=...&created[lt]=...`, as a test on a record's `created`. */
export function createdFilter(params: Params): ((created: number) => boolean) | null {
  if (!params.has('created')) return null;
  const raw = params.raw.created;
  if (typeof raw === 'string') {
    const exact = params.integer('created');
    return (created) => created === exact;
  }
  const range = params.hash('created', ['gt', 'gte', 'lt', 'lte']);
  if (!range) return null;
  const gt = range.integer('gt');
  const gte = range.integer('gte');
  const lt = range.integer('lt');
  const lte = range.integer('lte');
  return (created) =>
    (gt === undefined || created > gt) && (gte === undefined || created >= gte) && (lt === undefined || created < lt) && (lte === undefined || created <= lte);
}
