/**
 * Fetch kinds as the plan gives them: planned against the real supergraph with the
 * gateway's planner settings, each fetch node carries its document, and that document
 * tells an entity fetch, a root read and a write apart; no query text is matched.
 */
import { readFileSync } from 'node:fs';
import { operationFromDocument, Supergraph } from '@apollo/federation-internals';
import { QueryPlanner, type FetchNode, type PlanNode } from '@apollo/query-planner';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { FetchKinds, fetchKindOf, withoutOperationName } from './fetchKind.js';

const supergraph = Supergraph.build(readFileSync(new URL('../../../schema/supergraph.graphql', import.meta.url), 'utf8'), { supportedFeatures: null });
const planner = new QueryPlanner(supergraph, { exposeDocumentNodeInFetchNode: true });

function fetchesOf(source: string): FetchNode[] {
  const plan = planner.buildQueryPlan(operationFromDocument(supergraph.apiSchema(), parse(source)));
  const found: FetchNode[] = [];
  const walk = (node: PlanNode | undefined): void => {
    if (!node) return;
    if (node.kind === 'Fetch') found.push(node);
    else if (node.kind === 'Sequence' || node.kind === 'Parallel') node.nodes.forEach(walk);
    else if (node.kind === 'Flatten') walk(node.node);
  };
  walk(plan.node as PlanNode | undefined);
  return found;
}

describe('fetch kinds', () => {
  it('come from the documents the plan gives its fetches', () => {
    const fetches = fetchesOf('query Customer360 { customer(id: "1") { name orders(first: 2) { nodes { number } } } }');
    expect(fetches.map((fetch) => [fetch.serviceName, fetch.operationDocumentNode && fetchKindOf(fetch.operationDocumentNode)])).toEqual([
      ['crm', { operation: 'query', entities: false, name: 'Customer360__crm__0' }],
      ['erp', { operation: 'query', entities: true, name: 'Customer360__erp__1' }],
    ]);
    const [write] = fetchesOf('mutation Rename { updateCustomer(input: { id: "1", name: "A" }) { customer { id } } }');
    expect(write?.operationDocumentNode && fetchKindOf(write.operationDocumentNode)).toEqual({
      operation: 'mutation',
      entities: false,
      name: 'Rename__crm__0',
    });
  });

  it("leave the planner's operation name out of keys", () => {
    const [root, entities] = fetchesOf('query Customer360 { customer(id: "1") { name orders(first: 2) { nodes { number } } } }');
    for (const fetch of [root!, entities!]) {
      const kind = fetchKindOf(fetch.operationDocumentNode!)!;
      expect(withoutOperationName(fetch.operation, kind)).toBe(fetch.operation.replace(` ${kind.name}`, ''));
    }
    expect(withoutOperationName('{ customers { id } }', { operation: 'query' as never, name: undefined })).toBe('{ customers { id } }');
  });

  it('are read from the query, parsed once, when a fetch comes without its document', () => {
    const kinds = new FetchKinds();
    expect(kinds.of(undefined, 'query Q__erp__1($representations:[_Any!]!){_entities(representations:$representations){__typename}}')).toEqual({
      operation: 'query',
      entities: true,
      name: 'Q__erp__1',
    });
    expect(kinds.of(undefined, '{ not graphql')).toBeUndefined();
  });
});
