/**
 * A collection of records kept in Stripe's list order (newest first, then last written
 * first), with secondary indexes (payment intents by customer, by invoice id...) so that
 * lists and searches on those fields never scan the whole collection.
 */
import type { Collection } from '../../kit/src/index.js';
import type { BaseRecord } from './records.js';

/** A record's place in list order: `created` desc, then the order it was first stored, desc. */
export interface SortEntry {
  readonly id: string;
  readonly created: number;
  readonly ord: number;
}

/** Negative when `a` comes before `b` in list order. */
export function compareEntries(a: SortEntry, b: SortEntry): number {
  return b.created - a.created || b.ord - a.ord;
}

/** Ids in list order; inserts by binary search, since new records usually land first. */
export class SortedEntries {
  private readonly list: SortEntry[] = [];

  get entries(): readonly SortEntry[] {
    return this.list;
  }

  insert(entry: SortEntry): void {
    let lo = 0;
    let hi = this.list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareEntries(this.list[mid]!, entry) < 0) lo = mid + 1;
      else hi = mid;
    }
    this.list.splice(lo, 0, entry);
  }

  remove(id: string): void {
    const index = this.list.findIndex((entry) => entry.id === id);
    if (index !== -1) this.list.splice(index, 1);
  }

  /** Removes every entry whose id is in `ids`, in one pass. */
  removeAll(ids: ReadonlySet<string>): void {
    let kept = 0;
    for (const entry of this.list) if (!ids.has(entry.id)) this.list[kept++] = entry;
    this.list.length = kept;
  }

  get size(): number {
    return this.list.length;
  }
}

interface SecondaryIndex<T> {
  keysOf: (record: T) => string[];
  lists: Map<string, SortedEntries>;
  keysById: Map<string, string[]>;
}

const NONE: readonly SortEntry[] = [];

export class Table<T extends BaseRecord> {
  readonly all = new SortedEntries();
  private readonly entries = new Map<string, SortEntry>();
  private readonly indexes = new Map<string, SecondaryIndex<T>>();
  private nextOrd = 0;

  constructor(private readonly collection: Collection<T>) {
    for (const record of collection.values()) this.track(record);
  }

  get size(): number {
    return this.collection.size;
  }

  get(id: string): T | undefined {
    return this.collection.get(id);
  }

  entry(id: string): SortEntry | undefined {
    return this.entries.get(id);
  }

  /** Declares an index; `keysOf` gives the keys a record is found under (none to skip it). */
  index(name: string, keysOf: (record: T) => string[]): this {
    const index: SecondaryIndex<T> = { keysOf, lists: new Map(), keysById: new Map() };
    this.indexes.set(name, index);
    for (const record of this.collection.values()) this.reindex(index, record);
    return this;
  }

  /** Records under `key` in index `name`, in list order. */
  lookup(name: string, key: string): readonly SortEntry[] {
    const index = this.indexes.get(name);
    if (!index) throw new Error(`no index ${name}`);
    return index.lists.get(key)?.entries ?? NONE;
  }

  /** Stores a record (a new object, never one edited in place) and updates every index. */
  put(record: T): T {
    this.collection.put(record);
    if (!this.entries.has(record.id)) this.track(record);
    for (const index of this.indexes.values()) this.reindex(index, record);
    return record;
  }

  /**
   * Deletes the records first stored before `cutoffMs` (the store's clock) that `where`
   * accepts, from the file, the list order and every index; returns them.
   */
  deleteCreatedBefore(cutoffMs: number, where?: (record: T) => boolean): T[] {
    const deleted = this.collection.deleteCreatedBefore(cutoffMs, where);
    if (deleted.length === 0) return deleted;
    const ids = new Set(deleted.map((record) => record.id));
    for (const id of ids) this.entries.delete(id);
    this.all.removeAll(ids);
    for (const index of this.indexes.values()) {
      const touched = new Set<string>();
      for (const id of ids) {
        for (const key of index.keysById.get(id) ?? []) touched.add(key);
        index.keysById.delete(id);
      }
      for (const key of touched) {
        const list = index.lists.get(key)!;
        list.removeAll(ids);
        if (list.size === 0) index.lists.delete(key);
      }
    }
    return deleted;
  }

  private track(record: T): void {
    const entry: SortEntry = { id: record.id, created: record.created, ord: this.nextOrd++ };
    this.entries.set(record.id, entry);
    this.all.insert(entry);
  }

  private reindex(index: SecondaryIndex<T>, record: T): void {
    const entry = this.entries.get(record.id)!;
    const before = index.keysById.get(record.id) ?? [];
    const after = index.keysOf(record);
    for (const key of before) {
      if (!after.includes(key)) index.lists.get(key)?.remove(record.id);
    }
    for (const key of after) {
      if (before.includes(key)) continue;
      let list = index.lists.get(key);
      if (!list) {
        list = new SortedEntries();
        index.lists.set(key, list);
      }
      list.insert(entry);
    }
    index.keysById.set(record.id, after);
  }
}
