/**
 * Runs a compiled query plan for one request: fetches go to the gateway's data sources
 * (SubgraphDataSource: dedup, entity and root caches, metrics, internal token) exactly as
 * @apollo/gateway calls them, and their answers are merged in place into one tree of
 * gathered data, which shapeResponse then turns into the response.
 *
 * Failure model (as @apollo/gateway): a fetch that fails, or whose answer is unusable,
 * records an error and leaves its fields missing; the rest of the plan still runs, and
 * the missing fields become nulls (propagated as the schema requires) when shaping.
 * Subgraph errors are recorded with response paths (downstreamErrors.ts).
 */
import type { GraphQLDataSource } from '@apollo/gateway';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import type { GraphQLError } from 'graphql';
import { UnsupportedPlanError, type ExecNode, type FetchStep } from './compilePlan.js';
import { downstreamError, entityPaths, type ResponsePath } from './downstreamErrors.js';
import { mergeInto, ownValue, type Data } from './mergeInto.js';
import { conditionValue } from './ResponseShape.js';
import type { SupergraphRevision } from './SupergraphRevision.js';

// GraphQLDataSourceRequestKind.INCOMING_OPERATION; the enum is not exported from the package root.
const INCOMING_OPERATION = 'incoming operation' as unknown as Parameters<GraphQLDataSource['process']>[0]['kind'];

type ProcessOptions = Parameters<GraphQLDataSource['process']>[0];
type SubgraphError = NonNullable<Awaited<ReturnType<GraphQLDataSource['process']>>['errors']>[number];

export type ServiceLookup = (name: string) => GraphQLDataSource | undefined;

/** The objects a flatten path reaches below `value`, nulls left out (entityPaths walks the same way). */
function collectEntities(value: unknown, at: readonly string[], index: number, into: Data[]): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    const next = at[index] === '@' ? index + 1 : index;
    for (let i = 0; i < value.length; i++) collectEntities(value[i], at, next, into);
    return;
  }
  if (index === at.length) {
    into.push(value as Data);
    return;
  }
  const key = at[index]!;
  if (key !== '@') collectEntities(ownValue(value as Data, key), at, index + 1, into);
}

export class PlanRun {
  /** The gathered data, keyed by response names as the fetches answered them. */
  readonly data: Data = {};
  /** Errors for the response; an Error that is not a GraphQLError is unexpected (masked). */
  readonly errors: Array<GraphQLError | Error> = [];
  private readonly variables: Record<string, unknown> | undefined;

  constructor(
    private readonly revision: SupergraphRevision,
    private readonly services: ServiceLookup,
    private readonly requestContext: GatewayGraphQLRequestContext,
    private readonly conditionDefaults: Readonly<Record<string, unknown>>,
  ) {
    this.variables = requestContext.request.variables;
  }

  async run(node: ExecNode, entities: Data[]): Promise<void> {
    switch (node.kind) {
      case 'Sequence':
        for (const child of node.nodes) await this.run(child, entities);
        return;
      case 'Parallel':
        await Promise.all(node.nodes.map((child) => this.run(child, entities)));
        return;
      case 'Flatten': {
        const targets: Data[] = [];
        collectEntities(entities, node.path, 0, targets);
        if (targets.length > 0) await this.run(node.node, targets);
        return;
      }
      case 'Fetch':
        try {
          await this.fetch(node, entities);
        } catch (error) {
          this.errors.push(error instanceof Error ? error : new Error(String(error)));
        }
        return;
      case 'Condition': {
        const branch = conditionValue(node.variable, this.conditionDefaults, this.variables) ? node.ifClause : node.elseClause;
        if (branch) await this.run(branch, entities);
        return;
      }
      // Incremental delivery runs `primary` first, answers with it, then each deferred
      // node once the fetches it depends on are done; subscriptions run `primary` per
      // event and `rest` on its data. Both need a streaming response, built on this.
      case 'Defer':
        throw new UnsupportedPlanError('@defer');
      case 'Subscription':
        throw new UnsupportedPlanError('subscriptions');
    }
  }

