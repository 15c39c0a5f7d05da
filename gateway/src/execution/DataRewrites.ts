/**
 * The query planner's data rewrites, parsed once per plan instead of once per object:
 *
 * - input rewrites (ValueSetter) adjust what is sent to a subgraph: with @interfaceObject
 *   a representation's `__typename` must name the interface the subgraph knows
 *   (`... on Book` + `__typename` := "Media"), not the implementation it has;
 * - output rewrites (KeyRenamer) undo the aliases the planner adds when two selections
 *   of one fetch share a response name but cannot be merged (same field, different
 *   arguments or types): the subgraph answers under the alias, the response wants the name.
 *
 * A path is field names and `... on T` steps, and ends with the field acted on. It walks
 * through lists. A type step matches objects whose `__typename` satisfies T, and objects
 * without a `__typename` too (the data does not always carry one where a rewrite looks).
 * A renamed key is set to undefined rather than deleted, like @apollo/gateway: merging
 * skips undefined values and serialisation drops them, and no hidden class changes.
 */
import type { FetchDataRewrite } from '@apollo/query-planner';
import type { SupergraphRevision } from './SupergraphRevision.js';

type Step = { field: string; type?: undefined } | { type: string; field?: undefined };
type Data = Record<string, unknown>;

/** How plan paths (rewrites, deferred fragments' query paths) write a type condition step. */
export const FRAGMENT_PREFIX = '... on ';

class CompiledRewrite {
  constructor(
    private readonly steps: readonly Step[],
    private readonly key: string,
    private readonly rewrite: FetchDataRewrite,
  ) {}

  apply(revision: SupergraphRevision, value: unknown, at: number): void {
    if (Array.isArray(value)) {
      for (const element of value) this.apply(revision, element, at);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const data = value as Data;
    if (at === this.steps.length) return this.act(data);
    const step = this.steps[at]!;
    if (step.type !== undefined) {
      if (revision.satisfies(data.__typename, step.type, true)) this.apply(revision, data, at + 1);
    } else if (Object.hasOwn(data, step.field)) {
      this.apply(revision, data[step.field], at + 1);
    }
  }

  private act(data: Data): void {
    if (this.rewrite.kind === 'ValueSetter') {
      setOwn(data, this.key, this.rewrite.setValueTo);
      return;
    }
    const value = Object.hasOwn(data, this.key) ? data[this.key] : undefined;
    if (!value) return;
    setOwn(data, this.rewrite.renameKeyTo, value);
    data[this.key] = undefined;
  }
}

/**
 * Sets an own property. Plain assignment does that for every name but `__proto__`, whose
 * assignment would set the object's prototype (a subgraph may send that key).
 */
export function setOwn(data: Data, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(data, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    data[key] = value;
  }
}

export class DataRewrites {
  private readonly rewrites: CompiledRewrite[];

  constructor(rewrites: readonly FetchDataRewrite[]) {
    this.rewrites = [];
    for (const rewrite of rewrites) {
      const path = rewrite.path;
      const last = path[path.length - 1];
      // Every rewrite the planner emits ends with a field; anything else is not ours to guess.
      if (last === undefined || last.startsWith(FRAGMENT_PREFIX)) throw new Error(`unsupported data rewrite path ${JSON.stringify(path)}`);
      const steps = path
        .slice(0, -1)
        .map((element): Step => (element.startsWith(FRAGMENT_PREFIX) ? { type: element.slice(FRAGMENT_PREFIX.length) } : { field: element }));
      this.rewrites.push(new CompiledRewrite(steps, last, rewrite));
    }
  }

  /** Undefined when there is nothing to rewrite, so that callers skip the call. */
  static of(rewrites: readonly FetchDataRewrite[] | undefined): DataRewrites | undefined {
    return rewrites && rewrites.length > 0 ? new DataRewrites(rewrites) : undefined;
  }

  apply(revision: SupergraphRevision, value: unknown): void {
    for (const rewrite of this.rewrites) rewrite.apply(revision, value, 0);
  }
}
