/**
 * The authorization policy of the supergraph: which types and fields carry Federation's
 * @authenticated and @requiresScopes (https://specs.apollo.dev/authenticated/v0.1,
 * https://specs.apollo.dev/requiresScopes/v0.1, linked `for: SECURITY`).
 *
 * The API schema @apollo/gateway builds drops these directives, and @apollo/gateway
 * itself refuses a supergraph that links SECURITY features it does not know (only the
 * Router knows these two). So the supergraph file is split here, once per load or
 * reload: the requirements are read into an AuthPolicy, and the SDL handed to
 * ApolloGateway is the same supergraph without the two links, their definitions and
 * their applications. Enforcement is ours: auth/authorizeOperation.ts.
 */
import { Kind, parse, print, type ConstArgumentNode, type ConstDirectiveNode, type DefinitionNode, type DocumentNode } from 'graphql';

/** What a type or field asks of the caller: a token at all, and/or one of several sets of scopes. */
export interface Requirement {
  authenticated: boolean;
  /** Alternatives (OR) of scope sets (AND), as @requiresScopes(scopes: [[…], […]]); empty: no scope needed. */
  scopes: string[][];
}

export interface AuthPolicy {
  /** Requirements on fields, by `Type.field`. */
  fields: ReadonlyMap<string, Requirement>;
  /** Requirements on types (object, interface, scalar, enum): they apply to every field returning the type. */
  types: ReadonlyMap<string, Requirement>;
  /** Every scope any requirement names: a caller holding all of them is never refused a field. */
  allScopes: ReadonlySet<string>;
}

export const EMPTY_POLICY: AuthPolicy = { fields: new Map(), types: new Map(), allScopes: new Set() };

const AUTHENTICATED_SPEC = /^https:\/\/specs\.apollo\.dev\/authenticated\/v0\.\d+$/;
const SCOPES_SPEC = /^https:\/\/specs\.apollo\.dev\/requiresScopes\/v0\.\d+$/;

export class AuthPolicyError extends Error {}

/** Both requirements at once: authenticated if either is, and every combination of one alternative of each. */
export function combine(a: Requirement | undefined, b: Requirement | undefined): Requirement | undefined {
  if (!a) return b;
  if (!b) return a;
  const scopes =
    a.scopes.length === 0 ? b.scopes : b.scopes.length === 0 ? a.scopes : a.scopes.flatMap((x) => b.scopes.map((y) => [...new Set([...x, ...y])]));
  return { authenticated: a.authenticated || b.authenticated, scopes };
}

function stringArg(args: readonly ConstArgumentNode[] | undefined, name: string): string | undefined {
  const value = args?.find((arg) => arg.name.value === name)?.value;
  return value?.kind === Kind.STRING ? value.value : undefined;
}

function scopesOf(directive: ConstDirectiveNode): string[][] {
  const value = directive.arguments?.find((arg) => arg.name.value === 'scopes')?.value;
  const fail = (): never => {
    throw new AuthPolicyError(`@${directive.name.value} needs scopes: [[String!]!]!`);
  };
  if (value?.kind !== Kind.LIST) return fail();
  return value.values.map((set) => {
    if (set.kind !== Kind.LIST) return fail();
    return set.values.map((scope) => (scope.kind === Kind.STRING ? scope.value : fail()));
  });
}

/**
 * Reads the policy out of supergraph SDL and returns the SDL without it (unchanged, and
 * not re-printed, when the supergraph links neither feature). Throws AuthPolicyError
 * when a directive is malformed: a policy that cannot be read must stop the load.
 */
