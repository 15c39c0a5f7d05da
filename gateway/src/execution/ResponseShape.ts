/**
 * The client's selection, compiled for shaping responses: per selection set and per
 * runtime type (the `__typename` the data carries), the ordered list of response fields
 * with their type, what to check and what comes below. This is CollectFields of the
 * GraphQL spec done ahead of time, so that shaping a response walks arrays and never the
 * operation's AST, its fragments or its directives.
 *
 * @skip/@include depend on variables: a shape is compiled for one set of values of the
 * variables that appear in those directives (a "variant"; see PreparedOperation), so it
 * holds no condition at all. Runtime types are compiled on first sight, because an
 * abstract field may have many possible types and a response uses few of them; the
 * compiled lists are kept with the prepared operation, which is cached with its plan.
 *
 * Semantics follow @apollo/gateway's post-processing (resultShaping.ts), which is what a
 * client sees today, with one exception: response keys come in the order CollectFields
 * gives (first occurrence), while @apollo/gateway merges inline fragments with the same
 * type condition first and can move a key after a later sibling.
 */
import {
  getNamedType,
  isAbstractType,
  isCompositeType,
  isEnumType,
  isLeafType,
  isUnionType,
  Kind,
  valueFromASTUntyped,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLEnumType,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { FRAGMENT_PREFIX } from './DataRewrites.js';

export const enum FieldKind {
  Typename,
  Leaf,
  Composite,
  Introspection,
}

/** How a leaf value is checked: any value (custom scalars), a built-in scalar, or an enum's values. */
export type LeafCheck = 'any' | 'Int' | 'Float' | 'String' | 'Boolean' | 'ID' | GraphQLEnumType;

export interface ShapeField {
  readonly kind: FieldKind;
  /** Response name (alias or field name). */
  readonly name: string;
  /** The field's type (Leaf and Composite). */
  readonly type: GraphQLOutputType;
  /** The type in scope where the field is selected: for error messages and `__typename`'s fallback. */
  readonly scope: GraphQLCompositeType;
  readonly leaf: LeafCheck;
  readonly selection: SelectionShape | undefined;
  /** For `__schema` and `__type`: the document that answers it from the API schema. */
  readonly introspection: DocumentNode | undefined;
}

export interface ShapeContext {
  readonly schema: GraphQLSchema;
  readonly operation: OperationDefinitionNode;
  readonly fragments: Readonly<Record<string, FragmentDefinitionNode>>;
  /** The variant's values of the variables used by @skip/@include (and @defer's `if`). */
  readonly conditions: ReadonlyMap<string, boolean>;
  /**
   * Leave out the fragments marked @defer (unless `if: false`): the shape of a response's
   * primary part, or of a deferred part without the parts deferred inside it.
   */
  readonly withoutDeferred?: boolean;
}

interface Collected {
  first: FieldNode;
  scope: GraphQLCompositeType;
  sets: SelectionSetNode[];
}

export class SelectionShape {
  private readonly byType = new Map<string, readonly ShapeField[]>();

  constructor(
    private readonly context: ShapeContext,
    /** The field's (or the root's) named type. */
    readonly type: GraphQLCompositeType,
    private readonly sets: readonly SelectionSetNode[],
  ) {}

  /**
   * The fields for an object whose `__typename` is `typename` (which the caller has
   * checked names a composite type of the API schema), or that has none.
   */
  fields(typename: string | undefined): readonly ShapeField[] {
    const key = typename ?? '';
    let fields = this.byType.get(key);
    if (!fields) {
      const runtime = typename === undefined ? undefined : (this.context.schema.getType(typename) as GraphQLCompositeType);
      fields = this.compile(runtime);
      this.byType.set(key, fields);
    }
    return fields;
  }

  private compile(runtime: GraphQLCompositeType | undefined): ShapeField[] {
    const collected = new Map<string, Collected>();
    const visited = new Set<string>();
    for (const set of this.sets) this.collect(set, runtime ?? this.type, runtime, collected, visited);
    const fields: ShapeField[] = [];
    for (const [name, { first, scope, sets }] of collected) fields.push(this.field(name, first, scope, sets));
    return fields;
  }

  private collect(
    set: SelectionSetNode,
    scope: GraphQLCompositeType,
    runtime: GraphQLCompositeType | undefined,
    into: Map<string, Collected>,
    visited: Set<string>,
  ): void {
    for (const selection of set.selections) {
      if (!this.included(selection.directives)) continue;
      if (selection.kind === Kind.FIELD) {
        const name = selection.alias?.value ?? selection.name.value;
        let entry = into.get(name);
        if (!entry) into.set(name, (entry = { first: selection, scope, sets: [] }));
        if (selection.selectionSet) entry.sets.push(selection.selectionSet);
        continue;
      }
      if (this.context.withoutDeferred && this.deferred(selection.directives)) continue;
      let fragmentSet: SelectionSetNode;
      let condition: string | undefined;
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        fragmentSet = selection.selectionSet;
        condition = selection.typeCondition?.name.value;
      } else {
        if (visited.has(selection.name.value)) continue;
        visited.add(selection.name.value);
        const fragment = this.context.fragments[selection.name.value];
        if (!fragment) throw new Error(`Unknown fragment "${selection.name.value}".`);
        fragmentSet = fragment.selectionSet;
        condition = fragment.typeCondition.name.value;
      }
      const conditionType = condition === undefined ? undefined : this.context.schema.getType(condition);
      if (conditionType && !this.applies(conditionType, runtime ?? scope)) continue;
      this.collect(fragmentSet, (conditionType as GraphQLCompositeType | undefined) ?? scope, runtime, into, visited);
    }
  }

  /** Whether `... on condition` applies to an object of type `type`: the type itself, or one below an abstract condition. */
  private applies(condition: GraphQLNamedType, type: GraphQLCompositeType): boolean {
    if (condition === type) return true;
    // A union is never an object's type, and has no subtypes.
    return isAbstractType(condition) && !isUnionType(type) && this.context.schema.isSubType(condition, type);
  }

  /** Whether a fragment is deferred: @defer without `if`, or with `if` true. */
  private deferred(directives: readonly DirectiveNode[] | undefined): boolean {
    const directive = directives?.find((d) => d.name.value === 'defer');
    if (!directive) return false;
    const value = directive.arguments?.find((arg) => arg.name.value === 'if')?.value;
    if (!value) return true;
    return value.kind === Kind.VARIABLE ? this.context.conditions.get(value.name.value) !== false : !(value.kind === Kind.BOOLEAN && !value.value);
  }

  private included(directives: readonly DirectiveNode[] | undefined): boolean {
    if (!directives) return true;
    for (const directive of directives) {
      const name = directive.name.value;
      if (name !== 'skip' && name !== 'include') continue;
      const value = directive.arguments?.find((arg) => arg.name.value === 'if')?.value;
      const on = value?.kind === Kind.VARIABLE ? this.context.conditions.get(value.name.value) === true : value?.kind === Kind.BOOLEAN && value.value;
      if (name === 'skip' ? on : !on) return false;
    }
    return true;
  }

  private field(name: string, node: FieldNode, scope: GraphQLCompositeType, sets: SelectionSetNode[]): ShapeField {
    const fieldName = node.name.value;
    const base = { name, scope, leaf: 'any' as LeafCheck, selection: undefined, introspection: undefined };
    if (fieldName === '__typename') return { ...base, kind: FieldKind.Typename, type: scope };
    if (fieldName === '__schema' || fieldName === '__type') {
      return { ...base, kind: FieldKind.Introspection, type: scope, introspection: this.introspectionDocument(node) };
    }
    const definition = 'getFields' in scope ? scope.getFields()[fieldName] : undefined;
    if (!definition) throw new Error(`Cannot query field "${fieldName}" on type "${scope.name}".`);
    const named = getNamedType(definition.type);
    if (isCompositeType(named)) return { ...base, kind: FieldKind.Composite, type: definition.type, selection: new SelectionShape(this.context, named, sets) };
    if (!isLeafType(named)) throw new Error(`Field "${fieldName}" has no output type.`);
    return {
      ...base,
      kind: FieldKind.Leaf,
      type: definition.type,
      leaf: isEnumType(named) ? named : BUILT_IN.has(named.name) ? (named.name as LeafCheck) : 'any',
    };
  }

  /** A query of just this field, answered by graphql-js over the API schema (as @apollo/gateway does). */
  private introspectionDocument(node: FieldNode): DocumentNode {
    const { operation, fragments } = this.context;
    return {
      kind: Kind.DOCUMENT,
      definitions: [
        {
          kind: Kind.OPERATION_DEFINITION,
          operation: operation.operation,
          variableDefinitions: operation.variableDefinitions,
          selectionSet: { kind: Kind.SELECTION_SET, selections: [node] },
        },
        ...Object.values(fragments),
      ],
    };
  }
}

