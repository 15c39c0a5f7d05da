/**
 * The sandboxes' embedded database: one SQLite file (better-sqlite3, WAL) holding
 * documents by collection and id, mirrored in memory for fast reads.
 *
 * Every write goes to the file before the call returns, so a sandbox killed and
 * restarted reads back everything a client wrote. The seed is written once, when the
 * file is new or was seeded with another seed or scale.
 *
 * Every document and meta value also carries the time it was first written (the
 * store's clock, `now`), kept when it is replaced and indexed, so that what a sandbox
 * keeps only for a while (idempotency records, events) can be deleted by age without
 * scanning: `deleteCreatedBefore` and `deleteMetaCreatedBefore`. A value deleted and
 * written again is new: it gets the time of that write.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export type DocId = string | number;

export interface Doc {
  id: DocId;
}

/** Bumped when the shape of seeded documents changes, so old files are re-seeded. */
const FORMAT = 1;

export interface OpenStoreOptions {
  /** Path of the database file; ':memory:' for a store that keeps nothing. */
  file: string;
  /** Identifies the seed (seed number, scale, sandbox name); a different one re-seeds. */
  seedKey: string;
  /** Builds the seed collections; called only when the file must be seeded. */
  seed: () => Record<string, Doc[]>;
  /** The clock that dates each first write, in ms since the epoch. Default Date.now. */
  now?: () => number;
}

/** @internal What a collection needs from its store. */
export interface CollectionBackend {
  write(collection: string, doc: Doc): void;
  remove(collection: string, id: string): void;
  /** Ids of the documents first written before `cutoffMs`, oldest first. */
  idsCreatedBefore(collection: string, cutoffMs: number): string[];
  transaction<R>(fn: () => R): R;
}

export class Collection<T extends Doc> {
  private readonly docs = new Map<string, T>();

  /** @internal Built by SandboxStore.collection(). */
  constructor(
    readonly name: string,
    private readonly backend: CollectionBackend,
  ) {}

  /** @internal Loads a document read from the file, without writing it back. */
  load(doc: T): void {
    this.docs.set(String(doc.id), doc);
  }

  get(id: DocId): T | undefined {
    return this.docs.get(String(id));
  }

  has(id: DocId): boolean {
    return this.docs.has(String(id));
  }

  /** All documents, in the order they were first written. */
  values(): IterableIterator<T> {
    return this.docs.values();
  }

  get size(): number {
    return this.docs.size;
  }

  /**
   * Inserts or replaces a document and writes it to the file before returning. A new
   * document is dated now; a replaced one keeps the date of its first write.
   */
  put(doc: T): T {
    this.backend.write(this.name, doc);
    this.docs.set(String(doc.id), doc);
    return doc;
  }

  /** Deletes a document from the file and from memory; false when there was none. */
  delete(id: DocId): boolean {
    const key = String(id);
    if (!this.docs.has(key)) return false;
    this.backend.remove(this.name, key);
    this.docs.delete(key);
    return true;
  }

  /**
   * Deletes, in one transaction, the documents first written before `cutoffMs` (ms
   * since the epoch, by the store's clock) that `where` accepts (all by default), and
   * returns them. Found through an index on the write date: the cost is that of the old
   * documents, not of the collection.
   */
  deleteCreatedBefore(cutoffMs: number, where: (doc: T) => boolean = () => true): T[] {
    const deleted = this.backend.transaction(() => {
      const docs: T[] = [];
      for (const id of this.backend.idsCreatedBefore(this.name, cutoffMs)) {
        const doc = this.docs.get(id);
        if (doc === undefined || !where(doc)) continue;
        this.backend.remove(this.name, id);
        docs.push(doc);
      }
      return docs;
    });
    // After the commit, so that a failed transaction leaves memory as the file is.
    for (const doc of deleted) this.docs.delete(String(doc.id));
    return deleted;
  }
}

export class SandboxStore {
  private readonly db: Database.Database;
  private readonly collections = new Map<string, Collection<Doc>>();
  private readonly upsert: Database.Statement<[string, string, string, number]>;
  private readonly deleteDoc: Database.Statement<[string, string]>;
  private readonly oldDocs: Database.Statement<[string, number], { id: string }>;
  private readonly setMeta: Database.Statement<[string, string, number]>;
  private readonly getMeta: Database.Statement<[string], { value: string }>;
  private readonly removeMeta: Database.Statement<[string]>;
  private readonly backend: CollectionBackend;

