/**
 * Which subgraph selections are worth a cache lookup. A subgraph answer is cacheable only
 * when it carries a Cache-Control max-age (cacheHint.ts), which Apollo Server derives from
 * the @cacheControl hints of the fields it selected: a selection without hints never
 * gives one, so looking it up in the entity or root cache (key hashing per representation,
 * a store read per entity, version records) is pure cost and nothing is ever stored.
 *
 * This learns it per selection (the subgraph query, per data source, so per subgraph):
 * after UNCACHEABLE_AFTER answers in a row without a usable hint (and without errors,
 * which say nothing about hints), fetches of that selection skip the caches and go
 * straight to the subgraph (still shared when in flight). The way back needs no timer:
 * a skipped fetch still reaches the subgraph and its answer's Cache-Control is read like
 * any other, so the first answer with a hint (a subgraph redeployed with @cacheControl, a
 * dynamic hint) puts the selection back through the caches from the next fetch on.
 * Skipping is never wrong, only possibly slower: a skipped fetch is a miss that is not
 * stored.
 */
import { BoundedMap } from '../../../lib/BoundedMap.js';
import type { CacheHint } from './cacheHint.js';

/** Answers without a hint in a row before a selection stops being looked up. */
export const UNCACHEABLE_AFTER = 3;
const MAX_SELECTIONS = 10_000;

export class Cacheability {
  /** Selection -> answers without a hint in a row (absent: cacheable, or not seen yet). */
  private readonly streaks: BoundedMap<number>;

  constructor(
    private readonly after = UNCACHEABLE_AFTER,
    maxSelections = MAX_SELECTIONS,
  ) {
    this.streaks = new BoundedMap<number>(maxSelections);
  }

  /** Whether fetches of this selection should go through the caches. */
  worthLookingUp(selection: string): boolean {
    // A peek: asked for every fetch; the order of the table is kept by observe's writes.
    return (this.streaks.peek(selection) ?? 0) < this.after;
  }

  /**
   * Learns from one answer of the selection: its hint (null: none, or no max-age) and
   * whether it had errors. Returns true when the answer turned a skipped selection back
   * into a cached one.
   */
  observe(selection: string, hint: CacheHint | null, hadErrors: boolean): boolean {
    const streak = this.streaks.peek(selection);
    if (hint) {
      if (streak !== undefined) this.streaks.delete(selection);
      return streak !== undefined && streak >= this.after;
    }
    if (!hadErrors && (streak ?? 0) < this.after) this.streaks.set(selection, (streak ?? 0) + 1);
    return false;
  }
}