export function splitSupergraph(sdl: string): { executableSdl: string; policy: AuthPolicy } {
  if (!sdl.includes('specs.apollo.dev/authenticated/') && !sdl.includes('specs.apollo.dev/requiresScopes/')) return { executableSdl: sdl, policy: EMPTY_POLICY };
  const document = parse(sdl);
  // The names the supergraph uses (a link may rename them with `as:`), and the links to drop.
  let authenticatedName: string | undefined;
  let scopesName: string | undefined;
  const isPolicyLink = (directive: ConstDirectiveNode): boolean => {
    if (directive.name.value !== 'link') return false;
    const url = stringArg(directive.arguments, 'url') ?? '';
    if (AUTHENTICATED_SPEC.test(url)) authenticatedName = stringArg(directive.arguments, 'as') ?? 'authenticated';
    else if (SCOPES_SPEC.test(url)) scopesName = stringArg(directive.arguments, 'as') ?? 'requiresScopes';
    else return false;
    return true;
  };
  for (const definition of document.definitions) {
    if (definition.kind === Kind.SCHEMA_DEFINITION || definition.kind === Kind.SCHEMA_EXTENSION) definition.directives?.forEach(isPolicyLink);
  }
  if (!authenticatedName && !scopesName) return { executableSdl: sdl, policy: EMPTY_POLICY };

  const fields = new Map<string, Requirement>();
  const types = new Map<string, Requirement>();
  const allScopes = new Set<string>();
  const read = (directives: readonly ConstDirectiveNode[] | undefined): { requirement?: Requirement; rest?: ConstDirectiveNode[] } => {
    if (!directives?.length) return {};
    let requirement: Requirement | undefined;
    const rest: ConstDirectiveNode[] = [];
    for (const directive of directives) {
      if (directive.name.value === authenticatedName) requirement = combine(requirement, { authenticated: true, scopes: [] });
      else if (directive.name.value === scopesName) {
        const scopes = scopesOf(directive);
        scopes.flat().forEach((scope) => allScopes.add(scope));
        requirement = combine(requirement, { authenticated: true, scopes });
      } else rest.push(directive);
    }
    return { requirement, rest };
  };
  const record = (map: Map<string, Requirement>, key: string, requirement: Requirement | undefined): void => {
    if (requirement) map.set(key, combine(map.get(key), requirement)!);
  };
  const scalarPrefix = scopesName ? `${scopesName}__` : undefined;

  const definitions: DefinitionNode[] = [];
  for (const definition of document.definitions) {
    switch (definition.kind) {
      case Kind.SCHEMA_DEFINITION:
      case Kind.SCHEMA_EXTENSION:
        definitions.push({ ...definition, directives: definition.directives?.filter((d) => !isPolicyLink(d)) });
        break;
      case Kind.DIRECTIVE_DEFINITION:
        if (definition.name.value !== authenticatedName && definition.name.value !== scopesName) definitions.push(definition);
        break;
      case Kind.SCALAR_TYPE_DEFINITION:
      case Kind.ENUM_TYPE_DEFINITION:
      case Kind.UNION_TYPE_DEFINITION:
      case Kind.INPUT_OBJECT_TYPE_DEFINITION: {
        if (scalarPrefix && definition.kind === Kind.SCALAR_TYPE_DEFINITION && definition.name.value.startsWith(scalarPrefix)) break;
        const { requirement, rest } = read(definition.directives);
        record(types, definition.name.value, requirement);
        definitions.push(rest ? { ...definition, directives: rest } : definition);
        break;
      }
      case Kind.OBJECT_TYPE_DEFINITION:
      case Kind.INTERFACE_TYPE_DEFINITION:
      case Kind.OBJECT_TYPE_EXTENSION:
      case Kind.INTERFACE_TYPE_EXTENSION: {
        const typeName = definition.name.value;
        const { requirement, rest } = read(definition.directives);
        record(types, typeName, requirement);
        const fieldNodes = definition.fields?.map((field) => {
          const own = read(field.directives);
          record(fields, `${typeName}.${field.name.value}`, own.requirement);
          return own.rest ? { ...field, directives: own.rest } : field;
        });
        definitions.push({ ...definition, ...(rest ? { directives: rest } : {}), ...(fieldNodes ? { fields: fieldNodes } : {}) });
        break;
      }
      default:
        definitions.push(definition);
    }
  }
  const stripped: DocumentNode = { ...document, definitions };
  return { executableSdl: print(stripped), policy: { fields, types, allScopes } };
}