  private constructor(
    file: string,
    private readonly now: () => number,
  ) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode survives a killed process (not a power cut), which is what a sandbox needs.
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL, created_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS docs (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        collection TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL, created_at INTEGER NOT NULL,
        UNIQUE (collection, id)
      );`);
    this.addCreatedAt('meta');
    this.addCreatedAt('docs');
    this.db.exec(`
      CREATE INDEX IF NOT EXISTS docs_created_at ON docs (collection, created_at);
      CREATE INDEX IF NOT EXISTS meta_created_at ON meta (created_at);`);
    this.upsert = this.db.prepare(
      'INSERT INTO docs (collection, id, body, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (collection, id) DO UPDATE SET body = excluded.body',
    );
    this.deleteDoc = this.db.prepare('DELETE FROM docs WHERE collection = ? AND id = ?');
    this.oldDocs = this.db.prepare('SELECT id FROM docs WHERE collection = ? AND created_at < ? ORDER BY created_at, seq');
    this.setMeta = this.db.prepare('INSERT INTO meta (key, value, created_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
    this.getMeta = this.db.prepare('SELECT value FROM meta WHERE key = ?');
    this.removeMeta = this.db.prepare('DELETE FROM meta WHERE key = ?');
    this.backend = {
      write: (collection, doc) => this.write(collection, doc),
      remove: (collection, id) => void this.deleteDoc.run(collection, id),
      idsCreatedBefore: (collection, cutoffMs) => this.oldDocs.all(collection, cutoffMs).map((row) => row.id),
      transaction: (fn) => this.transaction(fn),
    };
  }

  /**
   * Files written before rows were dated get the column, with the time of this upgrade
   * as every existing row's date: nothing is taken for older than it can be shown to be.
   */
  private addCreatedAt(table: 'meta' | 'docs'): void {
    const columns = this.db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>;
    if (columns.some((column) => column.name === 'created_at')) return;
    this.db.transaction(() => {
      this.db.exec(`ALTER TABLE ${table} ADD COLUMN created_at INTEGER NOT NULL DEFAULT 0`);
      this.db.prepare(`UPDATE ${table} SET created_at = ?`).run(this.now());
    })();
  }

  /** Opens (creating and seeding if needed) the store at `options.file`. */
  static open(options: OpenStoreOptions): SandboxStore {
    const store = new SandboxStore(options.file, options.now ?? Date.now);
    const key = `${FORMAT}:${options.seedKey}`;
    if (store.meta('seedKey') !== key) store.reseed(key, options.seed());
    store.loadAll();
    return store;
  }

  collection<T extends Doc>(name: string): Collection<T> {
    let collection = this.collections.get(name);
    if (!collection) {
      collection = new Collection<Doc>(name, this.backend);
      this.collections.set(name, collection);
    }
    return collection as unknown as Collection<T>;
  }

  /** A small persistent key-value area (id counters, idempotency records). */
  meta(key: string): string | undefined {
    return this.getMeta.get(key)?.value;
  }

  /** Sets a meta value; a new key is dated now, a replaced one keeps its first date. */
  setMetaValue(key: string, value: string): void {
    this.setMeta.run(key, value, this.now());
  }

  /** Deletes a meta value; false when there was none. */
  deleteMeta(key: string): boolean {
    return this.removeMeta.run(key).changes > 0;
  }

  /**
   * Deletes the meta values whose key starts with `prefix` and that were first written
   * before `cutoffMs` (by the store's clock); returns how many.
   */
  deleteMetaCreatedBefore(prefix: string, cutoffMs: number): number {
    return this.db.prepare('DELETE FROM meta WHERE created_at < ? AND substr(key, 1, ?) = ?').run(cutoffMs, prefix.length, prefix).changes;
  }

  /** Rows of `collection` in the file (not in memory): what retention really removed. */
  countDocs(collection: string): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM docs WHERE collection = ?').get(collection) as { n: number }).n;
  }

  /** Meta values in the file whose key starts with `prefix`. */
  countMeta(prefix = ''): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM meta WHERE substr(key, 1, ?) = ?').get(prefix.length, prefix) as { n: number }).n;
  }

  /** Runs `fn` in one transaction: its writes reach the file together or not at all. */
  transaction<R>(fn: () => R): R {
    return this.db.transaction(fn)();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private write(collection: string, doc: Doc): void {
    this.upsert.run(collection, String(doc.id), JSON.stringify(doc), this.now());
  }

  private reseed(key: string, seed: Record<string, Doc[]>): void {
    this.db.transaction(() => {
      this.db.exec('DELETE FROM docs; DELETE FROM meta;');
      for (const [collection, docs] of Object.entries(seed)) {
        for (const doc of docs) this.write(collection, doc);
      }
      this.setMeta.run('seedKey', key, this.now());
    })();
  }

  private loadAll(): void {
    const rows = this.db.prepare('SELECT collection, body FROM docs ORDER BY seq').all() as Array<{ collection: string; body: string }>;
    for (const row of rows) this.collection(row.collection).load(JSON.parse(row.body) as Doc);
  }
}
