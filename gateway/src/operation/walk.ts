/**
 * One walk over an operation's selections, for everything that reads an operation
 * before it runs: authorization (auth/authorization/plan.ts), the cost estimate
 * (limits/cost.ts) and the document measures (limits/measure.ts).
 *
 * The walk flattens inline fragments and fragment spreads into their parent's selection
 * set, resolves each field's definition and each fragment's type condition from the
 * schema (when there is one: the measures run before validation, without it), leaves out
 * what @skip/@include leave out (when the caller gives the variables), and folds what
 * the visitor makes of each field into one value per selection set. A fragment is walked
 * once per place it is spread, unless the visitor gives a memo key: then once per key
 * (a document whose fragments spread each other many times is linear to walk however
 * large its expansion). A fragment that spreads itself, directly or not, is not followed
 * into again (validation rejects such a document).
 */
import {
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  getDirectiveValues,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type FragmentSpreadNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type InlineFragmentNode,
  type NamedTypeNode,
  type SelectionSetNode,
} from 'graphql';

/** Walks a selection set on `parent` (undefined without a schema) with the visitor's state, to its value. */
export type Walk<S, R> = (set: SelectionSetNode, parent: GraphQLCompositeType | undefined, state: S) => R;

export interface SelectionVisitor<S, R> {
  /** The value of nothing selected. */
  empty(): R;
  /** Two values of one selection set together. */
  add(a: R, b: R): R;
  /**
   * The value of one field on `parent`; `definition` is the schema's (undefined without a
   * schema, for an unknown field, or on a union). It walks the field's selections itself,
   * with `walk`, if it wants them.
   */
  field(node: FieldNode, parent: GraphQLCompositeType | undefined, definition: GraphQLField<unknown, unknown> | undefined, state: S, walk: Walk<S, R>): R;
  /** The state inside a fragment on `type` spread or written in `set`, a selection set on `parent`; default: the same state. */
  fragment?(type: GraphQLCompositeType | undefined, parent: GraphQLCompositeType | undefined, state: S, set: SelectionSetNode): S;
  /** With it, a spread fragment's value is computed once per fragment and key, and reused. */
  memoKey?(state: S): string;
}

export interface WalkOptions {
  document: DocumentNode;
  /** Field definitions and type conditions come from it; without it they are undefined. */
  schema?: GraphQLSchema;
  /** When given, selections that @skip/@include leave out with these variables are not walked. */
  variables?: Record<string, unknown>;
}

/** False when @skip/@include leave this selection out. */
export function included(node: FieldNode | InlineFragmentNode | FragmentSpreadNode, variables: Record<string, unknown>): boolean {
  if (!node.directives?.length) return true;
  if (getDirectiveValues(GraphQLSkipDirective, node, variables)?.if === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, node, variables)?.if !== false;
}

/** The fragment definitions of a document, by name. */
export function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return fragments;
}

/** A walk with this visitor over the document's selection sets; call it with an operation's selection set and root type. */
export function selectionWalker<S, R>(options: WalkOptions, visitor: SelectionVisitor<S, R>): Walk<S, R> {
  const { schema, variables } = options;
  const fragments = fragmentsOf(options.document);
  const memo = new Map<string, R>();
  /** The fragments being expanded on the way to the current selection set. */
  const spreading = new Set<string>();

  /** A type condition's type: undefined without a schema, null when it is not a composite type (the fragment is skipped). */
  const conditionType = (condition: NamedTypeNode | undefined, parent: GraphQLCompositeType | undefined): GraphQLCompositeType | undefined | null => {
    if (!schema) return undefined;
    if (!condition) return parent ?? null;
    const type = schema.getType(condition.name.value);
    return type && isCompositeType(type) ? type : null;
  };

  const walk: Walk<S, R> = (set, parent, state) => {
    let total = visitor.empty();
    for (const selection of set.selections) {
      if (variables && !included(selection, variables)) continue;
      if (selection.kind === Kind.FIELD) {
        const definition = parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[selection.name.value] : undefined;
        total = visitor.add(total, visitor.field(selection, parent, definition, state, walk));
        continue;
      }
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = conditionType(selection.typeCondition, parent);
        if (type === null) continue;
        total = visitor.add(total, walk(selection.selectionSet, type, visitor.fragment ? visitor.fragment(type, parent, state, set) : state));
        continue;
      }
      const name = selection.name.value;
      const definition = fragments.get(name);
      if (!definition) continue;
      const type = conditionType(definition.typeCondition, parent);
      if (type === null) continue;
      const key = visitor.memoKey ? `${name}|${visitor.memoKey(state)}` : undefined;
      const known = key === undefined ? undefined : memo.get(key);
      if (known !== undefined) {
        total = visitor.add(total, known);
        continue;
      }
      if (spreading.has(name)) continue;
      spreading.add(name);
      const value = walk(definition.selectionSet, type, visitor.fragment ? visitor.fragment(type, parent, state, set) : state);
      spreading.delete(name);
      if (key !== undefined) memo.set(key, value);
      total = visitor.add(total, value);
    }
    return total;
  };
  return walk;
}
