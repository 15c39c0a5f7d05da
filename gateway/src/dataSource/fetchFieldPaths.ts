/**
 * The paths, in a subgraph's own answer, of the fields one fetch asks for: what the fetch
 * leaves null when it fails. A subgraph that fails a field reports it at such a path
 * (`["_entities", 3, "orders"]` in an entity fetch, `["customers"]` for a root field), and
 * @apollo/gateway maps it to the field's path in the client's response (executeQueryPlan's
 * makeLazyErrorPathGenerator: the entity's place in the response, or the fetch's own path,
 * then the rest); an error without a path it passes on without one. So the errors the
 * gateway makes for a fetch that failed as a whole (a timeout, an unreachable subgraph)
 * carry these paths, one per field, and reach the client as a subgraph's own would.
 */
import { Kind, parse, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';

export type ResponsePath = Array<string | number>;

type Fragments = ReadonlyMap<string, FragmentDefinitionNode>;

/**
 * The response names of the fields selected at this level (through inline fragments and
 * fragment spreads), `__typename` left out: it is the gateway's, it never fails. With a
 * typename, only fragments without a type condition or on that type count.
 */
function responseNames(selectionSet: SelectionSetNode, fragments: Fragments, typename: string | undefined, into = new Set<string>()): Set<string> {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value !== '__typename') into.add(selection.alias?.value ?? selection.name.value);
      continue;
    }
    const fragment = selection.kind === Kind.FRAGMENT_SPREAD ? fragments.get(selection.name.value) : selection;
    if (!fragment) continue;
    const on = fragment.typeCondition?.name.value;
    if (typename === undefined || on === undefined || on === typename) responseNames(fragment.selectionSet, fragments, typename, into);
  }
  return into;
}

/** The paths of the fields a fetch (its query and variables) asks for; none when the query cannot be read. */
export function fetchFieldPaths(query: string, variables: Record<string, unknown> | undefined): ResponsePath[] {
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch {
    return [];
  }
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const operation = document.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  if (!operation) return [];

  const [first, ...others] = operation.selectionSet.selections;
  const representations = variables?.representations;
  if (first?.kind === Kind.FIELD && first.name.value === '_entities' && others.length === 0 && first.selectionSet && Array.isArray(representations)) {
    const entities = first.selectionSet;
    return representations.flatMap((rep: unknown, i) => {
      const typename = typeof rep === 'object' && rep !== null ? (rep as { __typename?: unknown }).__typename : undefined;
      let names = responseNames(entities, fragments, typeof typename === 'string' ? typename : undefined);
      // A type condition on an interface the entity implements: its fields count too.
      if (names.size === 0) names = responseNames(entities, fragments, undefined);
      return [...names].map((name) => ['_entities', i, name]);
    });
  }
  return [...responseNames(operation.selectionSet, fragments, undefined)].map((name) => [name]);
}