const BUILT_IN = new Set(['Int', 'Float', 'String', 'Boolean', 'ID']);

/** The values of the variables @skip/@include use, defaults applied; throws on a non-boolean like @apollo/gateway. */
export function conditionValues(
  names: readonly string[],
  defaults: Readonly<Record<string, unknown>>,
  variables: Readonly<Record<string, unknown>> | undefined,
): Map<string, boolean> {
  const values = new Map<string, boolean>();
  for (const name of names) values.set(name, conditionValue(name, defaults, variables));
  return values;
}

export function conditionValue(name: string, defaults: Readonly<Record<string, unknown>>, variables: Readonly<Record<string, unknown>> | undefined): boolean {
  let value = variables && Object.hasOwn(variables, name) ? variables[name] : undefined;
  if (value === undefined) value = defaults[name];
  if (typeof value !== 'boolean') throw new Error(`Unexpected value ${String(value)} for variable $${name} of @skip/@include`);
  return value;
}

/** The variables an operation uses in @skip/@include and @defer's `if` (fragments included), and their defaults. */
export function conditionVariables(
  operation: OperationDefinitionNode,
  fragments: Readonly<Record<string, FragmentDefinitionNode>>,
): { names: string[]; defaults: Record<string, unknown> } {
  const names = new Set<string>();
  const visit = (set: SelectionSetNode | undefined, seen: Set<string>): void => {
    for (const selection of set?.selections ?? []) {
      for (const directive of selection.directives ?? []) {
        const name = directive.name.value;
        if (name !== 'skip' && name !== 'include' && name !== 'defer') continue;
        for (const arg of directive.arguments ?? []) if (arg.name.value === 'if' && arg.value.kind === Kind.VARIABLE) names.add(arg.value.name.value);
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        if (seen.has(selection.name.value)) continue;
        seen.add(selection.name.value);
        visit(fragments[selection.name.value]?.selectionSet, seen);
      } else {
        visit(selection.selectionSet, seen);
      }
    }
  };
  visit(operation.selectionSet, new Set());
  const defaults: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.defaultValue) defaults[definition.variable.name.value] = valueFromASTUntyped(definition.defaultValue);
  }
  return { names: [...names], defaults };
}

