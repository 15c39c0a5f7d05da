import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { answerKeys, compileMerger } from './compileMerge.js';
import { mergeInto, type Data } from './mergeInto.js';

describe('the keys of a fetch answer', () => {
  it('are the response names of the operation, or of its _entities field, through fragments, plus what output rewrites write', () => {
    expect(answerKeys(parse('query { users { id } top: topProducts { upc } ...F } fragment F on Query { me { id } }'), false, undefined)).toEqual([
      'users',
      'top',
      'me',
    ]);
    const entities = parse(
      'query($representations:[_Any!]!){_entities(representations:$representations){...on User{name reviews{id}} ...on Product{name price__alias_0: price}}}',
    );
    expect(answerKeys(entities, true, [{ kind: 'KeyRenamer', path: ['... on Product', 'price__alias_0'], renameKeyTo: 'price' }])).toEqual([
      'name',
      'reviews',
      'price__alias_0',
      'price',
    ]);
  });

  it('are unknown (the generic merge is used) for a document that is not what the planner writes', () => {
    expect(answerKeys(undefined, false, undefined)).toBeUndefined();
    expect(answerKeys(parse('query { a } query B { b }'), false, undefined)).toBeUndefined();
    expect(answerKeys(parse('query { users { id } }'), true, undefined)).toBeUndefined();
    expect(answerKeys(parse('query { _entities(representations: []) { ...Missing } }'), true, undefined)).toBeUndefined();
  });
});

describe('a compiled merge', () => {
  const cases: Array<{ keys: string[]; target: () => Data; source: () => Data }> = [
    // New keys, an object merged below, lists of the same length merged element by element, of another length replaced.
    {
      keys: ['name', 'author', 'tags', 'scores', 'nothing'],
      target: () => ({ id: '1', author: { id: 'u1' }, tags: [{ id: 't1' }, 'x'], scores: [1, 2] }),
      source: () => ({ name: 'n', author: { name: 'Ada' }, tags: [{ label: 'L' }, 'y'], scores: [3], nothing: undefined }),
    },
    // A null or a scalar where the answer has an object: replaced; the same value: left alone.
    { keys: ['a', 'b', 'c'], target: () => ({ a: null, b: 1, c: 'same' }), source: () => ({ a: { x: 1 }, b: { y: 2 }, c: 'same' }) },
  ];

  it('does what mergeInto does with the keys of the answer', () => {
    for (const { keys, target, source } of cases) {
      const expected = target();
      mergeInto(expected, source());
      const actual = target();
      compileMerger(keys)(actual, source());
      expect(actual).toEqual(expected);
    }
  });

  it('writes names inherited from Object.prototype, __proto__ and non-identifiers as own keys, and never sets a prototype', () => {
    const source = JSON.parse('{"constructor": {"id": 1}, "__proto__": {"polluted": true}, "toString": "s"}') as Data;
    const target: Data = {};
    compileMerger(['constructor', '__proto__', 'toString'])(target, source);
    expect(Object.hasOwn(target, 'constructor')).toBe(true);
    expect(target.constructor).toEqual({ id: 1 });
    expect(Object.getPrototypeOf(target)).toBe(Object.prototype);
    expect(Object.hasOwn(target, '__proto__')).toBe(true);
    expect((target as { polluted?: unknown }).polluted).toBeUndefined();
    expect(target.toString).toBe('s');
  });
});
