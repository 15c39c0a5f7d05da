/**
 * Which requests may run a subscription: those whose transport streams its events
 * (graphql-ws, or HTTP to a client that accepts `multipart/mixed;subscriptionSpec=1.0`),
 * which put a SubscriptionDelivery on the context (subscriptions/). Any other subscription
 * is refused once it is parsed and validated, before planning: 406 and
 * SUBSCRIPTION_TRANSPORT_REQUIRED, naming the transports that serve it (a plain JSON
 * response cannot hold a stream of events). With `served: false` (EXECUTOR=apollo,
 * whose executor has no subscriptions) every subscription is refused with 400 and
 * SUBSCRIPTIONS_NOT_SUPPORTED.
 *
 * A GET never gets here: Apollo Server answers any GET that is not a query with 405
 * before the plugins see the operation.
 */
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { subscriptionDeliveryOf } from '../../subscriptions/SubscriptionDelivery.js';

export const SUBSCRIPTIONS_NOT_SUPPORTED = 'SUBSCRIPTIONS_NOT_SUPPORTED';
export const SUBSCRIPTION_TRANSPORT_REQUIRED = 'SUBSCRIPTION_TRANSPORT_REQUIRED';

export interface SubscriptionsPluginOptions {
  /** False when this gateway runs no subscriptions at all. Default true. */
  served?: boolean;
}

export function subscriptionsPlugin<TContext extends BaseContext>(options: SubscriptionsPluginOptions = {}): ApolloServerPlugin<TContext> {
  const served = options.served ?? true;
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, contextValue }) {
          if (operation?.operation !== 'subscription') return;
          if (!served) {
            throw new GraphQLError('This gateway does not serve subscriptions; send queries and mutations.', {
              extensions: { code: SUBSCRIPTIONS_NOT_SUPPORTED, http: { status: 400 } },
            });
          }
          if (subscriptionDeliveryOf(contextValue)) return;
          throw new GraphQLError(
            'A subscription needs a transport that streams its events: WebSocket (graphql-transport-ws) at /graphql, or HTTP with Accept: multipart/mixed;subscriptionSpec=1.0.',
            {
              extensions: { code: SUBSCRIPTION_TRANSPORT_REQUIRED, http: { status: 406 } },
            },
          );
        },
      };
    },
  };
}
