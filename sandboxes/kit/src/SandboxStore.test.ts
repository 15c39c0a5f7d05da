import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
      return { things: [{ id: 2, name: 'two' }, { id: 1, name: 'one' }] };
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
});
