/**
 * One concern of the request path, with one entry point per stage it acts in, called by
 * the pipeline (createGateway.ts) in its order rather than by the other steps:
 *
 * - `http`: on a GraphQL HTTP request, before Apollo Server parses anything (the body is
 *   read, the caller authenticated); a rejection answers the request;
 * - `admit`: once Apollo Server has resolved the operation (parsed, validated, named); a
 *   thrown GraphQLError refuses that operation. The steps' `admit` run one after the
 *   other, in admission order, in one Apollo plugin (pluginsOf), and hand facts on
 *   through `OperationFacts` (the cost limits/ estimates is what rateLimit/ charges);
 * - `plugin`: Apollo Server hooks the step needs besides.
 */
import type { ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
import type { IncomingMessage } from 'node:http';
import type { HttpRejection, RawGraphQLRequest } from '../../../lib/http.js';
import type { AuthIdentity } from '../auth/identity.js';
import type { GatewayContext } from './GatewayContext.js';

/** A GraphQL HTTP request once its body is read and its caller known. */
export interface GraphQLExchange {
  readonly req: IncomingMessage;
  readonly requestId: string;
  readonly auth: AuthIdentity;
  readonly clientIp: string;
  /** The request as read from the body; undefined when it is malformed. */
  readonly request: RawGraphQLRequest | undefined;
  /** Why the request is malformed (media type, JSON, nesting: lib/http.ts), answered by its own step. */
  readonly malformed: HttpRejection | undefined;
}

/** What steps learn about an operation at admission and later steps use. */
export interface OperationFacts {
  /** The operation's estimated cost, once within the limit (limits/). */
  cost?: number;
}

export type OperationContext = GraphQLRequestContext<GatewayContext>;

export interface GatewayStep {
  readonly name: string;
  http?(exchange: GraphQLExchange): Promise<HttpRejection | undefined> | HttpRejection | undefined;
  admit?(operation: OperationContext, facts: OperationFacts): Promise<void> | void;
  plugin?: ApolloServerPlugin<GatewayContext>;
}

/** Runs the steps' `http` stages in order; the first rejection, if any. */
export async function runHttpSteps(steps: readonly GatewayStep[], exchange: GraphQLExchange): Promise<HttpRejection | undefined> {
  for (const step of steps) {
    const rejection = await step.http?.(exchange);
    if (rejection) return rejection;
  }
  return undefined;
}

/**
 * The steps' Apollo plugins, and one plugin running the `admit` stages of `admission` one
 * after the other, in that order (which differs from the `http` order: the request budget
 * is taken before the limits look at the request, the cost is charged after they accepted it).
 */
export function pluginsOf(steps: readonly GatewayStep[], admission: readonly GatewayStep[]): Array<ApolloServerPlugin<GatewayContext>> {
  const admitting = admission.filter((step) => step.admit);
  // Apollo Server runs its plugins' didResolveOperation concurrently: order between steps is kept here.
  const admissionPlugin: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart() {
      return {
        async didResolveOperation(operation) {
          const facts: OperationFacts = {};
          for (const step of admitting) await step.admit!(operation, facts);
        },
      };
    },
  };
  return [...(admitting.length > 0 ? [admissionPlugin] : []), ...steps.flatMap((step) => (step.plugin ? [step.plugin] : []))];
}
