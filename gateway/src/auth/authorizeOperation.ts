/**
 * Authorization of one operation, before it is planned (Apollo Router's approach to
 * @authenticated and @requiresScopes): every field the caller may not see is removed
 * from the document, so no subgraph is ever asked for it; after execution each removed
 * field is put back as null, with an error at its path, and the rest of the answer is
 * whatever the allowed fields gave.
 *
 * What is refused:
 * - a field with a requirement of its own (`Type.field`), or whose type carries one
 *   (a field returning Invoice needs what Invoice needs; for an interface or union type,
 *   what every possible type needs);
 * - with a customer-bound credential, a field that names another customer in its
 *   arguments (CUSTOMER_ARGUMENTS: `customer(id:)`, the mutations' inputs, and
 *   `paymentEvents(customerId:)`).
 * An anonymous caller gets UNAUTHENTICATED, an authenticated one FORBIDDEN. (The Router
 * uses one code, UNAUTHORIZED_FIELD_OR_TYPE; the auth contract distinguishes the two.)
 *
 * The walk follows the operation's own selection sets, through inline fragments and
 * fragment spreads (so a field inside a fragment used at two places gets an error at
 * each). Response paths are response keys (aliases); lists are expanded when the errors
 * are made, against the data.
 *
 * Null where GraphQL would put it: a removed field that is non-null nulls its nearest
 * nullable ancestor (list items included). When that reaches the root, the operation is
 * not executed at all (`data: null`): for a mutation, nothing runs that the client would
 * not see. The schema keeps the fields that are refused in practice nullable.
 *
 * A selection set left empty gets a placeholder (`__typename` under a reserved alias),
 * stripped from the answer, so its parent keeps its other fields.
 */
import { createHash } from 'node:crypto';
import {
  GraphQLError,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  getDirectiveValues,
  getNamedType,
  getNullableType,
  isAbstractType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  print,
  valueFromAST,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type FragmentSpreadNode,
  type GraphQLCompositeType,
  type InlineFragmentNode,
  type GraphQLField,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { AuthIdentity } from './identity.js';
import { denialFor, fieldRequirement, OTHER_CUSTOMER_MESSAGE, type Caller, type DenialCode, type SchemaShape } from '../../../lib/auth/policy.js';
import type { AuthPolicy } from './policy.js';

/** Arguments that name a customer, per field: a customer-bound caller may only name its own. */
export const CUSTOMER_ARGUMENTS: Readonly<Record<string, readonly string[]>> = {
  'Query.customer': ['id'],
  'Mutation.updateCustomer': ['input', 'id'],
  'Mutation.createSalesOrder': ['input', 'customerId'],
  'Mutation.payInvoice': ['input', 'customerId'],
  'Subscription.paymentEvents': ['customerId'],
};

export const PLACEHOLDER_ALIAS = '_graph360_authPlaceholder';
/** `__typename` under this alias is added where a refused field sits in a fragment on part of an abstract type. */
export const TYPENAME_ALIAS = '_graph360_authTypename';

export type { DenialCode } from '../../../lib/auth/policy.js';

interface PathStep {
  key: string;
  type: GraphQLOutputType;
  /** When the objects under this field are narrowed by a fragment's type condition: the concrete types it applies to. */
  within?: ReadonlySet<string>;
}

interface Removal {
  code: DenialCode;
  message: string;
  /** Response keys from the root to the removed field. */
  errorKeys: string[];
  /** Per key, the concrete types of the objects under it the removal applies to (undefined: all). */
  within: Array<ReadonlySet<string> | undefined>;
  /** Where null goes: response keys to a field, and how many list levels below it (0: the field itself). */
  nullKeys: string[];
  nullDepth: number;
}

export interface AuthorizationPlan {
  /** The document without the refused fields. */
  document: DocumentNode;
  operation: OperationDefinitionNode;
  /** A plan-cache key of its own: a filtered document must never share a plan with the full one. */
  queryHash: string;
  /** True when null reaches the root: nothing is executed. */
  skipExecution: boolean;
  removals: readonly Removal[];
  placeholders: boolean;
}

/** False when @skip/@include leave this selection out. */
function included(node: FieldNode | InlineFragmentNode | FragmentSpreadNode, variables: Record<string, unknown>): boolean {
  if (!node.directives?.length) return true;
  if (getDirectiveValues(GraphQLSkipDirective, node, variables)?.if === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, node, variables)?.if !== false;
}

export interface AuthorizeInput {
  schema: GraphQLSchema;
  document: DocumentNode;
  operationName?: string | null;
  queryHash: string;
  policy: AuthPolicy;
  auth: AuthIdentity;
  variables?: Record<string, unknown>;
}

/** The caller as the shared model sees it. */
const callerOf = (auth: AuthIdentity): Caller => ({ authenticated: auth.kind !== 'anonymous', scopes: auth.scopes });

/** Nothing can be refused: no customer binding and every scope the policy names. */
function cannotBeRefused(policy: AuthPolicy, auth: AuthIdentity): boolean {
  if (auth.customerId !== undefined) return false;
  if (policy.fields.size === 0 && policy.types.size === 0) return true;
  if (auth.kind === 'anonymous') return false;
  const granted = new Set(auth.scopes);
  for (const scope of policy.allScopes) if (!granted.has(scope)) return false;
  return true;
}

/** The shape the shared model needs, from the API schema. */
function shapeOfSchema(schema: GraphQLSchema): SchemaShape {
  return {
    isInterface: (name) => isInterfaceType(schema.getType(name)),
    possibleTypes: (name) => {
      const type = schema.getType(name);
      return type && isAbstractType(type) ? schema.getPossibleTypes(type).map((t) => t.name) : undefined;
    },
  };
}

function selectOperation(document: DocumentNode, name: string | null | undefined): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (name) return operations.find((op) => op.name?.value === name);
  return operations.length === 1 ? operations[0] : undefined;
}