/**
 * The static type of the objects at a deferred fragment's path (response names from the
 * root, `... on T` steps): found by following the operation's selections, aliases and
 * fragments included, since a response name may be an alias.
 */
export function typeAtPath(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Readonly<Record<string, FragmentDefinitionNode>>,
  path: readonly string[],
): GraphQLCompositeType {
  const root = schema.getRootType(operation.operation);
  if (!root) throw new Error(`The schema has no ${operation.operation} type.`);
  let type: GraphQLCompositeType = root;
  let sets: Array<{ set: SelectionSetNode; type: GraphQLCompositeType }> = [{ set: operation.selectionSet, type: root }];
  for (const step of path) {
    if (step.startsWith(FRAGMENT_PREFIX)) {
      const condition = schema.getType(step.slice(FRAGMENT_PREFIX.length));
      if (!condition || !isCompositeType(condition)) throw new Error(`Unknown type in deferred path: ${step}`);
      type = condition;
      continue;
    }
    const next: Array<{ set: SelectionSetNode; type: GraphQLCompositeType }> = [];
    let fieldType: GraphQLCompositeType | undefined;
    const visit = (set: SelectionSetNode, scope: GraphQLCompositeType, seen: Set<string>): void => {
      for (const selection of set.selections) {
        if (selection.kind === Kind.FIELD) {
          if ((selection.alias?.value ?? selection.name.value) !== step || !selection.selectionSet || !('getFields' in scope)) continue;
          const definition = scope.getFields()[selection.name.value];
          const named = definition && getNamedType(definition.type);
          if (!named || !isCompositeType(named)) continue;
          fieldType ??= named;
          next.push({ set: selection.selectionSet, type: named });
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          const condition = selection.typeCondition && schema.getType(selection.typeCondition.name.value);
          visit(selection.selectionSet, condition && isCompositeType(condition) ? condition : scope, seen);
        } else if (!seen.has(selection.name.value)) {
          seen.add(selection.name.value);
          const fragment = fragments[selection.name.value];
          const condition = fragment && schema.getType(fragment.typeCondition.name.value);
          if (fragment) visit(fragment.selectionSet, condition && isCompositeType(condition) ? condition : scope, seen);
        }
      }
    };
    for (const { set, type: scope } of sets) visit(set, scope, new Set());
    if (!fieldType) throw new Error(`No field "${step}" on the way to a deferred fragment.`);
    type = fieldType;
    sets = next;
  }
  return type;
}
