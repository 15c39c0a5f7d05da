/**
 * ApolloGateway with our executor: ApolloGateway still loads the supergraph (from the
 * file manager, reloads included), builds the API schema Apollo Server validates with,
 * and creates the data sources through our buildService; everything after validation
 * (planning, fetching, merging, shaping) is ours. ApolloGateway's executor is never called.
 *
 * It mirrors what ApolloGateway's executor does per request: find the operation, check
 * the variables against its definitions (those errors answer the request without
 * planning), look the plan up by query hash and operation name or plan it, execute.
 * Plans are keyed by supergraph revision too, and the revision is the one whose API
 * schema the request was validated against (requestContext.schema), so a request that
 * straddles a reload is planned and shaped with the schema it was checked with.
 *
 * Authorization (auth/authorizingGateway.ts) wraps this gateway like it wrapped
 * ApolloGateway: the executor receives the filtered document and its own query hash.
 *
 * Subscriptions: planned like the rest, then executeSubscription.ts makes (or joins) the
 * subscription to the subgraph and completes each event through the plan.
 *
 * @defer: the planner runs with incremental delivery on, and the API schema handed to
 * Apollo Server (through onSchemaLoadOrUpdate) is ApolloGateway's with the @defer
 * directive added, built from the same federation-internals schema; requests are
 * validated against it and each revision is found by it (incremental.ts streams).
 */
