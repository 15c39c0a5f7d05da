/**
 * The authorization model the gateway and the subgraphs share: what Federation's
 * @authenticated and @requiresScopes (https://specs.apollo.dev/authenticated/v0.1,
 * https://specs.apollo.dev/requiresScopes/v0.1) ask of a caller, read from a schema's
 * SDL (one reader: a malformed directive is an error, never ignored), what a field
 * needs, and the decision for one caller with its error code and message.
 *
 * The gateway reads the supergraph with it (gateway/src/auth/policy.ts) and refuses
 * fields before planning (gateway/src/auth/authorizeOperation.ts); each subgraph reads
 * its own typeDefs and checks its resolvers (subgraphs/kit/src/auth.ts). The shared suite
 * (test/helpers/authorizationModel.ts) runs the same cases against both.
 */
import { Kind, print, type ConstDirectiveNode, type ConstValueNode, type DocumentNode } from 'graphql';

/** What a type or field asks of the caller: a token at all, and/or one of several sets of scopes. */
export interface Requirement {
  authenticated: boolean;
  /** Alternatives (OR) of scope sets (AND), as @requiresScopes(scopes: [[…], […]]); empty: no scope needed. */
  scopes: string[][];
}

export interface AuthPolicy {
  /** Requirements on fields, by `Type.field`. */
  fields: ReadonlyMap<string, Requirement>;
  /** Requirements on types (object, interface, union, scalar, enum): they apply to every field returning the type. */
  types: ReadonlyMap<string, Requirement>;
  /** Every scope any requirement names: a caller holding all of them is never refused a field. */
  allScopes: ReadonlySet<string>;
}

export const EMPTY_POLICY: AuthPolicy = { fields: new Map(), types: new Map(), allScopes: new Set() };

/** A schema whose authorization directives cannot be read: its author's mistake, which stops the start (or the reload). */
export class AuthPolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthPolicyError';
  }
}

/** The names the directives have in one schema (a link may rename them); undefined: the schema does not use it. */
export interface DirectiveNames {
  authenticated?: string;
  requiresScopes?: string;
}

/** Both requirements at once: authenticated if either is, and every combination of one alternative of each. */
export function combine(a: Requirement | undefined, b: Requirement | undefined): Requirement | undefined {
  if (!a) return b;
  if (!b) return a;
  const scopes = a.scopes.length === 0 ? b.scopes : b.scopes.length === 0 ? a.scopes : a.scopes.flatMap((x) => b.scopes.map((y) => [...new Set([...x, ...y])]));
  return { authenticated: a.authenticated || b.authenticated, scopes };
}

/**
 * The scopes of one @requiresScopes: `scopes:` must be a list of lists of strings, written
 * out as such (a single string or a flat list, which GraphQL's input coercion would
 * accept, is refused too: a requirement must say exactly what it means).
 */
function scopesOf(directive: ConstDirectiveNode, where: string): string[][] {
  const value = directive.arguments?.find((arg) => arg.name.value === 'scopes')?.value;
  const fail = (): never => {
    const found = value ? `scopes: ${print(value)}` : 'no scopes argument';
    throw new AuthPolicyError(
      `@${directive.name.value} on ${where} needs scopes: [[String!]!]! (alternatives of scope sets, e.g. [["invoices:read"]]), found ${found}`,
    );
  };
  if (value?.kind !== Kind.LIST) return fail();
  return value.values.map((set: ConstValueNode) => {
    if (set.kind !== Kind.LIST) return fail();
    return set.values.map((scope) => (scope.kind === Kind.STRING ? scope.value : fail()));
  });
}

/** The requirement a list of directives states (`where` names their place in errors), or undefined when it states none. */
export function requirementOf(directives: readonly ConstDirectiveNode[] | undefined, names: DirectiveNames, where: string): Requirement | undefined {
  let requirement: Requirement | undefined;
  for (const directive of directives ?? []) {
    if (directive.name.value === names.authenticated) requirement = combine(requirement, { authenticated: true, scopes: [] });
    else if (directive.name.value === names.requiresScopes) requirement = combine(requirement, { authenticated: true, scopes: scopesOf(directive, where) });
  }
  return requirement;
}

/** True for a directive of the model (under these names): what the gateway strips before @apollo/gateway sees the supergraph. */
export function isPolicyDirective(directive: ConstDirectiveNode, names: DirectiveNames): boolean {
  return directive.name.value === names.authenticated || directive.name.value === names.requiresScopes;
}

