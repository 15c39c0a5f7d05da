/**
 * Random valid operations over a schema, from a seed: the same seed gives the same
 * operations on every machine. Each operation picks root fields and walks down to a
 * bounded depth choosing fields (with arguments from a pool, sometimes aliased, sometimes
 * the same field twice under two aliases with different arguments), `__typename`, inline
 * fragments on possible types, named fragments, and @include/@skip on variables.
 * Candidates that graphql-js does not validate (conflicting aliases and the like) are
 * dropped and drawn again.
 *
 * At one level, two inline fragments never share a type condition: @apollo/gateway
 * merges those and then orders keys differently from the spec (the differential test
 * covers that case on its own).
 */
import {
  getNamedType,
  isAbstractType,
  isCompositeType,
  isNonNullType,
  isUnionType,
  parse,
  validate,
  type GraphQLArgument,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
} from 'graphql';

/** mulberry32: small, fast, good enough to pick things. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface GeneratedOperation {
  query: string;
  /** Variable sets to run it with (each combination of the condition variables it uses). */
  variables: Array<Record<string, unknown>>;
}

export interface GeneratorOptions {
  seed: number;
  count: number;
  /** Literal values (GraphQL syntax) for arguments, by argument name, else by type name. */
  argumentValues: Record<string, readonly string[]>;
  maxDepth?: number;
}

export function randomOperations(schema: GraphQLSchema, options: GeneratorOptions): GeneratedOperation[] {
  const random = prng(options.seed);
  const chance = (p: number) => random() < p;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const maxDepth = options.maxDepth ?? 4;
  const operations: GeneratedOperation[] = [];
  const seen = new Set<string>();

  for (let attempts = 0; operations.length < options.count && attempts < options.count * 50; attempts++) {
    const used = new Set<string>();
    const fragments: string[] = [];
    let aliasCount = 0;

    const directive = (): string => {
      if (!chance(0.15)) return '';
      const variable = pick(['inc', 'skip']);
      used.add(variable);
      return variable === 'inc' ? ' @include(if: $inc)' : ' @skip(if: $skip)';
    };
    const argumentsOf = (args: readonly GraphQLArgument[]): string | undefined => {
      const parts: string[] = [];
      for (const arg of args) {
        if (!isNonNullType(arg.type) && !chance(0.5)) continue;
        const values = options.argumentValues[arg.name] ?? options.argumentValues[getNamedType(arg.type).name];
        if (!values) {
          if (isNonNullType(arg.type) && arg.defaultValue === undefined) return undefined;
          continue;
        }
        parts.push(`${arg.name}: ${pick(values)}`);
      }
      return parts.length > 0 ? `(${parts.join(', ')})` : '';
    };
    const field = (definition: GraphQLField<unknown, unknown>, depth: number, aliased = chance(0.2)): string | undefined => {
      const args = argumentsOf(definition.args);
      if (args === undefined) return undefined;
      const alias = aliased ? `${definition.name}_${++aliasCount}: ` : '';
      const named = getNamedType(definition.type);
      if (!isCompositeType(named)) return `${alias}${definition.name}${args}${directive()}`;
      if (depth >= maxDepth) return undefined;
      const inner = selectionSet(named, depth + 1);
      return inner ? `${alias}${definition.name}${args}${directive()} ${inner}` : undefined;
    };
    const selectionSet = (type: GraphQLCompositeType, depth: number): string | undefined => {
      const selections: string[] = [];
      const conditions = new Set<string>();
      const fields = isUnionType(type) ? [] : Object.values(type.getFields());
      const size = 1 + Math.floor(random() * 4);
      for (let i = 0; i < size; i++) {
        const roll = random();
        if (roll < 0.12) {
          selections.push(`__typename${directive()}`);
        } else if (roll < 0.35 && (isAbstractType(type) || chance(0.3))) {
          // An inline fragment on a possible type (or the type itself), one per type condition.
          const candidates = isAbstractType(type) ? [...schema.getPossibleTypes(type), type] : [type];
          const condition = pick(candidates);
          if (conditions.has(condition.name)) continue;
          conditions.add(condition.name);
          const inner = selectionSet(condition, depth);
          if (inner) selections.push(`... on ${condition.name}${directive()} ${inner}`);
        } else if (roll < 0.42 && fragments.length < 3) {
          const name = `F${fragments.length}`;
          const inner = selectionSet(type, depth);
          if (!inner) continue;
          fragments.push(`fragment ${name} on ${type.name} ${inner}`);
          selections.push(`...${name}${directive()}`);
        } else if (fields.length > 0) {
          const definition = pick(fields);
          const selection = field(definition, depth);
          if (selection) selections.push(selection);
          // Sometimes the same field again under another alias, with other arguments.
          if (selection && definition.args.length > 0 && chance(0.25)) {
            const again = field(definition, depth, true);
            if (again) selections.push(again);
          }
        }
      }
      if (selections.length === 0) {
        const leaf = fields.find((f) => !isCompositeType(getNamedType(f.type)) && f.args.every((a) => !isNonNullType(a.type)));
        selections.push(leaf ? leaf.name : '__typename');
      }
      return `{ ${selections.join(' ')} }`;
    };

    const root = schema.getQueryType()!;
    const body = selectionSet(root, 1);
    if (!body) continue;
    const declarations = [...used].sort().map((name) => (name === 'inc' ? '$inc: Boolean!' : '$skip: Boolean = false'));
    const query = `query Generated${declarations.length ? `(${declarations.join(', ')})` : ''} ${body}${fragments.map((f) => `\n${f}`).join('')}`;
    if (seen.has(query)) continue;
    let document;
    try {
      document = parse(query);
    } catch {
      continue;
    }
    if (validate(schema, document).length > 0) continue;
    seen.add(query);
    const combos: Array<Record<string, unknown>> = [{}];
    if (used.has('inc'))
      combos.splice(
        0,
        combos.length,
        ...combos.flatMap((c) => [
          { ...c, inc: true },
          { ...c, inc: false },
        ]),
      );
    if (used.has('skip')) combos.splice(0, combos.length, ...combos.flatMap((c) => [c, { ...c, skip: true }]));
    operations.push({ query, variables: combos });
  }
  if (operations.length < options.count) throw new Error(`generated only ${operations.length} valid operations of ${options.count}`);
  return operations;
}
