/** lib/boundedMemo.ts: computes once per string, forgets the least recently used beyond `max`, and never keeps long keys. */
import { describe, expect, it } from 'vitest';
import { BoundedMap } from './BoundedMap.js';
import { boundedMemo } from './boundedMemo.js';

describe('boundedMemo', () => {
  it('computes each string once while remembered, the least recently used forgotten first', () => {
    const calls: string[] = [];
    const memo = boundedMemo((key) => (calls.push(key), key.length), { max: 2, maxKeyLength: 10 });
    expect([memo('a'), memo('bb'), memo('a'), memo('bb')]).toEqual([1, 2, 1, 2]);
    expect(calls).toEqual(['a', 'bb']);
    memo('ccc'); // forgets 'a'
    expect([memo('bb'), memo('a')]).toEqual([2, 1]);
    expect(calls).toEqual(['a', 'bb', 'ccc', 'a']);
  });

  it('remembers undefined answers too, and computes keys over the length limit every time', () => {
    const calls: string[] = [];
    const memo = boundedMemo((key) => (calls.push(key), undefined), { max: 4, maxKeyLength: 3 });
    memo('abc');
    memo('abc');
    memo('abcd');
    memo('abcd');
    expect(calls).toEqual(['abc', 'abcd', 'abcd']);
  });
});

describe('BoundedMap.peek', () => {
  it('reads without marking the key used: the least recently written key is forgotten first', () => {
    const map = new BoundedMap<number>(2);
    map.set('a', 1).set('b', 2);
    expect(map.peek('a')).toBe(1);
    map.set('c', 3);
    expect([...map.keys()]).toEqual(['b', 'c']);
    // get does mark it used.
    expect(map.get('b')).toBe(2);
    map.set('d', 4);
    expect([...map.keys()]).toEqual(['b', 'd']);
    expect(map.peek('zz')).toBeUndefined();
  });
});
