/**
 * ApolloGateway behind an authorization step: the executor Apollo Server calls is
 * wrapped so that, before ApolloGateway plans anything, the document is reduced to the
 * fields the caller may see (authorizeOperation), planned under a query hash of its own
 * (ApolloGateway caches plans by `queryHash`: a filtered document under the original
 * hash would hand one caller's plan to another), and the refused fields are put back
 * as nulls with errors afterwards. The policy is read per request from `policy()`, which
 * the supergraph manager replaces on every reload.
 */
import type { ApolloServerOptionsWithGateway, BaseContext } from '@apollo/server';
import type { AuthPolicy } from './policy.js';
import { applyAuthorization, authorizeOperation } from './authorizeOperation.js';
import { authOf } from './identity.js';
import { incrementalDeliveryOf } from '../execution/incremental.js';
import { subscriptionDeliveryOf } from '../subscriptions/SubscriptionDelivery.js';

type GatewayInterface = ApolloServerOptionsWithGateway<BaseContext>['gateway'];
type Executor = NonNullable<Awaited<ReturnType<GatewayInterface['load']>>['executor']>;

export interface AuthorizationCounters {
  /** Called once per refused field of an operation (before execution). */
  refused(code: string, count: number): void;
}

export function authorizingGateway(inner: GatewayInterface, policy: () => AuthPolicy, counters?: AuthorizationCounters): GatewayInterface {
  const wrap =
    (executor: Executor): Executor =>
    async (requestContext) => {
      const plan = authorizeOperation({
        schema: requestContext.schema,
        document: requestContext.document,
        operationName: requestContext.request.operationName,
        queryHash: requestContext.queryHash,
        policy: policy(),
        auth: authOf(requestContext.context),
        variables: requestContext.request.variables,
      });
      if (!plan) return executor(requestContext);
      // Refused fields are put back in the result the executor returns; a deferred part
      // comes later, so an operation with refusals is answered whole, never streamed.
      incrementalDeliveryOf(requestContext.context)?.claim();
      // A subscription's events each get the same treatment as this result.
      subscriptionDeliveryOf(requestContext.context)?.transformEach((result) => applyAuthorization(plan, result));
      for (const removal of plan.removals) counters?.refused(removal.code, 1);
      if (plan.skipExecution) return applyAuthorization(plan, { data: null });
      const result = await executor({ ...requestContext, document: plan.document, operation: plan.operation, queryHash: plan.queryHash });
      return applyAuthorization(plan, result);
    };
  return {
    onSchemaLoadOrUpdate: (callback) => inner.onSchemaLoadOrUpdate(callback),
    async load(options) {
      const loaded = await inner.load(options);
      return { ...loaded, executor: loaded.executor ? wrap(loaded.executor) : null };
    },
    stop: () => inner.stop(),
  };
}
