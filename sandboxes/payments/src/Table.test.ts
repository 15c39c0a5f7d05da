import { afterEach, describe, expect, it } from 'vitest';
import { SandboxStore } from '../../kit/src/index.js';
import type { BaseRecord } from './records.js';
import { Table } from './Table.js';

interface Item extends BaseRecord {
  owner: string;
}

describe('Table.deleteCreatedBefore', () => {
  const stores: SandboxStore[] = [];
  afterEach(() => {
    for (const store of stores.splice(0)) store.close();
  });

  it('removes the old records from the file, the list order and every index', () => {
    let now = 1_000;
    const store = SandboxStore.open({ file: ':memory:', seedKey: 't', seed: () => ({}), now: () => now });
    stores.push(store);
    const table = new Table(store.collection<Item>('items')).index('owner', (item) => [item.owner]);
    table.put({ id: 'a', created: 1, owner: 'x' });
    table.put({ id: 'b', created: 1, owner: 'y' });
    now = 2_000;
    table.put({ id: 'c', created: 2, owner: 'x' });

    expect(table.deleteCreatedBefore(2_000, (item) => item.id !== 'b').map((item) => item.id)).toEqual(['a']);
    expect(table.get('a')).toBeUndefined();
    expect(table.entry('a')).toBeUndefined();
    expect(table.all.entries.map((e) => e.id)).toEqual(['c', 'b']);
    expect(table.lookup('owner', 'x').map((e) => e.id)).toEqual(['c']);
    expect(table.lookup('owner', 'y').map((e) => e.id)).toEqual(['b']);
    expect(store.countDocs('items')).toBe(2);

    expect(table.deleteCreatedBefore(2_001).map((item) => item.id)).toEqual(['b', 'c']);
    expect(table.size).toBe(0);
    expect(table.all.entries).toEqual([]);
    expect(table.lookup('owner', 'x')).toEqual([]);
    expect(table.lookup('owner', 'y')).toEqual([]);

    // A record stored again is tracked and indexed afresh.
    table.put({ id: 'a', created: 3, owner: 'y' });
    expect(table.lookup('owner', 'y').map((e) => e.id)).toEqual(['a']);
    expect(table.all.entries.map((e) => e.id)).toEqual(['a']);
  });
});