  private async fetch(step: FetchStep, entities: Data[]): Promise<void> {
    const service = this.services(step.serviceName);
    if (!service) throw new Error(`Couldn't find service with name "${step.serviceName}"`);
    const variables: Data = {};
    const provided = this.variables;
    if (provided) {
      for (const name of step.variableUsages) {
        const value = provided[name];
        if (value !== undefined && Object.hasOwn(provided, name)) variables[name] = value;
      }
    }
    const builder = step.representations;
    if (!builder) {
      const data = await this.send(service, step, variables, undefined);
      if (!data) return;
      step.outputRewrites?.apply(this.revision, data);
      for (const entity of entities) mergeInto(entity, data);
      return;
    }

    const representations: Data[] = [];
    // For each representation, the index of the entity it stands for.
    const owners: number[] = [];
    for (let i = 0; i < entities.length; i++) {
      const representation = builder.build(entities[i]!);
      if (!representation) continue;
      step.inputRewrites?.apply(this.revision, representation);
      representations.push(representation);
      owners.push(i);
    }
    if (representations.length === 0) return;
    if (Object.hasOwn(variables, 'representations')) throw new Error('Variables cannot contain key "representations"');
    variables.representations = representations;

    const data = await this.send(service, step, variables, owners);
    if (!data) return;
    const received = data._entities;
    if (!Array.isArray(received)) throw new Error('Expected "data._entities" in response to be an array');
    if (received.length !== representations.length) throw new Error(`Expected "data._entities" to contain ${representations.length} elements`);
    for (let i = 0; i < received.length; i++) {
      const entity = received[i] as Data | null;
      if (entity === null || entity === undefined) continue;
      if (typeof entity !== 'object' || Array.isArray(entity)) throw new Error(`Expected "data._entities" to contain objects, got ${typeof entity} at ${i}`);
      const target = entities[owners[i]!]!;
      // Subgraphs may leave `__typename` out of an entity; the gathered one is kept.
      if (!entity.__typename) entity.__typename = target.__typename;
      step.outputRewrites?.apply(this.revision, entity);
      mergeInto(target, entity);
    }
  }

  private async send(service: GraphQLDataSource, step: FetchStep, variables: Data, owners: number[] | undefined): Promise<Data | null | undefined> {
    const { requestContext } = this;
    const options: ProcessOptions = {
      kind: INCOMING_OPERATION,
      request: { query: step.operation, variables, operationName: step.operationName },
      incomingRequestContext: requestContext,
      context: requestContext.context,
      document: step.document,
      pathInIncomingRequest: step.path as ResponsePath,
    } as ProcessOptions;
    const response = await service.process(options);
    if (response.errors) this.recordErrors(step, response.errors, owners, response.extensions);
    return response.data as Data | null | undefined;
  }

  private recordErrors(step: FetchStep, errors: readonly SubgraphError[], owners: number[] | undefined, extensions: Record<string, unknown> | undefined): void {
    let paths: ResponsePath[] | undefined;
    for (const error of errors) {
      const path = error.path;
      let at: ResponsePath | undefined;
      if (owners && typeof path?.[1] === 'number') {
        // Entity errors: `["_entities", i, …rest]` -> the path of the entity that representation i came from.
        paths ??= entityPaths(this.data, step.path);
        const owner = owners[path[1]];
        at = [...((owner !== undefined && paths[owner]) || []), ...path.slice(2)];
      } else if (path) {
        at = [...step.path, ...path];
      }
      this.errors.push(downstreamError(error, step.serviceName, at));
    }
    // What @apollo/gateway records for usage reporting when a subgraph sends no trace.
    if (!extensions?.ftv1) {
      const metrics = this.requestContext.metrics;
      const errorPaths = errors.map((error) => ({ subgraph: step.serviceName, path: error.path }));
      metrics.nonFtv1ErrorPaths = metrics.nonFtv1ErrorPaths ? [...metrics.nonFtv1ErrorPaths, ...errorPaths] : errorPaths;
    }
  }
}
