/**
 * The operation without its refused fields (the second step of authorizeOperation, after
 * plan.ts): what ApolloGateway plans and executes, so no subgraph is ever asked for a
 * refused field, under a query hash of its own.
 *
 * A selection set left empty gets a placeholder (`__typename` under a reserved alias),
 * stripped from the answer (apply.ts), so its parent keeps its other fields. Where a
 * refused field sits in a fragment on part of an abstract type, `__typename` is added
 * under another reserved alias, so that apply.ts can tell which objects it applies to.
 */
import { createHash } from 'node:crypto';
import { Kind, print, visit, type DocumentNode, type FieldNode } from 'graphql';
import type { Refusals } from './plan.js';

export const PLACEHOLDER_ALIAS = '_graph360_authPlaceholder';
/** `__typename` under this alias is added where a refused field sits in a fragment on part of an abstract type. */
export const TYPENAME_ALIAS = '_graph360_authTypename';

export interface RewrittenOperation {
  /** The document without the refused fields. */
  document: DocumentNode;
  /** A plan-cache key of its own: a filtered document must never share a plan with the full one. */
  queryHash: string;
  /** True when the answer holds reserved aliases to strip. */
  placeholders: boolean;
}

const aliased = (alias: string): FieldNode => ({ kind: Kind.FIELD, alias: { kind: Kind.NAME, value: alias }, name: { kind: Kind.NAME, value: '__typename' } });

export function rewriteOperation(document: DocumentNode, refusals: Pick<Refusals, 'refused' | 'typenames'>, queryHash: string): RewrittenOperation {
  const { refused, typenames } = refusals;
  let placeholders = typenames.size > 0;
  const addTypename: boolean[] = [];
  const filtered = visit(document, {
    Field: {
      enter(node) {
        return refused.has(node) ? null : undefined;
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
  return {
    document: filtered,
    queryHash: createHash('sha256')
      .update(`${queryHash}\nauthorized:${print(filtered)}`)
      .digest('hex'),
    placeholders,
  };
}