/**
 * Reads every requirement of a schema document: on types (object, interface, union,
 * scalar, enum, input object; definitions and extensions) and on the fields of objects
 * and interfaces. Throws AuthPolicyError, naming the type or field, for a malformed one.
 */
export function readPolicy(document: DocumentNode, names: DirectiveNames): AuthPolicy {
  if (!names.authenticated && !names.requiresScopes) return EMPTY_POLICY;
  const fields = new Map<string, Requirement>();
  const types = new Map<string, Requirement>();
  const allScopes = new Set<string>();
  const record = (map: Map<string, Requirement>, key: string, requirement: Requirement | undefined): void => {
    if (!requirement) return;
    requirement.scopes.flat().forEach((scope) => allScopes.add(scope));
    map.set(key, combine(map.get(key), requirement)!);
  };
  for (const definition of document.definitions) {
    switch (definition.kind) {
      case Kind.SCALAR_TYPE_DEFINITION:
      case Kind.SCALAR_TYPE_EXTENSION:
      case Kind.ENUM_TYPE_DEFINITION:
      case Kind.ENUM_TYPE_EXTENSION:
      case Kind.UNION_TYPE_DEFINITION:
      case Kind.UNION_TYPE_EXTENSION:
      case Kind.INPUT_OBJECT_TYPE_DEFINITION:
      case Kind.INPUT_OBJECT_TYPE_EXTENSION:
        record(types, definition.name.value, requirementOf(definition.directives, names, definition.name.value));
        break;
      case Kind.OBJECT_TYPE_DEFINITION:
      case Kind.OBJECT_TYPE_EXTENSION:
      case Kind.INTERFACE_TYPE_DEFINITION:
      case Kind.INTERFACE_TYPE_EXTENSION: {
        const type = definition.name.value;
        record(types, type, requirementOf(definition.directives, names, type));
        for (const field of definition.fields ?? []) {
          const key = `${type}.${field.name.value}`;
          record(fields, key, requirementOf(field.directives, names, key));
        }
        break;
      }
      default:
    }
  }
  return { fields, types, allScopes };
}

/** What the requirements need of the schema's shape: which types are interfaces, and the object types of an abstract type. */
export interface SchemaShape {
  isInterface(type: string): boolean;
  /** The object types of an interface or union, undefined for any other type. */
  possibleTypes(type: string): readonly string[] | undefined;
}

/** The abstract types' members of a schema document (union members, objects implementing an interface), as a SchemaShape. */
export function shapeOfDocument(document: DocumentNode): SchemaShape {
  const members = new Map<string, string[]>();
  const interfaces = new Set<string>();
  const add = (abstract: string, type: string): void => void members.set(abstract, [...(members.get(abstract) ?? []), type]);
  for (const definition of document.definitions) {
    if (definition.kind === Kind.INTERFACE_TYPE_DEFINITION || definition.kind === Kind.INTERFACE_TYPE_EXTENSION) {
      interfaces.add(definition.name.value);
      if (!members.has(definition.name.value)) members.set(definition.name.value, []);
    } else if (definition.kind === Kind.UNION_TYPE_DEFINITION || definition.kind === Kind.UNION_TYPE_EXTENSION) {
      for (const member of definition.types ?? []) add(definition.name.value, member.name.value);
      if (!members.has(definition.name.value)) members.set(definition.name.value, []);
    } else if (definition.kind === Kind.OBJECT_TYPE_DEFINITION || definition.kind === Kind.OBJECT_TYPE_EXTENSION) {
      for (const implemented of definition.interfaces ?? []) add(implemented.name.value, definition.name.value);
    }
  }
  return { isInterface: (type) => interfaces.has(type), possibleTypes: (type) => members.get(type) };
}

/**
 * What reading `parent.field` (returning the named type `returned`) needs: the field's
 * own requirement (through an interface, what the field needs on every implementation)
 * and the returned type's (for an interface or union, what every possible type needs).
 */
export function fieldRequirement(policy: AuthPolicy, shape: SchemaShape, parent: string, field: string, returned: string): Requirement | undefined {
  let requirement = policy.fields.get(`${parent}.${field}`);
  if (shape.isInterface(parent))
    for (const type of shape.possibleTypes(parent) ?? []) requirement = combine(requirement, policy.fields.get(`${type}.${field}`));
  requirement = combine(requirement, policy.types.get(returned));
  for (const type of shape.possibleTypes(returned) ?? []) requirement = combine(requirement, policy.types.get(type));
  return requirement;
}

/** The caller as the model sees it: authenticated or not, and the scopes granted. */
export interface Caller {
  authenticated: boolean;
  scopes: readonly string[];
}

