/**
 * The supergraph the peers (vanilla @apollo/gateway, Hive Gateway, and the in-process
 * reference) load: graph360's, without @authenticated and @requiresScopes. Those two
 * features are linked `for: SECURITY`, and @apollo/gateway refuses a supergraph that links
 * a SECURITY feature it does not implement (only the Router does; graph360's gateway
 * strips them the same way before handing the supergraph to @apollo/gateway, and enforces
 * them itself). So the peers serve the same graph without field-level authorization:
 * they do less work per request than graph360's gateway, which checks every field.
 */
import { Kind, parse, print, visit, type ConstDirectiveNode } from 'graphql';

const SECURITY_FEATURES = ['https://specs.apollo.dev/authenticated/', 'https://specs.apollo.dev/requiresScopes/'];
const DIRECTIVES = new Set(['authenticated', 'requiresScopes']);

function isSecurityLink(directive: ConstDirectiveNode): boolean {
  if (directive.name.value !== 'link') return false;
  const url = directive.arguments?.find((a) => a.name.value === 'url')?.value;
  return url?.kind === Kind.STRING && SECURITY_FEATURES.some((prefix) => url.value.startsWith(prefix));
}

export function withoutAuthDirectives(sdl: string): string {
  const document = visit(parse(sdl), {
    Directive(node) {
      if (DIRECTIVES.has(node.name.value) || isSecurityLink(node as ConstDirectiveNode)) return null;
      return undefined;
    },
    DirectiveDefinition(node) {
      return DIRECTIVES.has(node.name.value) ? null : undefined;
    },
    ScalarTypeDefinition(node) {
      return node.name.value === 'requiresScopes__Scope' ? null : undefined;
    },
  });
  return print(document);
}
