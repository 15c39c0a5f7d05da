import { describe, expect, it } from 'vitest';
import { checkFirst, cursorCodec, isCount, pageOf } from './pagination.js';

type TestCursor = { k: 'o'; o: number } | { k: 'x'; id: string };
const codec = cursorCodec<TestCursor>((c) => {
  if (c.k === 'o' && isCount(c.o)) return { k: 'o', o: c.o };
  if (c.k === 'x' && typeof c.id === 'string') return { k: 'x', id: c.id };
  return null;
});

describe('cursorCodec', () => {
  it('round-trips each kind', () => {
    expect(codec.decode(codec.encode({ k: 'x', id: 'abc' }), 'x')).toEqual({ k: 'x', id: 'abc' });
    expect(codec.decode(codec.encode({ k: 'o', o: 7 }), 'o')).toEqual({ k: 'o', o: 7 });
  });

  it('refuses a cursor of another kind, a malformed one, and one that fails validation, as BAD_USER_INPUT', () => {
    const bad = [
      codec.encode({ k: 'x', id: 'abc' }), // right format, wrong kind for 'o'
      'not base64!',
      Buffer.from('[1,2]').toString('base64url'),
      Buffer.from('{"k":"o","o":-1}').toString('base64url'),
      Buffer.from('{"k":"o","o":1.5}').toString('base64url'),
      Buffer.from('not json').toString('base64url'),
    ];
    for (const after of bad) {
      expect(() => codec.decode(after, 'o'), after).toThrowError(expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }));
    }
  });
});

describe('pageOf and checkFirst', () => {
  it('pages a list by offset cursors that continue where the last page ended', () => {
    const items = ['a', 'b', 'c', 'd', 'e'];
    const first = pageOf(items, { first: 2, start: 0 });
    expect(first.nodes).toEqual(['a', 'b']);
    expect(first.pageInfo.hasNextPage).toBe(true);
    expect(first.totalCount).toBe(5);
    const next = codec.decode(first.pageInfo.endCursor!, 'o');
    const last = pageOf(items, { first: 10, start: next.o });
    expect(last.nodes).toEqual(['c', 'd', 'e']);
    expect(last.pageInfo).toEqual({ hasNextPage: false, endCursor: last.edges[2]!.cursor });
    expect(pageOf(items, { first: 2, start: 5 }).pageInfo).toEqual({ hasNextPage: false, endCursor: null });
  });

  it('accepts first from 1 to 100 only', () => {
    expect(checkFirst(1)).toBe(1);
    expect(checkFirst(100)).toBe(100);
    for (const first of [0, 101, 2.5, null, undefined]) expect(() => checkFirst(first)).toThrow(/first must be from 1 to 100/);
  });
});
