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
import { PlanRun, type ServiceLookup } from './executePlan.js';
import type { PreparedOperation } from './PreparedOperation.js';
import { ResponseShaper } from './shapeResponse.js';

export async function executeOperation(prepared: PreparedOperation, requestContext: GatewayGraphQLRequestContext, services: ServiceLookup): Promise<GatewayExecutionResult> {
  const run = new PlanRun(prepared.revision, services, requestContext, prepared.conditionDefaults);
  if (prepared.root) await run.run(prepared.root, [run.data]);
  const variables = requestContext.request.variables;
  try {
    const shaped = new ResponseShaper(prepared.revision.schema, variables).shape(prepared.shapeFor(variables), run.data);
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
