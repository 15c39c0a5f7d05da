/**
 * What kind of fetch the data source is asked to send, as the query plan says it: a read or
 * a write (the fetch node's operation), and whether it is an entity fetch (an `_entities`
 * selection over representations built from its `requires`). Both executors hand each
 * fetch its operation document from the plan (FetchNode.operationDocumentNode, which the
 * planners expose: createGateway and execution/graph360Gateway.ts ask for it), so nothing
 * here reads the printed query. A fetch without its document (a caller of the data source
 * whose planner does not expose it) has its query parsed once, never matched by pattern.
 */
import { Kind, parse, type DocumentNode, type OperationDefinitionNode, type OperationTypeNode } from 'graphql';
import { BoundedMap } from '../../../lib/BoundedMap.js';

export interface FetchKind {
  /** The fetch's own operation: `mutation` for a write, `query` for a read. */
  operation: OperationTypeNode;
  /** An entity fetch: its one root field is `_entities`, answered in the order of `variables.representations`. */
  entities: boolean;
  /** The fetch's operation name (the planner names them after the client's operation), when it has one. */
  name: string | undefined;
}

export function fetchKindOf(document: DocumentNode): FetchKind | undefined {
  const operation = document.definitions.find((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
  if (!operation) return undefined;
  const selections = operation.selectionSet.selections;
  const only = selections.length === 1 ? selections[0] : undefined;
  return { operation: operation.operation, entities: only?.kind === Kind.FIELD && only.name.value === '_entities', name: operation.name?.value };
}

/**
 * The fetch's query without its operation name, so that cache and dedup keys are shared by
 * every client operation that plans the same fetch (`query Customers360__erp__1(…){…}` ->
 * `query(…){…}`). The planner prints the keyword, one space and the name first.
 */
export function withoutOperationName(query: string, kind: Pick<FetchKind, 'operation' | 'name'>): string {
  if (!kind.name) return query;
  const prefix = `${kind.operation} ${kind.name}`;
  return query.startsWith(prefix) ? kind.operation + query.slice(prefix.length) : query;
}

/** Kinds of fetches that came without their document, by query text; bounded, as selections are. */
export class FetchKinds {
  private readonly parsed = new BoundedMap<FetchKind | null>(1000);

  of(document: DocumentNode | undefined, query: string): FetchKind | undefined {
    if (document) return fetchKindOf(document);
    let kind = this.parsed.get(query);
    if (kind === undefined) {
      try {
        kind = fetchKindOf(parse(query)) ?? null;
      } catch {
        kind = null;
      }
      this.parsed.set(query, kind);
    }
    return kind ?? undefined;
  }
}