/** Nullability of each level of a field's type, outermost first: `[Order!]!` gives [false, false]. */
function nullableLevels(type: GraphQLOutputType): boolean[] {
  const levels: boolean[] = [];
  let current: GraphQLOutputType = type;
  for (;;) {
    levels.push(!isNonNullType(current));
    const inner = getNullableType(current);
    if (!isListType(inner)) return levels;
    current = inner.ofType as GraphQLOutputType;
  }
}

/** Where GraphQL would put the null for a missing value of the last step, or undefined for the root. */
function nullTarget(steps: readonly PathStep[]): { keys: string[]; depth: number } | undefined {
  const last = steps[steps.length - 1]!;
  if (!isNonNullType(last.type)) return { keys: steps.map((s) => s.key), depth: 0 };
  for (let i = steps.length - 2; i >= 0; i--) {
    const levels = nullableLevels(steps[i]!.type);
    for (let depth = levels.length - 1; depth >= 0; depth--) {
      if (levels[depth]) return { keys: steps.slice(0, i + 1).map((s) => s.key), depth };
    }
  }
  return undefined;
}

function readPath(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

export function authorizeOperation(input: AuthorizeInput): AuthorizationPlan | undefined {
  const { schema, document, policy, auth } = input;
  if (cannotBeRefused(policy, auth)) return undefined;
  const operation = selectOperation(document, input.operationName);
  if (!operation) return undefined;
  const rootType = schema.getRootType(operation.operation);
  if (!rootType) return undefined;
  const fragments = new Map(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d] as const),
  );
  const decisions = new Map<FieldNode, { code: DenialCode; message: string } | null>();
  const variables = input.variables ?? {};
  const removals: Removal[] = [];
  const caller = callerOf(auth);
  const shape = shapeOfSchema(schema);

  const decide = (parent: GraphQLCompositeType, field: GraphQLField<unknown, unknown>, node: FieldNode): { code: DenialCode; message: string } | null => {
    const known = decisions.get(node);
    if (known !== undefined) return known;
    const requirement = fieldRequirement(policy, shape, parent.name, field.name, getNamedType(field.type).name);
    let decision = denialFor(requirement, caller) ?? null;
    const customerPath = CUSTOMER_ARGUMENTS[`${parent.name}.${field.name}`];
    if (!decision && auth.customerId !== undefined && customerPath) {
      const [argName, ...inner] = customerPath;
      const argDef = field.args.find((a) => a.name === argName);
      const argNode = node.arguments?.find((a) => a.name.value === argName);
      const value = argDef && argNode ? valueFromAST(argNode.value, argDef.type, variables) : undefined;
      const named = inner.length > 0 ? readPath(value, inner) : value;
      if (named === undefined || named === null || String(named) !== auth.customerId) {
        decision = { code: 'FORBIDDEN', message: OTHER_CUSTOMER_MESSAGE };
      }
    }
    decisions.set(node, decision);
    return decision;
  };

  /** Selection sets that get `__typename` (TYPENAME_ALIAS), so that errors go only to objects of the fragment's types. */
  const typenames = new Set<SelectionSetNode>();
  /** The path, its last field's objects narrowed to `type` when `set` is a fragment's on part of the abstract `parent`. */
  const narrowed = (path: PathStep[], parent: GraphQLCompositeType, type: GraphQLCompositeType, set: SelectionSetNode): PathStep[] => {
    const last = path[path.length - 1];
    if (!last || !isAbstractType(parent) || type === parent) return path;
    const possible = new Set((isAbstractType(type) ? schema.getPossibleTypes(type) : [type]).map((t) => t.name));
    const within = last.within ? new Set([...last.within].filter((name) => possible.has(name))) : possible;
    typenames.add(set);
    return [...path.slice(0, -1), { ...last, within }];
  };
  const walk = (set: SelectionSetNode, parent: GraphQLCompositeType, path: PathStep[], spreading: ReadonlySet<string>): void => {
    for (const selection of set.selections) {
      if (!included(selection, variables)) continue;
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (name.startsWith('__')) continue;
        const field = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
        if (!field) continue;
        const step: PathStep = { key: selection.alias?.value ?? name, type: field.type };
        const denial = decide(parent, field, selection);
        if (denial) {
          const steps = [...path, step];
          const target = nullTarget(steps);
          removals.push({
            ...denial,
            errorKeys: steps.map((s) => s.key),
            within: steps.map((s) => s.within),
            nullKeys: target?.keys ?? [],
            nullDepth: target ? target.depth : -1,
          });
          continue;
        }
        const returned = getNamedType(field.type);
        if (selection.selectionSet && isCompositeType(returned)) walk(selection.selectionSet, returned, [...path, step], spreading);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        if (type && isCompositeType(type)) walk(selection.selectionSet, type, narrowed(path, parent, type, set), spreading);
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || spreading.has(name)) continue;
        const type = schema.getType(fragment.typeCondition.name.value);
        if (type && isCompositeType(type)) walk(fragment.selectionSet, type, narrowed(path, parent, type, set), new Set([...spreading, name]));
      }
    }
  };
  walk(operation.selectionSet, rootType, [], new Set());
  if (removals.length === 0) return undefined;

  let placeholders = typenames.size > 0;
  const aliased = (alias: string): FieldNode => ({ kind: Kind.FIELD, alias: { kind: Kind.NAME, value: alias }, name: { kind: Kind.NAME, value: '__typename' } });
  const addTypename: boolean[] = [];
  const filtered = visit(document, {
    Field: {
      enter(node) {
        return decisions.get(node) ? null : undefined;
      },
    },
    SelectionSet: {
      enter(node) {
        addTypename.push(typenames.has(node));
      },
      leave(node) {
        const selections = addTypename.pop() ? [...node.selections, aliased(TYPENAME_ALIAS)] : node.selections;
        if (selections.length === 0) {
          placeholders = true;
          return { ...node, selections: [aliased(PLACEHOLDER_ALIAS)] };
        }
        return selections === node.selections ? undefined : { ...node, selections };
      },
    },
  });
  const filteredOperation = selectOperation(filtered, input.operationName) ?? operation;
  return {
    document: filtered,
    operation: filteredOperation,
    queryHash: createHash('sha256').update(`${input.queryHash}\nauthorized:${print(filtered)}`).digest('hex'),
    skipExecution: removals.some((r) => r.nullDepth < 0),
    removals,
    placeholders,
  };
}

