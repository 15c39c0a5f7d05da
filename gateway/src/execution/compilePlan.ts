/**
 * The query plan turned into the executor's own node tree, once per prepared operation:
 * each fetch gets its representation builder and parsed rewrites, each flatten its path
 * as an array it can walk without slicing. Execution then allocates nothing per node
 * but the data it moves.
 *
 * A DeferNode (@defer, planned when incremental delivery is on) becomes a DeferStep: its
 * primary part, and the deferred parts as a tree. The planner nests a deferred part's
 * own deferred parts as a DeferNode in its `node`; here each DeferredStep holds its fetches,
 * the selection it delivers and its children.
 *
 * A SubscriptionNode becomes a SubscriptionStep: the subscription sent to the subgraph
 * that owns the root field, and the plan run on each of its events (executeSubscription.ts).
 */
import type { DeferNode, DeferredNode, FetchNode, PlanNode, QueryPlan, SubscriptionNode } from '@apollo/query-planner';
import { parse, type DocumentNode, type OperationTypeNode } from 'graphql';
import { answerKeys, compileMerger, type Merger } from './compileMerge.js';
import { DataRewrites } from './DataRewrites.js';
import { mergeInto } from './mergeInto.js';
import { RepresentationBuilder } from './Representations.js';
import { compileWalker, type Walker } from './walkPath.js';
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
  /** The planner's id, set when a deferred part depends on this fetch. */
  readonly id: string | undefined;
  /** Merges one answer (the data, or one entity) into the object gathered for it (compileMerge.ts). */
  readonly merge: Merger;

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
    this.id = node.id;
    // Parsed here when the planner did not keep the document: once per plan, not per request.
    const keys = answerKeys(node.operationDocumentNode ?? parseFetch(node.operation), node.requires !== undefined, node.outputRewrites);
    this.merge = keys ? compileMerger(keys) : mergeInto;
  }
}

function parseFetch(operation: string): DocumentNode | undefined {
  try {
    return parse(operation, { noLocation: true });
  } catch {
    return undefined;
  }
}

/** One deferred fragment (or several with the same path and label, merged by the planner). */
export interface DeferredStep {
  readonly label: string | undefined;
  /** Where its data goes, in response names from the root, type conditions as `... on T`; lists not marked. */
  readonly queryPath: readonly string[];
  /** Ids of the fetches (FetchStep.id) whose data it needs. */
  readonly depends: readonly string[];
  /** The selection it delivers, as the planner prints it (`{ a b { c } }`). */
  readonly subselection: string | undefined;
  readonly node: ExecNode | undefined;
  /** Deferred fragments inside this one: started once this one is delivered. */
  readonly children: readonly DeferredStep[];
}

export interface DeferStep {
  readonly kind: 'Defer';
  readonly primary: ExecNode | undefined;
  readonly deferred: readonly DeferredStep[];
}

export interface SubscriptionStep {
  readonly kind: 'Subscription';
  /** The subscription to the subgraph that owns the root field. */
  readonly primary: FetchStep;
  /** What completes each event from the other subgraphs, run on the event's data; undefined when the event is complete as it comes. */
  readonly rest: ExecNode | undefined;
}

export type ExecNode =
  | { readonly kind: 'Sequence'; readonly nodes: readonly ExecNode[] }
  | { readonly kind: 'Parallel'; readonly nodes: readonly ExecNode[] }
  | { readonly kind: 'Flatten'; readonly path: readonly string[]; readonly walk: Walker; readonly node: ExecNode }
  | FetchStep
  | { readonly kind: 'Condition'; readonly variable: string; readonly ifClause: ExecNode | undefined; readonly elseClause: ExecNode | undefined }
  | DeferStep
  | SubscriptionStep;

/** A plan (or part of one) the executor does not run (yet); the request fails with a clear message. */
export class UnsupportedPlanError extends Error {
  constructor(what: string) {
    super(`The gateway's executor does not support ${what} yet.`);
    this.name = 'UnsupportedPlanError';
  }
}

export function compilePlan(plan: QueryPlan, revision: SupergraphRevision): ExecNode | undefined {
  if (!plan.node) return undefined;
  if (plan.node.kind === 'Subscription') return compileSubscription(plan.node, revision);
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
      return { kind: 'Flatten', path, walk: compileWalker(path), node: compileNode(node.node, revision, [...at, ...path]) };
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
      return compileDefer(node, revision, at);
  }
}

function compileDefer(node: DeferNode, revision: SupergraphRevision, at: readonly string[]): DeferStep {
  return {
    kind: 'Defer',
    primary: node.primary.node && compileNode(node.primary.node, revision, at),
    deferred: node.deferred.map((deferred) => compileDeferred(deferred, revision, at)),
  };
}

function compileDeferred(deferred: DeferredNode, revision: SupergraphRevision, at: readonly string[]): DeferredStep {
  // A deferred fragment with deferred fragments inside: the planner makes its node a
  // DeferNode whose primary is this fragment's own part.
  const nested = deferred.node?.kind === 'Defer' ? deferred.node : undefined;
  const node = nested ? nested.primary.node : deferred.node;
  return {
    label: deferred.label,
    queryPath: deferred.queryPath.map(String),
    depends: deferred.depends.map((dependency) => dependency.id),
    subselection: deferred.subselection ?? nested?.primary.subselection,
    node: node && compileNode(node, revision, at),
    children: nested ? nested.deferred.map((child) => compileDeferred(child, revision, at)) : [],
  };
}

function compileSubscription(node: SubscriptionNode, revision: SupergraphRevision): SubscriptionStep {
  return { kind: 'Subscription', primary: new FetchStep(node.primary, revision, []), rest: node.rest && compileNode(node.rest, revision, []) };
}
