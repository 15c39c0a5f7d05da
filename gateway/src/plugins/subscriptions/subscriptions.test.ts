/**
 * A subscription is refused with 400 and SUBSCRIPTIONS_NOT_SUPPORTED before it runs;
 * queries and mutations are untouched.
 */
import { ApolloServer } from '@apollo/server';
import { describe, expect, it } from 'vitest';
import { refuseSubscriptionsPlugin } from './index.js';

describe('refuseSubscriptionsPlugin', () => {
  it('refuses a subscription with 400 and a code, and lets queries and mutations run', async () => {
    let subscribed = 0;
    const apollo = new ApolloServer({
      typeDefs: 'type Query { a: Int } type Mutation { b: Int } type Subscription { c: Int }',
      resolvers: { Query: { a: () => 1 }, Mutation: { b: () => 2 }, Subscription: { c: { subscribe: () => void subscribed++ } } },
      plugins: [refuseSubscriptionsPlugin()],
    });
    await apollo.start();
    try {
      const run = async (query: string): Promise<unknown> => {
        const { http, body } = await apollo.executeOperation({ query });
        return { status: http.status, body: body.kind === 'single' ? body.singleResult : undefined };
      };
      expect(await run('subscription { c }')).toEqual({
        status: 400,
        body: { errors: [{ message: 'This gateway does not serve subscriptions; send queries and mutations.', extensions: { code: 'SUBSCRIPTIONS_NOT_SUPPORTED' } }] },
      });
      expect(subscribed).toBe(0);
      expect(await run('{ a }')).toEqual({ status: undefined, body: { data: { a: 1 } } });
      expect(await run('mutation { b }')).toEqual({ status: undefined, body: { data: { b: 2 } } });
    } finally {
      await apollo.stop();
    }
  });
});
