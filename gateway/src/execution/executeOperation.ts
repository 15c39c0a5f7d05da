/**
 * One request through a prepared operation: run the plan, shape the gathered data, and
 * assemble the result Apollo Server formats and sends. The result's rules are
 * @apollo/gateway's, so that switching executors changes nothing a client sees:
 * execution errors go to `errors` next to the (partial) data; value completion errors
 * only when execution had none, and then in `extensions.valueCompletion`; a failure
 * while shaping answers with that error alone.
 */
import type { GatewayExecutionResult, GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { GraphQLError } from 'graphql';
import type { TraceContext } from '../../../lib/tracing.js';
import type { DeferStep, ExecNode } from './compilePlan.js';
import { PlanRun, type ServiceLookup } from './executePlan.js';
import { executeStreamed, incrementalDeliveryOf } from './incremental.js';
import type { PreparedOperation } from './PreparedOperation.js';
import { conditionValue } from './ResponseShape.js';
import { ResponseShaper } from './shapeResponse.js';

/** The DeferNode at the top of a plan (through a @defer(if:) condition), if any. */
function deferAtTop(root: ExecNode | undefined, prepared: PreparedOperation, variables: Record<string, unknown> | undefined): DeferStep | undefined {
  if (root?.kind === 'Condition')
    return deferAtTop(conditionValue(root.variable, prepared.conditionDefaults, variables) ? root.ifClause : root.elseClause, prepared, variables);
  return root?.kind === 'Defer' && root.deferred.length > 0 ? root : undefined;
}

/** `trace`: the execution's span when its request is traced, the parent of the fetches' spans. */
export async function executeOperation(
  prepared: PreparedOperation,
  requestContext: GatewayGraphQLRequestContext,
  services: ServiceLookup,
  trace?: TraceContext,
): Promise<GatewayExecutionResult> {
  const run = new PlanRun(prepared.revision, services, requestContext, prepared.conditionDefaults);
  run.trace = trace;
  const variables = requestContext.request.variables;
  const defer = deferAtTop(prepared.root, prepared, variables);
  const delivery = defer && incrementalDeliveryOf(requestContext.context);
  if (defer && delivery?.claim()) {
    return executeStreamed(prepared, requestContext, defer, delivery, run, (primary) => result(prepared, primary, 'primary', variables));
  }
  if (prepared.root) await run.run(prepared.root, [run.data]);
  return result(prepared, run, 'whole', variables);
}

/** The result of a run, shaped as the whole response or its primary part. */
export function result(
  prepared: PreparedOperation,
  run: PlanRun,
  part: 'whole' | 'primary',
  variables: Record<string, unknown> | undefined,
): GatewayExecutionResult {
  try {
    const shaped = new ResponseShaper(prepared.revision.schema, variables).shape(prepared.shapeFor(variables, part), run.data);
    // GatewayExecutionResult types its errors as GraphQLErrors; Apollo Server wraps any other
    // Error itself (and the error masking plugin masks it), as with @apollo/gateway.
    if (run.errors.length > 0) return { errors: run.errors as GraphQLError[], data: shaped.data };
    if (shaped.errors.length > 0) return { extensions: { valueCompletion: shaped.errors }, data: shaped.data };
    return { data: shaped.data };
  } catch (error) {
    if (error instanceof GraphQLError) return { errors: [error] };
    const cause = error instanceof Error ? error : new Error(String(error));
    return { errors: [new GraphQLError(cause.message, { originalError: cause })] };
  }
}
