/**
 * The sandboxes' embedded database: one SQLite file (better-sqlite3, WAL) holding
 * documents by collection and id, mirrored in memory for fast reads.
 *
 * Every write goes to the file before the call returns, so a sandbox killed and
 * restarted reads back everything a client wrote. The seed is written once, when the
 * file is new or was seeded with another seed or scale.
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
}

export class Collection<T extends Doc> {
  private readonly docs = new Map<string, T>();

  constructor(
    readonly name: string,
    private readonly persist: (collection: string, doc: Doc) => void,
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

  /** Inserts or replaces a document and writes it to the file before returning. */
  put(doc: T): T {
    this.persist(this.name, doc);
    this.docs.set(String(doc.id), doc);
    return doc;
  }
}

export class SandboxStore {
  private readonly db: Database.Database;
  private readonly collections = new Map<string, Collection<Doc>>();
  private readonly upsert: Database.Statement<[string, string, string]>;
  private readonly setMeta: Database.Statement<[string, string]>;
  private readonly getMeta: Database.Statement<[string], { value: string }>;

  private constructor(file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode survives a killed process (not a power cut), which is what a sandbox needs.
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS docs (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        collection TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL,
        UNIQUE (collection, id)
      );`);
    this.upsert = this.db.prepare(
      'INSERT INTO docs (collection, id, body) VALUES (?, ?, ?) ON CONFLICT (collection, id) DO UPDATE SET body = excluded.body',
    );
    this.setMeta = this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
    this.getMeta = this.db.prepare('SELECT value FROM meta WHERE key = ?');
  }

  /** Opens (creating and seeding if needed) the store at `options.file`. */
  static open(options: OpenStoreOptions): SandboxStore {
    const store = new SandboxStore(options.file);
    const key = `${FORMAT}:${options.seedKey}`;
    if (store.meta('seedKey') !== key) store.reseed(key, options.seed());
    store.loadAll();
    return store;
  }

  collection<T extends Doc>(name: string): Collection<T> {
    let collection = this.collections.get(name);
    if (!collection) {
      collection = new Collection<Doc>(name, (c, doc) => this.write(c, doc));
      this.collections.set(name, collection);
    }
    return collection as unknown as Collection<T>;
  }

  /** A small persistent key-value area (id counters, idempotency records). */
  meta(key: string): string | undefined {
    return this.getMeta.get(key)?.value;
  }

  setMetaValue(key: string, value: string): void {
    this.setMeta.run(key, value);
  }

  /** Runs `fn` in one transaction: its writes reach the file together or not at all. */
  transaction<R>(fn: () => R): R {
    return this.db.transaction(fn)();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private write(collection: string, doc: Doc): void {
    this.upsert.run(collection, String(doc.id), JSON.stringify(doc));
  }

  private reseed(key: string, seed: Record<string, Doc[]>): void {
    this.db.transaction(() => {
      this.db.exec('DELETE FROM docs; DELETE FROM meta;');
      for (const [collection, docs] of Object.entries(seed)) {
        for (const doc of docs) this.write(collection, doc);
      }
      this.setMeta.run('seedKey', key);
    })();
  }

  private loadAll(): void {
    const rows = this.db.prepare('SELECT collection, body FROM docs ORDER BY seq').all() as Array<{ collection: string; body: string }>;
    for (const row of rows) this.collection(row.collection).load(JSON.parse(row.body) as Doc);
  }
}