type Json = Record<string, unknown>;

/**
 * Calls `each` with every object that holds the last of `keys` (lists expanded), and its
 * concrete path; objects under key i whose `__typename` is not in `within[i]` are skipped.
 */
function forEachAt(
  value: unknown,
  keys: readonly string[],
  within: ReadonlyArray<ReadonlySet<string> | undefined>,
  at: number,
  path: Array<string | number>,
  each: (parent: Json, path: Array<string | number>) => void,
): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    value.forEach((item, i) => forEachAt(item, keys, within, at, [...path, i], each));
    return;
  }
  if (typeof value !== 'object') return;
  const allowed = at > 0 ? within[at - 1] : undefined;
  if (allowed && !allowed.has(String((value as Json)[TYPENAME_ALIAS]))) return;
  if (at === keys.length - 1) {
    each(value as Json, path);
    return;
  }
  const key = keys[at]!;
  forEachAt((value as Json)[key], keys, within, at + 1, [...path, key], each);
}

/** Null at `key`, or `depth` list levels below it; list items whose `__typename` is not `allowed` are left alone. */
function nullAt(container: Json | unknown[], key: string | number, depth: number, allowed: ReadonlySet<string> | undefined): void {
  const holder = container as Record<string | number, unknown>;
  if (depth === 0) {
    const item = holder[key];
    if (typeof key === 'number' && allowed && item !== null && typeof item === 'object' && !allowed.has(String((item as Json)[TYPENAME_ALIAS]))) return;
    holder[key] = null;
    return;
  }
  const list = holder[key];
  if (Array.isArray(list)) list.forEach((_, i) => nullAt(list, i, depth - 1, allowed));
}

