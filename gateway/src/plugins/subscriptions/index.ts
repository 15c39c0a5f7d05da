/**
 * Subscriptions are not served yet: a subscription operation is refused with HTTP 400 and
 * SUBSCRIPTIONS_NOT_SUPPORTED once it is parsed and validated, before planning. Without
 * this, @apollo/gateway tries to plan it and answers 500 (the supergraph has no
 * Subscription type, and the gateway has no transport for one), which blames the
 * server for a request it will never serve.
 *
 * This plugin is the one place that decides it: serving subscriptions (graphql-ws, or
 * multipart over HTTP) replaces it. A GET never gets here: Apollo Server answers any GET
 * that is not a query with 405 before the plugins see the operation.
 */
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { GraphQLError } from 'graphql';

export const SUBSCRIPTIONS_NOT_SUPPORTED = 'SUBSCRIPTIONS_NOT_SUPPORTED';

export function refuseSubscriptionsPlugin<TContext extends BaseContext>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          if (operation?.operation !== 'subscription') return;
          throw new GraphQLError('This gateway does not serve subscriptions; send queries and mutations.', {
            extensions: { code: SUBSCRIPTIONS_NOT_SUPPORTED, http: { status: 400 } },
          });
        },
      };
    },
  };
}
