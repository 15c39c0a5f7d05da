/**
 * Which fields of an operation the caller may not see, and where each refusal goes in
 * the answer: the first step of authorizeOperation (then rewrite.ts, then apply.ts).
 *
 * What is refused:
 * - a field with a requirement of its own (`Type.field`), or whose type carries one
 *   (a field returning Invoice needs what Invoice needs; for an interface or union type,
 *   what every possible type needs): the shared model, lib/auth/policy.ts;
 * - with a customer-bound credential, a field that names another customer in its
 *   arguments (CUSTOMER_ARGUMENTS: `customer(id:)`, the mutations' inputs, and
 *   `paymentEvents(customerId:)`).
 * An anonymous caller gets UNAUTHENTICATED, an authenticated one FORBIDDEN. (The Router
 * uses one code, UNAUTHORIZED_FIELD_OR_TYPE; the auth contract distinguishes the two.)
 *
 * The walk (the shared one, operation/walk.ts) follows the operation's own selection
 * sets, through inline fragments and fragment spreads (so a field inside a fragment used at two places gets a removal for
 * each). Response paths are response keys (aliases); lists are expanded when the errors
 * are made, against the data (apply.ts).
 *
 * Null where GraphQL would put it: a removed field that is non-null nulls its nearest
 * nullable ancestor (list items included). When that reaches the root, the operation is
 * not executed at all (`data: null`): for a mutation, nothing runs that the client would
 * not see.
 */
import {
  Kind,
  getNamedType,
  getNullableType,
  isAbstractType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isNonNullType,
  valueFromAST,
  type DocumentNode,
  type FieldNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import {
  denialFor,
  fieldRequirement,
  OTHER_CUSTOMER_MESSAGE,
  type Caller,
  type Denial,
  type DenialCode,
  type SchemaShape,
} from '../../../../lib/auth/policy.js';
import { selectionWalker } from '../../operation/walk.js';
import type { AuthIdentity } from '../identity.js';
import type { AuthPolicy } from '../policy.js';

/** Arguments that name a customer, per field: a customer-bound caller may only name its own. */
export const CUSTOMER_ARGUMENTS: Readonly<Record<string, readonly string[]>> = {
  'Query.customer': ['id'],
  'Mutation.updateCustomer': ['input', 'id'],
  'Mutation.createSalesOrder': ['input', 'customerId'],
  'Mutation.payInvoice': ['input', 'customerId'],
  'Subscription.paymentEvents': ['customerId'],
};

/** One refused field at one place of the operation. */
export interface Removal {
  code: DenialCode;
  message: string;
  /** Response keys from the root to the removed field. */
  errorKeys: string[];
  /** Per key, the concrete types of the objects under it the removal applies to (undefined: all). */
  within: Array<ReadonlySet<string> | undefined>;
  /** Where null goes: response keys to a field, and how many list levels below it (0: the field itself; -1: the root, nothing runs). */
  nullKeys: string[];
  nullDepth: number;
}

export interface Refusals {
  operation: OperationDefinitionNode;
  removals: Removal[];
  /** The field nodes to remove from the document (a denial per node, wherever it is used). */
  refused: ReadonlySet<FieldNode>;
  /** Selection sets that need `__typename`, so that errors go only to objects of a fragment's types. */
  typenames: ReadonlySet<SelectionSetNode>;
}

export interface PlanInput {
  schema: GraphQLSchema;
  document: DocumentNode;
  operationName?: string | null;
  policy: AuthPolicy;
  auth: AuthIdentity;
  variables?: Record<string, unknown>;
}

interface PathStep {
  key: string;
  type: GraphQLOutputType;
  /** When the objects under this field are narrowed by a fragment's type condition: the concrete types it applies to. */
  within?: ReadonlySet<string>;
}

/** The caller as the shared model sees it. */
const callerOf = (auth: AuthIdentity): Caller => ({ authenticated: auth.kind !== 'anonymous', scopes: auth.scopes });

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

/** Nothing can be refused: no customer binding and every scope the policy names. */
export function cannotBeRefused(policy: AuthPolicy, auth: AuthIdentity): boolean {
  if (auth.customerId !== undefined) return false;
  if (policy.fields.size === 0 && policy.types.size === 0) return true;
  if (auth.kind === 'anonymous') return false;
  const granted = new Set(auth.scopes);
  for (const scope of policy.allScopes) if (!granted.has(scope)) return false;
  return true;
}

export function selectOperation(document: DocumentNode, name: string | null | undefined): OperationDefinitionNode | undefined {
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

/** The refusals of an operation for this caller, or undefined when nothing is refused. */
export function planAuthorization(input: PlanInput): Refusals | undefined {
  const { schema, document, policy, auth } = input;
  if (cannotBeRefused(policy, auth)) return undefined;
  const operation = selectOperation(document, input.operationName);
  if (!operation) return undefined;
  const rootType = schema.getRootType(operation.operation);
  if (!rootType) return undefined;
  const decisions = new Map<FieldNode, Denial | null>();
  const variables = input.variables ?? {};
  const removals: Removal[] = [];
  const caller = callerOf(auth);
  const shape = shapeOfSchema(schema);

  const decide = (parent: GraphQLCompositeType, field: GraphQLField<unknown, unknown>, node: FieldNode): Denial | null => {
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
  // The shared walk (operation/walk.ts) with @skip/@include applied; the state is the path
  // so far, and a fragment is walked at every place it is spread (errors are per path).
  const walk = selectionWalker<PathStep[], void>(
    { document, schema, variables },
    {
      empty: () => undefined,
      add: () => undefined,
      fragment: (type, parent, path, set) => (type && parent ? narrowed(path, parent, type, set) : path),
      field(selection, parent, field, path, walkBelow) {
        const name = selection.name.value;
        if (name.startsWith('__') || !parent || !field) return;
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
          return;
        }
        const returned = getNamedType(field.type);
        if (selection.selectionSet && isCompositeType(returned)) walkBelow(selection.selectionSet, returned, [...path, step]);
      },
    },
  );
  walk(operation.selectionSet, rootType, []);
  if (removals.length === 0) return undefined;
  const refused = new Set([...decisions].filter(([, decision]) => decision !== null).map(([node]) => node));
  return { operation, removals, refused, typenames };
}
