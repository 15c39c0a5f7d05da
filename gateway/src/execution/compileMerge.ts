/**
 * Merging a fetch's answer into the data already gathered, compiled per fetch. A fetch
 * answers with the response names of its own selection (the `_entities` field's, for an
 * entity fetch) and no others, so the keys an answer can have are known when the plan is
 * compiled: the merge reads and writes each by name (`target.reviews`), with an inline
 * cache per key, instead of walking the answer's keys with a for-in loop and a keyed load
 * and store per key, which the generic mergeInto does. Below the top level (an object
 * that two fetches both answered) the generic merge takes over.
 *
 * Keys that the planner's output rewrites write (renamed aliases) are read as well. Names
 * inherited from Object.prototype, `__proto__` and names that are not identifiers are read
 * with ownValue and written with setOwn, as mergeInto does.
 */
import { Kind, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';
import type { FetchDataRewrite } from '@apollo/query-planner';
import { setOwn } from './DataRewrites.js';
import { mergeExisting, ownValue, type Data } from './mergeInto.js';

export type Merger = (target: Data, source: Data) => void;

const IDENTIFIER = /^[_A-Za-z][_0-9A-Za-z]*$/;

/**
 * The response names a fetch's answer can have at its top level: the fields of the
 * operation's selection, or of its `_entities` field's; undefined when the document is not
 * what the planner writes (the generic merge is used then).
 */
export function answerKeys(document: DocumentNode | undefined, entities: boolean, rewrites: readonly FetchDataRewrite[] | undefined): string[] | undefined {
  if (!document) return undefined;
  const operations = document.definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  if (operations.length !== 1) return undefined;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  let set: SelectionSetNode | undefined = operations[0]!.selectionSet;
  if (entities) {
    const fields = set.selections.filter((selection) => selection.kind === Kind.FIELD);
    if (set.selections.length !== 1 || fields.length !== 1 || fields[0]!.name.value !== '_entities' || fields[0]!.alias) return undefined;
    set = fields[0]!.selectionSet;
    if (!set) return undefined;
  }
  const keys = new Set<string>();
  const visited = new Set<string>();
  const collect = (selections: SelectionSetNode): boolean => {
    for (const selection of selections.selections) {
      if (selection.kind === Kind.FIELD) keys.add(selection.alias?.value ?? selection.name.value);
      else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (!collect(selection.selectionSet)) return false;
      } else {
        const fragment = fragments.get(selection.name.value);
        if (!fragment) return false;
        if (visited.has(fragment.name.value)) continue;
        visited.add(fragment.name.value);
        if (!collect(fragment.selectionSet)) return false;
      }
    }
    return true;
  };
  if (!collect(set)) return undefined;
  for (const rewrite of rewrites ?? []) {
    const last = rewrite.path[rewrite.path.length - 1];
    if (last !== undefined) keys.add(last);
    if (rewrite.kind === 'KeyRenamer') keys.add(rewrite.renameKeyTo);
  }
  return [...keys];
}

export function compileMerger(keys: readonly string[]): Merger {
  const lines = keys.map((key) => {
    const name = JSON.stringify(key);
    if (IDENTIFIER.test(key) && key !== '__proto__' && !(key in Object.prototype)) {
      return `v = s.${key}; if (v !== undefined) { e = t.${key}; if (e === undefined) t.${key} = v; else if (e !== v) existing(t, ${name}, e, v); }`;
    }
    return `v = own(s, ${name}); if (v !== undefined) { e = own(t, ${name}); if (e === undefined) set(t, ${name}, v); else if (e !== v) existing(t, ${name}, e, v); }`;
  });
  const factory = new Function('own', 'set', 'existing', `return function mergeAnswer(t, s) {\nlet v, e;\n${lines.join('\n')}\n};`) as (
    own: typeof ownValue,
    set: typeof setOwn,
    existing: typeof mergeExisting,
  ) => Merger;
  return factory(ownValue, setOwn, mergeExisting);
}
