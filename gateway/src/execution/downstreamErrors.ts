/**
 * A subgraph's errors, as the client sees them: the message (or a generic one), the
 * subgraph's extensions plus `serviceName`, a `code` (the subgraph's own, else
 * DOWNSTREAM_SERVICE_ERROR), and a path in the client's response rather than in the
 * subgraph's.
 *
 * Paths: a root fetch's error path is already a response path (below the fetch's
 * position). An `_entities` error path starts with the index of a representation; that
 * index is mapped to the position of the entity it was built from, found by walking the
 * flatten path again over the gathered data, only when an error needs it. Unlike
 * @apollo/gateway, which indexes the list of every non-null object at that path, the
 * index goes through the representations actually sent: objects that matched no type
 * condition of the fetch (the other members of a union) are skipped, so an error is not
 * pinned on a neighbour.
 */
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Data } from './mergeInto.js';
import { ownValue } from './mergeInto.js';

export type ResponsePath = Array<string | number>;

export function downstreamError(original: GraphQLFormattedError, serviceName: string, path: ResponsePath | undefined): GraphQLError {
  const extensions: Record<string, unknown> = { ...original.extensions, serviceName };
  if (extensions.code === undefined || extensions.code === null) extensions.code = 'DOWNSTREAM_SERVICE_ERROR';
  return new GraphQLError(original.message || `Error while fetching subquery from service "${serviceName}"`, {
    // Kept for the logs (error masking logs the original of an unexpected error).
    originalError: original as Error,
    path,
    extensions,
  });
}

/**
 * The response paths of the objects a flatten path reaches from the root, in the order
 * the executor gathers them (walkPath.ts walks the same way).
 */
export function entityPaths(root: Data, at: readonly string[]): ResponsePath[] {
  const paths: ResponsePath[] = [];
  walk(root, at, 0, [], paths);
  return paths;
}

function walk(value: unknown, at: readonly string[], index: number, path: ResponsePath, into: ResponsePath[]): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    // Through a list, whether the path says '@' or names a field of its elements.
    const next = at[index] === '@' ? index + 1 : index;
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      walk(value[i], at, next, path, into);
      path.pop();
    }
    return;
  }
  if (index === at.length) {
    into.push(path.slice());
    return;
  }
  const key = at[index]!;
  if (key === '@') return;
  path.push(key);
  walk(ownValue(value as Data, key), at, index + 1, path, into);
  path.pop();
}
