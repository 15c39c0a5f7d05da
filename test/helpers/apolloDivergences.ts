/**
 * The two ways @apollo/gateway 2.14 answers differently from the spec, recognised so that
 * the differential test can tell them from a bug of ours (each is shown on its own, with
 * a hand-written operation, in test/executor.differential.test.ts):
 *
 * 1. Key order. @apollo/gateway shapes responses from federation-internals' normalised
 *    operation, which merges inline fragments with the same type condition (and the same
 *    directives) at one level, fields of one response name merged included. A key can then
 *    come after a sibling that follows it in the query. Recognised when the operation has
 *    such fragments and the two answers are equal but for key order.
 * 2. Entity error paths. An `_entities` error's index counts representations, but
 *    @apollo/gateway looks it up among every object at the flatten path, including those
 *    that sent no representation (another member of a union, another implementation of an
 *    interface). Recognised when the data are the same, the errors differ only in list
 *    indexes of their paths, and each path of ours leads to a null (or a field this
 *    response does not have) while @apollo/gateway's does not lead to a null.
 */
import { Kind, parse, print, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';

/** Whether, at some level, two inline fragments share a type condition and directives. */
export function mergesFragments(query: string): boolean {
  const document = parse(query);
  const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
  const level = (sets: readonly SelectionSetNode[]): boolean => {
    const fields = new Map<string, SelectionSetNode[]>();
    const inline = new Map<string, SelectionSetNode[]>();
    for (const set of sets) {
      for (const selection of set.selections) {
        if (selection.kind === Kind.FIELD) {
          const name = selection.alias?.value ?? selection.name.value;
          if (selection.selectionSet) fields.set(name, [...(fields.get(name) ?? []), selection.selectionSet]);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          const key = `${selection.typeCondition?.name.value ?? ''}${(selection.directives ?? []).map((d) => print(d)).join('')}`;
          const merged = inline.get(key);
          if (merged) return true;
          inline.set(key, [selection.selectionSet]);
        } else {
          const fragment = fragments.get(selection.name.value);
          if (fragment && level([fragment.selectionSet])) return true;
        }
      }
    }
    return [...fields.values(), ...inline.values()].some((merged) => level(merged));
  };
  return document.definitions.some((d) => d.kind === Kind.OPERATION_DEFINITION && level([d.selectionSet]));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
  );
}

interface Response {
  data?: unknown;
  errors?: Array<{ message: string; path?: Array<string | number> }>;
}

/** What a path leads to: null (there, or above it), a value, or nothing (no such key: nothing could fail there). */
function valueAt(data: unknown, path: ReadonlyArray<string | number>): unknown {
  let value = data;
  for (const key of path) {
    if (value === null) return null;
    if (typeof value !== 'object' || !Object.hasOwn(value, key)) return ABSENT;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}
const ABSENT = Symbol('absent');
const isNullOrAbsent = (value: unknown) => value === null || value === ABSENT;

/** Which known divergence explains the difference between the two answers, if one does. */
export function knownDivergence(query: string, apolloJson: string, oursJson: string): 'key order' | 'entity error path' | undefined {
  const apollo = JSON.parse(apolloJson) as Response;
  const ours = JSON.parse(oursJson) as Response;
  if (mergesFragments(query) && JSON.stringify(sortKeys(apollo)) === JSON.stringify(sortKeys(ours))) return 'key order';
  if (JSON.stringify(apollo.data) !== JSON.stringify(ours.data) || apollo.errors?.length !== ours.errors?.length || !ours.errors) return undefined;
  let differs = false;
  for (let i = 0; i < ours.errors.length; i++) {
    const mine = ours.errors[i]!;
    const theirs = apollo.errors![i]!;
    if (mine.message !== theirs.message) return undefined;
    if (JSON.stringify(mine.path) === JSON.stringify(theirs.path)) continue;
    differs = true;
    if (!mine.path || !theirs.path || mine.path.length !== theirs.path.length) return undefined;
    // Only list indexes may differ: the same field of another entity.
    if (mine.path.some((key, at) => typeof key === 'string' && key !== theirs.path![at])) return undefined;
    // Ours must not point at a value (the error nulled it, or the field is not in this response);
    // @apollo/gateway's must not point at a null. With data null altogether, nothing tells them apart.
    if (ours.data !== null && (!isNullOrAbsent(valueAt(ours.data, mine.path)) || valueAt(apollo.data, theirs.path) === null)) return undefined;
  }
  return differs ? 'entity error path' : undefined;
}
