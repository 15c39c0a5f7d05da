/**
 * Finding the objects a Flatten node's path reaches in the gathered data: the entities of
 * an `_entities` fetch, or where a nested fetch's answer goes. A path is response names
 * and '@' for each list level; a list where the path has no '@' (the array of entities a
 * walk starts from) is walked through without taking a step. Nulls and non-objects are
 * left out.
 *
 * Each path is compiled once per plan into one small function per step that reads its
 * field by name (`value.reviews`), as shapeResponse.ts compiles response objects: a
 * property read with a fixed name gets an inline cache of its own, where the generic walk
 * reads every step of every path through one megamorphic keyed load. Names that are not
 * identifiers, and names inherited from Object.prototype, are read with ownValue.
 */
import { ownValue, type Data } from './mergeInto.js';

export type Walker = (value: unknown, into: Data[]) => void;

const IDENTIFIER = /^[_A-Za-z][_0-9A-Za-z]*$/;

/** The generic walk, step by step (what compiled walkers do, for any path). */
export function walk(value: unknown, path: readonly string[], index: number, into: Data[]): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    const next = path[index] === '@' ? index + 1 : index;
    for (let i = 0; i < value.length; i++) walk(value[i], path, next, into);
    return;
  }
  if (index === path.length) {
    into.push(value as Data);
    return;
  }
  const key = path[index]!;
  if (key !== '@') walk(ownValue(value as Data, key), path, index + 1, into);
}

export function compileWalker(path: readonly string[]): Walker {
  const n = path.length;
  const steps: string[] = [];
  for (let i = 0; i <= n; i++) {
    const key = path[i];
    const next = key === '@' ? i + 1 : i;
    let onObject: string;
    if (i === n) onObject = 'into.push(v);';
    else if (key === '@') onObject = '';
    else if (IDENTIFIER.test(key!) && key !== '__proto__' && !(key! in Object.prototype)) onObject = `w${i + 1}(v.${key}, into);`;
    else onObject = `w${i + 1}(own(v, ${JSON.stringify(key)}), into);`;
    steps.push(
      `function w${i}(v, into) {\n` +
        `  if (v === null || typeof v !== 'object') return;\n` +
        `  if (Array.isArray(v)) { for (let i = 0; i < v.length; i++) w${next}(v[i], into); return; }\n` +
        `  ${onObject}\n` +
        `}`,
    );
  }
  const factory = new Function('own', `${steps.join('\n')}\nreturn w0;`) as (own: typeof ownValue) => Walker;
  return factory(ownValue);
}
