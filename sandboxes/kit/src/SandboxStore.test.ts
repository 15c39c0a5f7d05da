import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SandboxStore } from './SandboxStore.js';

interface Thing {
  id: number;
  name: string;
}

describe('SandboxStore', () => {
  const dirs: string[] = [];
  const tempFile = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'store-'));
    dirs.push(dir);
    return join(dir, 'nested', 'db.sqlite');
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('seeds once, keeps writes across a reopen, and keeps insertion order', () => {
    const file = tempFile();
    let seeded = 0;
    const seed = () => {
      seeded++;
      return {
        things: [
          { id: 2, name: 'two' },
          { id: 1, name: 'one' },
        ],
      };
    };
    const first = SandboxStore.open({ file, seedKey: 'a', seed });
    first.collection<Thing>('things').put({ id: 3, name: 'three' });
    first.collection<Thing>('things').put({ id: 2, name: 'TWO' });
    first.setMetaValue('counter', '7');
    first.close();

    const second = SandboxStore.open({ file, seedKey: 'a', seed });
    expect(seeded).toBe(1);
    expect([...second.collection<Thing>('things').values()]).toEqual([
      { id: 2, name: 'TWO' },
      { id: 1, name: 'one' },
      { id: 3, name: 'three' },
    ]);
    expect(second.meta('counter')).toBe('7');
    second.close();

    const reseeded = SandboxStore.open({ file, seedKey: 'b', seed });
    expect(seeded).toBe(2);
    expect(reseeded.collection<Thing>('things').size).toBe(2);
    expect(reseeded.meta('counter')).toBeUndefined();
    reseeded.close();
  });

  it('rolls back every write of a failed transaction', () => {
    const store = SandboxStore.open({ file: tempFile(), seedKey: 'a', seed: () => ({}) });
    expect(() =>
      store.transaction(() => {
        store.setMetaValue('x', '1');
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(store.meta('x')).toBeUndefined();
    store.close();
  });

  it('deletes a document from memory and from the file', () => {
    const file = tempFile();
    const seed = () => ({
      things: [
        { id: 1, name: 'one' },
        { id: 2, name: 'two' },
      ],
    });
    const store = SandboxStore.open({ file, seedKey: 'a', seed });
    const things = store.collection<Thing>('things');
    expect(things.delete(1)).toBe(true);
    expect(things.delete(1)).toBe(false);
    expect(things.delete('nope')).toBe(false);
    expect(things.get(1)).toBeUndefined();
    expect(things.size).toBe(1);
    expect(store.countDocs('things')).toBe(1);
    store.close();

    const reopened = SandboxStore.open({ file, seedKey: 'a', seed });
    expect([...reopened.collection<Thing>('things').values()]).toEqual([{ id: 2, name: 'two' }]);
    reopened.close();
  });

  it('deletes by the date of the first write, on the injected clock, keeping what `where` refuses', () => {
    const file = tempFile();
    let now = 1_000;
    const store = SandboxStore.open({ file, seedKey: 'a', seed: () => ({}), now: () => now });
    const things = store.collection<Thing>('things');
    things.put({ id: 1, name: 'one' });
    now = 2_000;
    things.put({ id: 2, name: 'two' });
    things.put({ id: 3, name: 'keep' });
    now = 3_000;
    // A replaced document keeps the date of its first write.
    things.put({ id: 1, name: 'ONE' });
    things.put({ id: 4, name: 'four' });
    store.collection<Thing>('others').put({ id: 1, name: 'other' });

    // Strictly before the cutoff.
    expect(things.deleteCreatedBefore(1_000)).toEqual([]);
    expect(things.deleteCreatedBefore(1_001)).toEqual([{ id: 1, name: 'ONE' }]);
    expect(things.deleteCreatedBefore(3_000, (thing) => thing.name !== 'keep')).toEqual([{ id: 2, name: 'two' }]);
    expect([...things.values()].map((thing) => thing.id)).toEqual([3, 4]);
    expect(store.countDocs('things')).toBe(2);
    // Other collections are not touched.
    expect(store.countDocs('others')).toBe(1);

    // Written again after its deletion, a document is new: dated now.
    now = 5_000;
    things.put({ id: 1, name: 'again' });
    expect(things.deleteCreatedBefore(5_000)).toEqual([
      { id: 3, name: 'keep' },
      { id: 4, name: 'four' },
    ]);
    store.close();

    const reopened = SandboxStore.open({ file, seedKey: 'a', seed: () => ({}), now: () => now });
    expect([...reopened.collection<Thing>('things').values()]).toEqual([{ id: 1, name: 'again' }]);
    expect(reopened.collection<Thing>('things').deleteCreatedBefore(5_001)).toEqual([{ id: 1, name: 'again' }]);
    expect(reopened.countDocs('things')).toBe(0);
    reopened.close();
  });

  it('deletes meta values by key and by prefix and age', () => {
    let now = 10;
    const store = SandboxStore.open({ file: tempFile(), seedKey: 'a', seed: () => ({}), now: () => now });
    store.setMetaValue('idem:a', '1');
    store.setMetaValue('counter', '1');
    now = 20;
    store.setMetaValue('idem:b', '2');
    // Replacing keeps the first date.
    store.setMetaValue('idem:a', '1b');
    expect(store.countMeta('idem:')).toBe(2);

    expect(store.deleteMetaCreatedBefore('idem:', 10)).toBe(0);
    expect(store.deleteMetaCreatedBefore('idem:', 11)).toBe(1);
    expect(store.meta('idem:a')).toBeUndefined();
    expect(store.meta('counter')).toBe('1');
    expect(store.meta('idem:b')).toBe('2');

    expect(store.deleteMeta('idem:b')).toBe(true);
    expect(store.deleteMeta('idem:b')).toBe(false);
    expect(store.countMeta('idem:')).toBe(0);
    // The seed key and the counter are left.
    expect(store.countMeta()).toBe(2);
    store.close();
  });

  it('keeps a deletion out of memory when its transaction fails', () => {
    const store = SandboxStore.open({ file: tempFile(), seedKey: 'a', seed: () => ({ things: [{ id: 1, name: 'one' }] }), now: () => 0 });
    const things = store.collection<Thing>('things');
    expect(() =>
      things.deleteCreatedBefore(1, () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(things.get(1)).toEqual({ id: 1, name: 'one' });
    expect(store.countDocs('things')).toBe(1);
    store.close();
  });

  it('opens a file written before rows were dated, dating them at the upgrade', () => {
    const file = tempFile();
    const first = SandboxStore.open({ file, seedKey: 'a', seed: () => ({}) });
    first.close();
    // The same file as the store wrote it before it dated rows.
    const old = new Database(file);
    const seedKey = (old.prepare("SELECT value FROM meta WHERE key = 'seedKey'").get() as { value: string }).value;
    old.exec(`
      DROP TABLE docs; DROP TABLE meta;
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE docs (seq INTEGER PRIMARY KEY AUTOINCREMENT, collection TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL, UNIQUE (collection, id));`);
    old.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('seedKey', seedKey);
    old.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('idem:x', 'old');
    old.prepare('INSERT INTO docs (collection, id, body) VALUES (?, ?, ?)').run('things', '1', JSON.stringify({ id: 1, name: 'old' }));
    old.close();

    let seeded = 0;
    const upgraded = SandboxStore.open({
      file,
      seedKey: 'a',
      seed: () => {
        seeded++;
        return {};
      },
      now: () => 50_000,
    });
    expect(seeded).toBe(0);
    const things = upgraded.collection<Thing>('things');
    expect(things.get(1)).toEqual({ id: 1, name: 'old' });
    expect(things.deleteCreatedBefore(50_000)).toEqual([]);
    expect(upgraded.deleteMetaCreatedBefore('idem:', 50_000)).toBe(0);
    expect(things.deleteCreatedBefore(50_001)).toEqual([{ id: 1, name: 'old' }]);
    expect(upgraded.deleteMetaCreatedBefore('idem:', 50_001)).toBe(1);
    upgraded.close();
  });
});
