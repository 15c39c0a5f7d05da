/**
 * The query plan turned into the executor's own node tree, once per prepared operation:
 * each fetch gets its representation builder and parsed rewrites, each flatten its path
 * as an array it can walk without slicing. Execution then allocates nothing per node
 * but the data it moves.
 *
 * DeferNode and SubscriptionNode are carried over as they are: the executor's dispatch
 * has a branch for each, which refuses them today (see executePlan.ts) and is where
 * incremental delivery and subscriptions will run their primary and deferred parts.
 */
import type { DeferNode, FetchNode, PlanNode, QueryPlan, SubscriptionNode } from '@apollo/query-planner';
import type { DocumentNode, OperationTypeNode } from 'graphql';
import { DataRewrites } from './DataRewrites.js';
import { RepresentationBuilder } from './Representations.js';
import type { SupergraphRevision } from './SupergraphRevision.js';

export class FetchStep {
  readonly kind = 'Fetch';
  readonly serviceName: string;
  readonly operation: string;
  readonly operationName: string | undefined;
  readonly operationKind: OperationTypeNode;
  readonly document: DocumentNode | undefined;
  readonly variableUsages: readonly string[];
  /** Set for `_entities` fetches: what each representation is made of. */
  readonly representations: RepresentationBuilder | undefined;
  readonly inputRewrites: DataRewrites | undefined;
  readonly outputRewrites: DataRewrites | undefined;
  /** Where in the response the fetch's entities are (its flatten path from the root, '@' for lists). */
  readonly path: readonly string[];

  constructor(node: FetchNode, revision: SupergraphRevision, path: readonly string[]) {
    // Context rewrites (@fromContext) need per-entity variables that @apollo/gateway never
    // sends either; a plan that needs them is refused when prepared, not answered wrongly.
    if (node.contextRewrites && node.contextRewrites.length > 0) {
      throw new UnsupportedPlanError(`fetches with context rewrites (@fromContext, subgraph ${node.serviceName})`);
    }
    this.serviceName = node.serviceName;
    this.operation = node.operation;
    this.operationName = node.operationName;
    this.operationKind = node.operationKind;
    this.document = node.operationDocumentNode;
    this.variableUsages = node.variableUsages ?? [];
    this.representations = node.requires ? new RepresentationBuilder(node.requires, revision) : undefined;
    this.inputRewrites = DataRewrites.of(node.inputRewrites);
    this.outputRewrites = DataRewrites.of(node.outputRewrites);
    this.path = path;
  }
}

export type ExecNode =
  | { readonly kind: 'Sequence'; readonly nodes: readonly ExecNode[] }
  | { readonly kind: 'Parallel'; readonly nodes: readonly ExecNode[] }
  | { readonly kind: 'Flatten'; readonly path: readonly string[]; readonly node: ExecNode }
  | FetchStep
  | { readonly kind: 'Condition'; readonly variable: string; readonly ifClause: ExecNode | undefined; readonly elseClause: ExecNode | undefined }
  | { readonly kind: 'Defer'; readonly node: DeferNode }
  | { readonly kind: 'Subscription'; readonly node: SubscriptionNode };

/** A plan (or part of one) the executor does not run (yet); the request fails with a clear message. */
export class UnsupportedPlanError extends Error {
  constructor(what: string) {
    super(`The gateway's executor does not support ${what} yet.`);
    this.name = 'UnsupportedPlanError';
  }
}

export function compilePlan(plan: QueryPlan, revision: SupergraphRevision): ExecNode | undefined {
  if (!plan.node) return undefined;
  if (plan.node.kind === 'Subscription') return { kind: 'Subscription', node: plan.node };
  return compileNode(plan.node, revision, []);
}

function compileNode(node: PlanNode, revision: SupergraphRevision, at: readonly string[]): ExecNode {
  switch (node.kind) {
    case 'Sequence':
    case 'Parallel':
      return { kind: node.kind, nodes: node.nodes.map((child) => compileNode(child, revision, at)) };
    case 'Flatten': {
      // The planner writes list levels as '@' and fields by name; indexes never appear.
      const path = node.path.map(String);
      return { kind: 'Flatten', path, node: compileNode(node.node, revision, [...at, ...path]) };
    }
    case 'Fetch':
      return new FetchStep(node, revision, at);
    case 'Condition':
      return {
        kind: 'Condition',
        variable: node.condition,
        ifClause: node.ifClause && compileNode(node.ifClause, revision, at),
        elseClause: node.elseClause && compileNode(node.elseClause, revision, at),
      };
    case 'Defer':
      return { kind: 'Defer', node };
  }
}