import type { ApolloGateway, GraphQLDataSource, ServiceEndpointDefinition } from '@apollo/gateway';
import type { QueryPlannerConfig } from '@apollo/query-planner';
import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import type { GatewayExecutionResult, GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { getVariableValues, GraphQLError, type GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import { isRecording, NOOP_SPAN, recordError, withSpan, type Span, type TraceContext } from '../../../lib/tracing.js';
import { subscriptionDeliveryOf } from '../subscriptions/SubscriptionDelivery.js';
import { executeOperation } from './executeOperation.js';
import type { SubscriptionSources } from './executeSubscription.js';
import { PreparedOperation, resolveOperation } from './PreparedOperation.js';
import { SupergraphRevision, withDeferDirective } from './SupergraphRevision.js';

export interface Graph360GatewayOptions {
  /** The data sources by subgraph name, as ApolloGateway had them built (see recordServices). */
  services: ReadonlyMap<string, GraphQLDataSource>;
  /** Where prepared operations are kept (cleared when the supergraph changes, if it can be). */
  plans: KeyValueCache<PreparedOperation> & { clear?(): void };
  logger: Pick<Logger, 'error'>;
  /** The query planner's settings for every revision. Default: @apollo/query-planner's. */
  plannerConfig?: QueryPlannerConfig;
  /** Where subscriptions to the subgraphs are made and shared; without it, subscriptions are refused. */
  subscriptions?: SubscriptionSources;
}

/**
 * Wraps a buildService so that the data sources it builds can be found by name: the
 * same instances ApolloGateway keeps (and reuses across reloads when a URL is unchanged).
 */
export function recordServices<S extends GraphQLDataSource>(
  build: (definition: ServiceEndpointDefinition) => S,
): {
  buildService: (definition: ServiceEndpointDefinition) => S;
  services: Map<string, S>;
} {
  const services = new Map<string, S>();
  return {
    services,
    buildService(definition) {
      const service = build(definition);
      services.set(definition.name, service);
      return service;
    },
  };
}

export function graph360Gateway(inner: ApolloGateway, options: Graph360GatewayOptions): GatewayInterface {
  const revisions = new WeakMap<GraphQLSchema, SupergraphRevision>();
  /** ApolloGateway's API schema -> the one with @defer that Apollo Server gets instead. */
  const published = new WeakMap<GraphQLSchema, GraphQLSchema>();
  const plannerConfig: QueryPlannerConfig = {
    ...options.plannerConfig,
    incrementalDelivery: { ...options.plannerConfig?.incrementalDelivery, enableDefer: true },
  };
  let latest: SupergraphRevision | undefined;
  // Registered before Apollo Server registers its own listener (in load), so the revision
  // of a new schema exists before the first request is validated against that schema.
  inner.onSchemaLoadOrUpdate(({ apiSchema, coreSupergraphSdl }) => {
    try {
      const revision = new SupergraphRevision(coreSupergraphSdl, withDeferDirective, plannerConfig);
      // ApolloGateway's schema extensions (its version) on the one Apollo Server gets.
      revision.schema.extensions = { ...revision.schema.extensions, ...apiSchema.extensions };
      latest = revision;
      published.set(apiSchema, revision.schema);
      revisions.set(revision.schema, revision);
      options.plans.clear?.();
    } catch (error) {
      // ApolloGateway accepted this SDL, so this is not expected; requests keep the last revision.
      options.logger.error({ err: error }, 'could not prepare the new supergraph for execution; still executing with the previous one');
    }
  });
  const lookup = (name: string): GraphQLDataSource | undefined => options.services.get(name);
  // Listeners get the schema with @defer in place of ApolloGateway's (ours, above, runs first).
  const onSchemaLoadOrUpdate: GatewayInterface['onSchemaLoadOrUpdate'] = (callback) =>
    inner.onSchemaLoadOrUpdate(({ apiSchema, coreSupergraphSdl }) => callback({ apiSchema: published.get(apiSchema) ?? apiSchema, coreSupergraphSdl }));

  /** The prepared operation (the plan cache's, or planned now), or the variables' errors; `span` says which. */
  const plan = async (
    revision: SupergraphRevision,
    requestContext: Parameters<GatewayExecutor>[0],
    key: string,
    span: Span,
  ): Promise<PreparedOperation | GatewayExecutionResult> => {
    const { request, document } = requestContext;
    let prepared = await options.plans.get(key);
    if (span.isRecording()) span.setAttribute('graph360.plan.cache', prepared ? 'hit' : 'miss');
    const resolved = prepared ? undefined : resolveOperation(document, request.operationName);
    const definitions = (prepared?.operation ?? resolved!.operation).variableDefinitions;
    if (definitions && definitions.length > 0) {
      const { errors } = getVariableValues(revision.schema, definitions, request.variables ?? {});
      if (errors) {
        recordError(span, errors[0]);
        return { errors };
      }
    }
    if (!prepared) {
      prepared = new PreparedOperation(revision, document, request.operationName, resolved);
      await options.plans.set(key, prepared);
    }
    return prepared;
  };

  const executor: GatewayExecutor = async (requestContext) => {
    const revision = revisions.get(requestContext.schema) ?? latest;
    if (!revision) throw new Error('The supergraph is not loaded yet.');
    const { request, queryHash } = requestContext;
    const key = `${revision.id}:${queryHash}:${request.operationName ?? ''}`;
    // When the request is traced (lib/tracing.ts): `graphql.plan` (the plan cache's hit or
    // miss, and the planning on a miss), then `graphql.execute`, the parent of every
    // subgraph fetch. Otherwise the same steps, called plainly.
    const trace = (requestContext.context as { trace?: TraceContext }).trace;
    const traced = isRecording(trace);
    const planned = traced
      ? await withSpan('graphql.plan', {}, trace, (span) => plan(revision, requestContext, key, span))
      : await plan(revision, requestContext, key, NOOP_SPAN);
    if (!(planned instanceof PreparedOperation)) return planned;
    const prepared = planned;
    if (prepared.root?.kind === 'Subscription') {
      // Served only through a transport that streams (subscriptions/); refused earlier otherwise (plugins/subscriptions/).
      const delivery = subscriptionDeliveryOf(requestContext.context);
      if (!delivery || !options.subscriptions)
        return { errors: [new GraphQLError("This request cannot receive a subscription's events.", { extensions: { code: 'SUBSCRIPTIONS_NOT_SUPPORTED' } })] };
      return options.subscriptions.subscribe(prepared, requestContext, lookup, delivery);
    }
    if (!traced) return executeOperation(prepared, requestContext, lookup);
    return withSpan('graphql.execute', {}, trace, async (span, ctx) => {
      const result = await executeOperation(prepared, requestContext, lookup, ctx);
      if (result.errors && result.errors.length > 0) {
        span.setAttribute('graphql.errors', result.errors.length);
        recordError(span, result.errors[0]);
      }
      return result;
    });
  };

  return {
    onSchemaLoadOrUpdate,
    async load(loadOptions) {
      const loaded = await inner.load(loadOptions);
      return { ...loaded, executor };
    },
    stop: () => inner.stop(),
  };
}