export type DenialCode = 'UNAUTHENTICATED' | 'FORBIDDEN';

export interface Denial {
  code: DenialCode;
  message: string;
}

export const UNAUTHENTICATED_MESSAGE = 'This field needs an authenticated caller: send a bearer token or an API key.';
export const OTHER_CUSTOMER_MESSAGE = 'This credential is bound to another customer.';

/** The message for a caller who lacks the scopes: every alternative, `a + b` for a set. */
export const missingScopesMessage = (scopes: readonly (readonly string[])[]): string =>
  `This field needs the scope ${scopes.map((set) => set.join(' + ')).join(' or ')}.`;

/** The check: undefined when the caller may read what the requirement protects, else why not (UNAUTHENTICATED when anonymous, FORBIDDEN for a missing scope). */
export function denialFor(requirement: Requirement | undefined, caller: Caller): Denial | undefined {
  if (!requirement || (!requirement.authenticated && requirement.scopes.length === 0)) return undefined;
  if (!caller.authenticated) return { code: 'UNAUTHENTICATED', message: UNAUTHENTICATED_MESSAGE };
  if (requirement.scopes.length === 0) return undefined;
  const granted = new Set(caller.scopes);
  if (requirement.scopes.some((set) => set.every((scope) => granted.has(scope)))) return undefined;
  return { code: 'FORBIDDEN', message: missingScopesMessage(requirement.scopes) };
}

/** The links of the two features in a supergraph (linked `for: SECURITY`). */
export const AUTHENTICATED_SPEC = /^https:\/\/specs\.apollo\.dev\/authenticated\/v0\.\d+$/;
export const REQUIRES_SCOPES_SPEC = /^https:\/\/specs\.apollo\.dev\/requiresScopes\/v0\.\d+$/;
const FEDERATION_SPEC = /^https:\/\/specs\.apollo\.dev\/federation\/v2\.\d+$/;

function argument(directive: ConstDirectiveNode, name: string): ConstValueNode | undefined {
  return directive.arguments?.find((arg) => arg.name.value === name)?.value;
}

function stringArgument(directive: ConstDirectiveNode, name: string): string | undefined {
  const value = argument(directive, name);
  return value?.kind === Kind.STRING ? value.value : undefined;
}

/**
 * The names one `@link` gives the directives, if it links them: a supergraph's spec links
 * (`as:` renames), or a subgraph's federation link (imported as `@authenticated`, or
 * renamed by `{ name:, as: }`, else namespaced as `federation__authenticated`).
 */
export function linkedNames(directive: ConstDirectiveNode): DirectiveNames | undefined {
  if (directive.name.value !== 'link') return undefined;
  const url = stringArgument(directive, 'url') ?? '';
  if (AUTHENTICATED_SPEC.test(url)) return { authenticated: stringArgument(directive, 'as') ?? 'authenticated' };
  if (REQUIRES_SCOPES_SPEC.test(url)) return { requiresScopes: stringArgument(directive, 'as') ?? 'requiresScopes' };
  if (!FEDERATION_SPEC.test(url)) return undefined;
  const prefix = `${stringArgument(directive, 'as') ?? 'federation'}__`;
  const names: DirectiveNames = { authenticated: `${prefix}authenticated`, requiresScopes: `${prefix}requiresScopes` };
  const imports = argument(directive, 'import');
  for (const item of imports?.kind === Kind.LIST ? imports.values : []) {
    let name: string | undefined;
    let as: string | undefined;
    if (item.kind === Kind.STRING) name = item.value;
    else if (item.kind === Kind.OBJECT) {
      const field = (key: string): string | undefined => {
        const value = item.fields.find((f) => f.name.value === key)?.value;
        return value?.kind === Kind.STRING ? value.value : undefined;
      };
      name = field('name');
      as = field('as');
    }
    if (name === '@authenticated') names.authenticated = (as ?? name).replace(/^@/, '');
    if (name === '@requiresScopes') names.requiresScopes = (as ?? name).replace(/^@/, '');
  }
  return names;
}

/**
 * The names the directives have in a schema document, from the links on its schema
 * definition or extensions; `fallback` when nothing links them (a subgraph's typeDefs
 * written without a federation link use the plain names).
 */
export function directiveNames(document: DocumentNode, fallback: DirectiveNames = {}): DirectiveNames {
  let names: DirectiveNames | undefined;
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const directive of definition.directives ?? []) {
      const linked = linkedNames(directive);
      if (linked) names = { ...names, ...linked };
    }
  }
  return names ?? fallback;
}
