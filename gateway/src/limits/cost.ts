/**
 * The estimated cost of an operation, from the sizes of the lists it asks for, after
 * the model of Apollo's demand control (the @cost/@listSize spec), simplified:
 *
 * - a field of object type (or list of them) costs 1 per object, a scalar or enum field
 *   costs 0, plus what is selected below it, per object;
 * - a root mutation field costs 10 more (it writes);
 * - a list field counts as many objects as its size: the value of its slicing argument
 *   (`first`, `last` or `limit`, given as a literal or a variable, or else the
 *   argument's default in the schema), or the `@listSize(assumedSize:)` of the field in
 *   the supergraph, or the configured default list size;
 * - a connection (a field with a slicing argument that returns an object) passes its
 *   size to the list fields right below it (`nodes`, `edges`), which is what
 *   `@listSize(sizedFields:)` says explicitly when the supergraph has it;
 * - introspection (`__schema`, `__type`) costs nothing: its size is the schema's.
 *
 * The walk (the shared one, operation/walk.ts) is memoised per fragment and size, so a document whose fragments spread each
 * other many times costs linear time to estimate however large its expansion.
 */
import {
  Kind,
  getNamedType,
  getNullableType,
  isCompositeType,
  isListType,
  parse,
  valueFromASTUntyped,
  type ArgumentNode,
  type DocumentNode,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { selectionWalker } from '../operation/walk.js';

/** A field's `@listSize` as the supergraph declares it. */
export interface ListSize {
  assumedSize?: number;
  slicingArguments?: string[];
  sizedFields?: string[];
}

/** `@listSize` by `Type.field`. */
export type ListSizes = ReadonlyMap<string, ListSize>;

const SLICING_ARGUMENTS = ['first', 'last', 'limit'];
const MUTATION_FIELD_COST = 10;

/**
 * Reads `@listSize` (however the supergraph names it: `@listSize`, `@cost__listSize`,
 * `@federation__listSize`) from the fields of a supergraph SDL.
 */
export function listSizesFromSupergraph(sdl: string): Map<string, ListSize> {
  const sizes = new Map<string, ListSize>();
  let document: DocumentNode;
  try {
    document = parse(sdl, { noLocation: true });
  } catch {
    return sizes;
  }
  for (const definition of document.definitions) {
    if (
      definition.kind !== Kind.OBJECT_TYPE_DEFINITION &&
      definition.kind !== Kind.OBJECT_TYPE_EXTENSION &&
      definition.kind !== Kind.INTERFACE_TYPE_DEFINITION &&
      definition.kind !== Kind.INTERFACE_TYPE_EXTENSION
    ) {
      continue;
    }
    for (const field of definition.fields ?? []) {
      const directive = field.directives?.find((d) => /(^|__)listSize$/.test(d.name.value));
      if (!directive) continue;
      const args = Object.fromEntries((directive.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value)]));
      const size: ListSize = {};
      if (typeof args.assumedSize === 'number') size.assumedSize = args.assumedSize;
      if (Array.isArray(args.slicingArguments)) size.slicingArguments = args.slicingArguments.filter((a): a is string => typeof a === 'string');
      if (Array.isArray(args.sizedFields)) size.sizedFields = args.sizedFields.filter((a): a is string => typeof a === 'string');
      sizes.set(`${definition.name.value}.${field.name.value}`, size);
    }
  }
  return sizes;
}

export interface CostOptions {
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  variables: Readonly<Record<string, unknown>> | undefined;
  listSizes: ListSizes;
  /** Size of a list whose size nothing says. */
  defaultListSize: number;
}

const MAX_INT = 2 ** 31 - 1;

/** The list fields below a connection that its slicing argument sizes (undefined: all of them), and that size. */
interface Sized {
  fields: readonly string[] | undefined;
  size: number;
}

interface CostState {
  sized: Sized | undefined;
  root: 'query' | 'mutation' | undefined;
}

/**
 * A size from an argument value: a non-negative value that an Int accepts, or undefined.
 * Anything else (2^31, 1.5, "many") is left to variable coercion, which refuses it with
 * BAD_USER_INPUT, rather than reported as a cost it would never have.
 */
function sizeOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_INT ? value : undefined;
}

export function estimateCost(options: CostOptions): number {
  const { schema, variables, listSizes, defaultListSize } = options;
  const variableDefaults = new Map<string, unknown>();
  for (const definition of options.operation.variableDefinitions ?? []) {
    if (definition.defaultValue) variableDefaults.set(definition.variable.name.value, valueFromASTUntyped(definition.defaultValue));
  }

  const argumentValue = (args: readonly ArgumentNode[] | undefined, name: string, field: GraphQLField<unknown, unknown>): number | undefined => {
    const node = args?.find((a) => a.name.value === name);
    if (node) {
      if (node.value.kind === Kind.VARIABLE) {
        const variable = node.value.name.value;
        return sizeOf(variables && variable in variables ? variables[variable] : variableDefaults.get(variable));
      }
      return sizeOf(valueFromASTUntyped(node.value));
    }
    return sizeOf(field.args.find((a) => a.name === name)?.defaultValue);
  };

  /** The size a slicing argument gives the field (the largest when several are given), if any. */
  const slicedSize = (args: readonly ArgumentNode[] | undefined, field: GraphQLField<unknown, unknown>, names: readonly string[]): number | undefined => {
    let size: number | undefined;
    for (const name of names) {
      if (!field.args.some((a) => a.name === name)) continue;
      const value = argumentValue(args, name, field);
      if (value !== undefined) size = Math.max(size ?? 0, value);
    }
    return size;
  };

  /**
   * The cost of a selection set, per object (the shared walk, operation/walk.ts, without
   * @skip/@include: a skipped field is paid for). The state: the list fields below whose
   * size the parent (a connection) set, and that size; and whether this is the root of a
   * query or a mutation. A fragment's cost is computed once per state.
   */
  const walk = selectionWalker<CostState, number>(
    { document: options.document, schema },
    {
      empty: () => 0,
      add: (a, b) => a + b,
      memoKey: ({ sized, root }) => `${sized ? `${sized.fields?.join(',') ?? '*'}=${sized.size}` : ''}|${root ?? ''}`,
      field(selection, parent, field, { sized, root }, walkBelow) {
        const name = selection.name.value;
        if (name === '__schema' || name === '__type' || name === '__typename') return 0;
        // Unions select only __typename and fragments.
        if (!parent || !field) return 0;
        const type = getNullableType(field.type);
        const isList = isListType(type);
        const named = getNamedType(field.type);
        const declared = listSizes.get(`${parent.name}.${name}`);

        const sliced = slicedSize(selection.arguments, field, declared?.slicingArguments ?? SLICING_ARGUMENTS);
        // How many objects this field stands for.
        let count = 1;
        if (isList) {
          const fromParent = sized && (sized.fields === undefined || sized.fields.includes(name)) ? sized.size : undefined;
          count = (declared?.sizedFields ? undefined : sliced) ?? fromParent ?? declared?.assumedSize ?? defaultListSize;
        }
        // A connection: its slicing argument sizes the lists below it.
        let below: Sized | undefined;
        if (declared?.sizedFields) below = { fields: declared.sizedFields, size: sliced ?? declared.assumedSize ?? defaultListSize };
        else if (!isList && sliced !== undefined) below = { fields: undefined, size: sliced };

        const inner = selection.selectionSet && isCompositeType(named) ? walkBelow(selection.selectionSet, named, { sized: below, root: undefined }) : 0;
        return count * ((isCompositeType(named) ? 1 : 0) + inner) + (root === 'mutation' ? MUTATION_FIELD_COST : 0);
      },
    },
  );

  const { operation } = options;
  const rootType =
    operation.operation === 'mutation'
      ? schema.getMutationType()
      : operation.operation === 'subscription'
        ? schema.getSubscriptionType()
        : schema.getQueryType();
  if (!rootType) return 0;
  return walk(operation.selectionSet, rootType, { sized: undefined, root: operation.operation === 'mutation' ? 'mutation' : 'query' });
}