function stripPlaceholders(value: unknown): void {
  if (Array.isArray(value)) {
    value.forEach(stripPlaceholders);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const object = value as Json;
  delete object[PLACEHOLDER_ALIAS];
  delete object[TYPENAME_ALIAS];
  for (const child of Object.values(object)) stripPlaceholders(child);
}

export interface AuthorizedResult {
  data?: Record<string, unknown> | null;
  errors?: ReadonlyArray<GraphQLError>;
  extensions?: Record<string, unknown>;
}

/**
 * Puts the refused fields back into an executed answer: an error at each concrete path
 * of each refused field (lists expanded, parents that came back null skipped, as
 * GraphQL does), then null where GraphQL puts it, placeholders stripped.
 */
export function applyAuthorization<R extends AuthorizedResult>(plan: AuthorizationPlan, result: R): R & { errors: ReadonlyArray<GraphQLError> } {
  const errors: GraphQLError[] = [];
  const data = plan.skipExecution ? null : (result.data ?? null);
  const seen = new Set<string>();
  const add = (removal: Removal, path: ReadonlyArray<string | number>): void => {
    const id = `${removal.code}:${path.join('.')}`;
    if (seen.has(id)) return;
    seen.add(id);
    errors.push(new GraphQLError(removal.message, { path, extensions: { code: removal.code } }));
  };
  for (const removal of plan.removals) {
    if (data === null) {
      // Nothing was executed (or everything failed): one error per refused field, lists not expanded.
      if (plan.skipExecution) add(removal, removal.errorKeys);
      continue;
    }
    forEachAt(data, removal.errorKeys, removal.within, 0, [], (_parent, path) => add(removal, [...path, removal.errorKeys[removal.errorKeys.length - 1]!]));
  }
  if (data !== null) {
    for (const removal of plan.removals) {
      if (removal.nullDepth < 0) continue;
      const last = removal.nullKeys[removal.nullKeys.length - 1]!;
      const allowed = removal.within[removal.nullKeys.length - 1];
      forEachAt(data, removal.nullKeys, removal.within, 0, [], (parent) => nullAt(parent, last, removal.nullDepth, allowed));
    }
    if (plan.placeholders) stripPlaceholders(data);
  }
  return { ...result, data, errors: [...errors, ...(result.errors ?? [])] };
}
