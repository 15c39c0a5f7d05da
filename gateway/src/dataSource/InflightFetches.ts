/**
 * In-flight deduplication of subgraph fetches: while a fetch is on its way, an identical
 * one (same subgraph, query, variables and credentials: see dedupKey) waits for it
 * instead of being sent. The caller decides what may be shared: never a mutation.
 *
 * The gateway merges fetched data into its result objects in place, so every sharer
 * needs its own copy: the answer is serialised once, as soon as it arrives and before
 * the first fetcher's code runs on it, if anyone joined; each sharer parses its own copy.
 * The entry is removed at that same moment, so nobody joins a fetch whose copy was made.
 */
import type { RemoteGraphQLDataSource } from '@apollo/gateway';

export type SubgraphResponse = Awaited<ReturnType<RemoteGraphQLDataSource['process']>>;

interface Entry {
  sharers: number;
  copy: Promise<{ json: string; http: SubgraphResponse['http'] }>;
}

/**
 * Identical fetches: same URL, query, variables and caller (auth/identity's identityKey;
 * the request id differs per request and does not count). The key is plain JSON of the
 * four (one native call; it lives only in this process's map while the fetch is in
 * flight, so it is neither hashed nor canonicalised): the query planner builds the
 * variables of a fetch in a deterministic order, and variables in another key order would
 * only miss a chance to share, never share wrongly.
 */
export function dedupKey(url: string, query: string, variables: unknown, caller: string | undefined): string {
  return JSON.stringify([url, caller ?? '', query, variables ?? {}]);
}

export class InflightFetches {
  private readonly inflight = new Map<string, Entry>();

  /** Runs `fetch`, or joins the identical one in flight; `shared` tells which. */
  async run(key: string, fetch: () => Promise<SubgraphResponse>): Promise<{ response: SubgraphResponse; shared: boolean }> {
    const existing = this.inflight.get(key);
    if (existing) {
      existing.sharers++;
      const { json, http } = await existing.copy;
      return { response: { ...(JSON.parse(json) as SubgraphResponse), http }, shared: true };
    }
    const pending = fetch();
    const entry: Entry = {
      sharers: 0,
      // Registered before the fetcher awaits `pending`, so it runs first.
      copy: pending.then(
        (response) => {
          this.inflight.delete(key);
          const { data, errors, extensions } = response;
          return { json: entry.sharers > 0 ? JSON.stringify({ data, errors, extensions }) : '{}', http: response.http };
        },
        (error: unknown) => {
          this.inflight.delete(key);
          throw error;
        },
      ),
    };
    // Sharers read `copy`; with none, its rejection must not go unhandled.
    entry.copy.catch(() => undefined);
    this.inflight.set(key, entry);
    return { response: await pending, shared: false };
  }

  get size(): number {
    return this.inflight.size;
  }
}
