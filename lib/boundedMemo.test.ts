/** lib/boundedMemo.ts: computes once per string, forgets the least recently used beyond `max`, and never keeps long keys. */
import { describe, expect, it } from 'vitest';
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
