/**
 * A subscription runs only for a request whose transport streams it (a
 * SubscriptionDelivery on the context); any other is refused with 406 and
 * SUBSCRIPTION_TRANSPORT_REQUIRED before it runs, and every one with 400 and
 * SUBSCRIPTIONS_NOT_SUPPORTED when the gateway serves none. Queries and mutations are untouched.
 */
import { ApolloServer } from '@apollo/server';
import { describe, expect, it } from 'vitest';
import { SubscriptionDelivery } from '../../subscriptions/SubscriptionDelivery.js';
import { subscriptionsPlugin } from './index.js';

async function serverWith(served: boolean | undefined): Promise<{ apollo: ApolloServer<{ subscription?: SubscriptionDelivery }>; subscribed: () => number }> {
  let subscribed = 0;
  const apollo = new ApolloServer<{ subscription?: SubscriptionDelivery }>({
    typeDefs: 'type Query { a: Int } type Mutation { b: Int } type Subscription { c: Int }',
    resolvers: { Query: { a: () => 1 }, Mutation: { b: () => 2 }, Subscription: { c: { subscribe: () => void subscribed++ } } },
    plugins: [subscriptionsPlugin(served === undefined ? {} : { served })],
  });
  await apollo.start();
  return { apollo, subscribed: () => subscribed };
}

describe('subscriptionsPlugin', () => {
  it('refuses a subscription without a streaming transport with 406 and a code naming the transports, and lets queries and mutations run', async () => {
    const { apollo, subscribed } = await serverWith(undefined);
    try {
      const run = async (query: string): Promise<unknown> => {
        const { http, body } = await apollo.executeOperation({ query });
        return { status: http.status, body: body.kind === 'single' ? body.singleResult : undefined };
      };
      expect(await run('subscription { c }')).toEqual({
        status: 406,
        body: {
          errors: [
            {
              message:
                'A subscription needs a transport that streams its events: WebSocket (graphql-transport-ws) at /graphql, or HTTP with Accept: multipart/mixed;subscriptionSpec=1.0.',
              extensions: { code: 'SUBSCRIPTION_TRANSPORT_REQUIRED' },
            },
          ],
        },
      });
      expect(subscribed()).toBe(0);
      expect(await run('{ a }')).toEqual({ status: undefined, body: { data: { a: 1 } } });
      expect(await run('mutation { b }')).toEqual({ status: undefined, body: { data: { b: 2 } } });
    } finally {
      await apollo.stop();
    }
  });

  /** `subscription { c }` with a delivery on the context, as a streaming transport sends it. */
  const withDelivery = async (apollo: ApolloServer<{ subscription?: SubscriptionDelivery }>): Promise<unknown> => {
    const delivery = new SubscriptionDelivery({ formatError: (error) => ({ message: error.message }), maxQueued: 1 });
    const { http, body } = await apollo.executeOperation({ query: 'subscription { c }' }, { contextValue: { subscription: delivery } });
    return { status: http.status, body: body.kind === 'single' ? body.singleResult : undefined };
  };

  it('lets a subscription through when the request carries a delivery', async () => {
    const { apollo } = await serverWith(undefined);
    try {
      // Past the plugin, Apollo Server's own executor runs it as an operation (the gateway's executor streams it instead).
      expect(await withDelivery(apollo)).toEqual({ status: undefined, body: { data: { c: null } } });
    } finally {
      await apollo.stop();
    }
  });

  it('refuses every subscription with 400 and SUBSCRIPTIONS_NOT_SUPPORTED when the gateway serves none', async () => {
    const { apollo } = await serverWith(false);
    try {
      expect(await withDelivery(apollo)).toEqual({
        status: 400,
        body: {
          errors: [{ message: 'This gateway does not serve subscriptions; send queries and mutations.', extensions: { code: 'SUBSCRIPTIONS_NOT_SUPPORTED' } }],
        },
      });
    } finally {
      await apollo.stop();
    }
  });
});
