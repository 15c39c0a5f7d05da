/**
 * Reporting changed entities: a mutation's markChanged reaches the response's
 * extensions (once per entity, only for the operation that called it), and
 * forwardInvalidation retries a gateway that failed but not one that refused.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { afterEach, describe, expect, it } from 'vitest';
import { changedEntitiesPlugin, forwardInvalidation, markChanged } from './invalidation.js';

describe('markChanged and changedEntitiesPlugin', () => {
  it('puts the entities an operation changed in its extensions, each once', async () => {
    const server = new ApolloServer({
      typeDefs: 'type Query { ok: Boolean } type Mutation { pay(id: ID!): Boolean }',
      resolvers: {
        Mutation: {
          pay: (_: unknown, { id }: { id: string }, context: object) => {
            markChanged(context, [
              { __typename: 'Invoice', id },
              { __typename: 'Customer', id: 'c1' },
            ]);
            markChanged(context, [{ __typename: 'Invoice', id }]);
            return true;
          },
        },
      },
      plugins: [changedEntitiesPlugin()],
    });
    await server.start();
    try {
      const paid = await server.executeOperation({ query: 'mutation { pay(id: "7") }' });
      const read = await server.executeOperation({ query: '{ ok }' });
      const extensions = (response: typeof paid) => (response.body.kind === 'single' ? response.body.singleResult.extensions : 'incremental');
      expect(extensions(paid)).toEqual({
        invalidatedEntities: [
          { __typename: 'Invoice', id: '7' },
          { __typename: 'Customer', id: 'c1' },
        ],
      });
      expect(extensions(read)).toBeUndefined();
    } finally {
      await server.stop();
    }
  });
});

describe('forwardInvalidation', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  /** A gateway stand-in answering with the given statuses in turn; records what it got. */
  async function gateway(statuses: number[]) {
    const received: Array<{ authorization: string | undefined; body: unknown }> = [];
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push({ authorization: req.headers.authorization, body: JSON.parse(body) });
        res.writeHead(statuses[Math.min(received.length - 1, statuses.length - 1)]!).end('{}');
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
  }

  it('posts the entities with the secret, retrying a gateway that failed', async () => {
    const { url, received } = await gateway([503, 200]);
    await forwardInvalidation([{ __typename: 'Payment', id: 'pi_1' }], { gatewayUrl: url, secret: 's3cret', backoffMs: 1 });
    expect(received).toEqual([
      { authorization: 'Bearer s3cret', body: { entities: [{ __typename: 'Payment', id: 'pi_1' }] } },
      { authorization: 'Bearer s3cret', body: { entities: [{ __typename: 'Payment', id: 'pi_1' }] } },
    ]);
  });

  it('throws at once when the gateway refuses the secret, and after the last attempt when it keeps failing', async () => {
    const refused = await gateway([401]);
    await expect(forwardInvalidation([{ __typename: 'Invoice', id: '1' }], { gatewayUrl: refused.url, secret: 'wrong', backoffMs: 1 })).rejects.toThrow(
      /Invoice:1: 401/,
    );
    expect(refused.received).toHaveLength(1);
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    const failing = await gateway([500]);
    await expect(
      forwardInvalidation([{ __typename: 'Invoice', id: '1' }], { gatewayUrl: failing.url, secret: 's', attempts: 3, backoffMs: 1 }),
    ).rejects.toThrow(/500/);
    expect(failing.received).toHaveLength(3);
  });
});
