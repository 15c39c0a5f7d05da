/**
 * The authorization policy of the supergraph: which types and fields carry Federation's
 * @authenticated and @requiresScopes (linked `for: SECURITY`), read with the model the
 * gateway and the subgraphs share (lib/auth/policy.ts).
 *
 * The API schema @apollo/gateway builds drops these directives, and @apollo/gateway
 * itself refuses a supergraph that links SECURITY features it does not know (only the
 * Router knows these two). So the supergraph file is split here, once per load or
 * reload: the requirements are read into an AuthPolicy, and the SDL handed to
 * ApolloGateway is the same supergraph without the two links, their definitions and
 * their applications. Enforcement is ours: auth/authorizeOperation.ts.
 */
import { Kind, parse, print, type ConstDirectiveNode, type DefinitionNode, type DocumentNode } from 'graphql';
import {
  AUTHENTICATED_SPEC,
  EMPTY_POLICY,
  isPolicyDirective,
  linkedNames,
  readPolicy,
  REQUIRES_SCOPES_SPEC,
  type AuthPolicy,
  type DirectiveNames,
} from '../../../lib/auth/policy.js';

export { AuthPolicyError, combine, EMPTY_POLICY, type AuthPolicy, type Requirement } from '../../../lib/auth/policy.js';

/**
 * Reads the policy out of supergraph SDL and returns the SDL without it (unchanged, and
 * not re-printed, when the supergraph links neither feature). Throws AuthPolicyError,
 * naming the type or field, when a directive is malformed: a policy that cannot be read
 * must stop the load.
 */
export function splitSupergraph(sdl: string): { executableSdl: string; policy: AuthPolicy } {
  if (!sdl.includes('specs.apollo.dev/authenticated/') && !sdl.includes('specs.apollo.dev/requiresScopes/'))
    return { executableSdl: sdl, policy: EMPTY_POLICY };
  const document = parse(sdl);
  // The names the supergraph uses (a link may rename them with `as:`), and the links to drop.
  const isPolicyLink = (directive: ConstDirectiveNode): boolean => {
    if (directive.name.value !== 'link') return false;
    const url = directive.arguments?.find((arg) => arg.name.value === 'url')?.value;
    return url?.kind === Kind.STRING && (AUTHENTICATED_SPEC.test(url.value) || REQUIRES_SCOPES_SPEC.test(url.value));
  };
  let names: DirectiveNames = {};
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const directive of definition.directives?.filter(isPolicyLink) ?? []) names = { ...names, ...linkedNames(directive) };
  }
  if (!names.authenticated && !names.requiresScopes) return { executableSdl: sdl, policy: EMPTY_POLICY };
  const policy = readPolicy(document, names);

  const without = <T extends { directives?: readonly ConstDirectiveNode[] }>(node: T): T =>
    node.directives?.some((d) => isPolicyDirective(d, names)) ? { ...node, directives: node.directives.filter((d) => !isPolicyDirective(d, names)) } : node;
  // The scalar the requiresScopes spec defines (requiresScopes__Scope) goes with its directive.
  const scalarPrefix = names.requiresScopes ? `${names.requiresScopes}__` : undefined;
  const definitions: DefinitionNode[] = [];
  for (const definition of document.definitions) {
    switch (definition.kind) {
      case Kind.SCHEMA_DEFINITION:
      case Kind.SCHEMA_EXTENSION:
        definitions.push({ ...definition, directives: definition.directives?.filter((d) => !isPolicyLink(d)) });
        break;
      case Kind.DIRECTIVE_DEFINITION:
        if (definition.name.value !== names.authenticated && definition.name.value !== names.requiresScopes) definitions.push(definition);
        break;
      case Kind.SCALAR_TYPE_DEFINITION:
        if (!(scalarPrefix && definition.name.value.startsWith(scalarPrefix))) definitions.push(without(definition));
        break;
      case Kind.ENUM_TYPE_DEFINITION:
      case Kind.UNION_TYPE_DEFINITION:
      case Kind.INPUT_OBJECT_TYPE_DEFINITION:
        definitions.push(without(definition));
        break;
      case Kind.OBJECT_TYPE_DEFINITION:
      case Kind.INTERFACE_TYPE_DEFINITION:
      case Kind.OBJECT_TYPE_EXTENSION:
      case Kind.INTERFACE_TYPE_EXTENSION:
        definitions.push({ ...without(definition), ...(definition.fields ? { fields: definition.fields.map(without) } : {}) });
        break;
      default:
        definitions.push(definition);
    }
  }
  const stripped: DocumentNode = { ...document, definitions };
  return { executableSdl: print(stripped), policy };
}
