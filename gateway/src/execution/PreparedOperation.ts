/**
 * Everything about one operation that does not depend on the request: its query plan
 * (planned by @apollo/query-planner against the revision's API schema), the plan
 * compiled for execution, and the response shape per @skip/@include variant. Prepared
 * once per (supergraph revision, document, operation name) and cached, like the plans of
 * @apollo/gateway; a request then only runs and shapes.
 */
import { ERRORS, operationFromDocument } from '@apollo/federation-internals';
import type { QueryPlan } from '@apollo/query-planner';
import { Kind, parse, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { compilePlan, type DeferredStep, type ExecNode } from './compilePlan.js';
import { conditionValues, conditionVariables, SelectionShape, typeAtPath } from './ResponseShape.js';
import type { SupergraphRevision } from './SupergraphRevision.js';

export interface ResolvedOperation {
  operation: OperationDefinitionNode;
  fragments: Record<string, FragmentDefinitionNode>;
}

/** The operation to run and the document's fragments; the errors are @apollo/gateway's. */
export function resolveOperation(document: DocumentNode, operationName: string | null | undefined): ResolvedOperation {
  let operation: OperationDefinitionNode | undefined;
  let operations = 0;
  const fragments: Record<string, FragmentDefinitionNode> = Object.create(null) as Record<string, FragmentDefinitionNode>;
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      fragments[definition.name.value] = definition;
    } else if (definition.kind === Kind.OPERATION_DEFINITION) {
      operations++;
      if (!operationName && operations > 1) throw ERRORS.INVALID_GRAPHQL.err('Must provide operation name if query contains multiple operations.');
      if (!operationName || definition.name?.value === operationName) operation = definition;
    }
  }
  if (!operation) throw ERRORS.INVALID_GRAPHQL.err(operationName ? `Unknown operation named "${operationName}".` : 'Must provide an operation.');
  return { operation, fragments };
}

export class PreparedOperation {
  readonly plan: QueryPlan;
  /** Undefined when there is nothing to fetch (only `__typename` or introspection). */
  readonly root: ExecNode | undefined;
  readonly operation: OperationDefinitionNode;
  /** Approximate memory cost, for the cache's bound. */
  readonly size: number;
  private readonly fragments: Record<string, FragmentDefinitionNode>;
  private readonly conditions: { names: string[]; defaults: Record<string, unknown> };
  private readonly variants = new Map<string, SelectionShape>();
  /** Per deferred fragment, its shape per variant. */
  private readonly deferredVariants = new Map<DeferredStep, Map<string, SelectionShape>>();

  constructor(
    readonly revision: SupergraphRevision,
    document: DocumentNode,
    operationName: string | null | undefined,
    resolved: ResolvedOperation = resolveOperation(document, operationName),
  ) {
    this.operation = resolved.operation;
    this.fragments = resolved.fragments;
    const operation = operationFromDocument(revision.apiSchema, document, { operationName: operationName ?? undefined });
    this.plan = revision.planner.buildQueryPlan(operation);
    this.root = compilePlan(this.plan, revision);
    this.conditions = conditionVariables(this.operation, this.fragments);
    // The plan dominates; shapes are compiled later and are smaller than the plan's operations.
    this.size = JSON.stringify(this.plan).length * 2;
  }

  get conditionDefaults(): Readonly<Record<string, unknown>> {
    return this.conditions.defaults;
  }

  /**
   * The response shape for these variables' values of @skip/@include (compiled once per
   * variant): of the whole response, or of its primary part (fragments marked @defer left out).
   */
  shapeFor(variables: Readonly<Record<string, unknown>> | undefined, part: 'whole' | 'primary' = 'whole'): SelectionShape {
    const { key, values } = this.variant(variables);
    const variantKey = part === 'primary' ? `${key}p` : key;
    let shape = this.variants.get(variantKey);
    if (!shape) {
      const schema = this.revision.schema;
      const rootType = schema.getRootType(this.operation.operation);
      if (!rootType) throw ERRORS.INVALID_GRAPHQL.err(`The schema has no ${this.operation.operation} type.`);
      shape = new SelectionShape(
        { schema, operation: this.operation, fragments: this.fragments, conditions: values, withoutDeferred: part === 'primary' },
        rootType,
        [this.operation.selectionSet],
      );
      this.variants.set(variantKey, shape);
    }
    return shape;
  }

  /** The shape of what a deferred fragment delivers (the fragments deferred inside it left out); undefined when it selects nothing. */
  deferredShape(step: DeferredStep, variables: Readonly<Record<string, unknown>> | undefined): SelectionShape | undefined {
    if (!step.subselection) return undefined;
    const { key, values } = this.variant(variables);
    let shapes = this.deferredVariants.get(step);
    if (!shapes) {
      shapes = new Map();
      this.deferredVariants.set(step, shapes);
    }
    let shape = shapes.get(key);
    if (!shape) {
      const schema = this.revision.schema;
      const type = typeAtPath(schema, this.operation, this.fragments, step.queryPath);
      const definition = parse(step.subselection).definitions[0];
      if (definition?.kind !== Kind.OPERATION_DEFINITION) throw new Error(`Unexpected deferred selection: ${step.subselection}`);
      // The planner prints the selection with fragments expanded; the operation's are there in case.
      shape = new SelectionShape({ schema, operation: definition, fragments: this.fragments, conditions: values, withoutDeferred: true }, type, [
        definition.selectionSet,
      ]);
      shapes.set(key, shape);
    }
    return shape;
  }

  private variant(variables: Readonly<Record<string, unknown>> | undefined): { key: string; values: Map<string, boolean> } {
    const values = conditionValues(this.conditions.names, this.conditions.defaults, variables);
    let key = '';
    for (const value of values.values()) key += value ? '1' : '0';
    return { key, values };
  }
}
