import { describe, expect, it } from 'vitest';
import type { Data } from './mergeInto.js';
import { compileWalker, walk } from './walkPath.js';

const both = (value: unknown, path: string[]): { compiled: Data[]; generic: Data[] } => {
  const compiled: Data[] = [];
  const generic: Data[] = [];
  compileWalker(path)(value, compiled);
  walk(value, path, 0, generic);
  return { compiled, generic };
};

describe('walking a flatten path', () => {
  it('reaches the objects through fields and lists, leaving nulls and non-objects out, as the generic walk does', () => {
    const a = { id: 'a' };
    const b = { id: 'b' };
    const c = { id: 'c' };
    const data = [
      { users: [{ reviews: [{ product: a }, { product: null }, { product: b }] }, { reviews: null }, null, { reviews: [{ product: c }, { product: 7 }] }] },
    ];
    const { compiled, generic } = both(data, ['users', '@', 'reviews', '@', 'product']);
    expect(compiled).toEqual([a, b, c]);
    expect(compiled[0]).toBe(a);
    expect(generic).toEqual(compiled);
  });

  it('walks lists of lists, and a list the path does not mark', () => {
    const x = { v: 1 };
    const y = { v: 2 };
    const data = { grid: [[x, null], [y]] };
    expect(both([data], ['grid', '@', '@']).compiled).toEqual([x, y]);
    // One '@' for two list levels: the inner list is walked through too, as by the generic walk.
    const { compiled, generic } = both([data], ['grid', '@']);
    expect(compiled).toEqual([x, y]);
    expect(generic).toEqual([x, y]);
  });

  it('reads names inherited from Object.prototype only as own values, and names that are not identifiers', () => {
    const own = { id: 1 };
    const withOwn = { constructor: own };
    expect(both([withOwn, {}], ['constructor']).compiled).toEqual([own]);
    expect(both([{ toString: { id: 2 } }, {}], ['toString']).compiled).toEqual([{ id: 2 }]);
    const odd = JSON.parse('{"__proto__": {"id": 3}}') as Data;
    expect(both([odd], ['__proto__']).compiled).toEqual([{ id: 3 }]);
    expect(both([{ 'a-b': { id: 4 } }], ['a-b']).compiled).toEqual([{ id: 4 }]);
  });

  it('the empty path: the objects of the starting list themselves', () => {
    const o = { id: 1 };
    expect(both([o, null, [o]], []).compiled).toEqual([o, o]);
  });
});
