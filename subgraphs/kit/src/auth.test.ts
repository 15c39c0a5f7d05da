import { parse } from 'graphql';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireCustomer, signGatewayToken, type SubgraphAuth } from './auth.js';
import { createSubgraphServer, type SubgraphServer } from './createSubgraphServer.js';

const SECRET = 'kit-test-gateway-secret-0123456789abcdef';

const typeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@authenticated", "@requiresScopes"])
  type Customer @key(fields: "id") @authenticated {
    id: ID!
    name: String!
    secretNote: String @requiresScopes(scopes: [["notes:read"], ["admin"]])
  }
  type Invoice @key(fields: "id") @requiresScopes(scopes: [["invoices:read"]]) {
    id: ID!
  }
  type Query {
    hello: String
    customer(id: ID!): Customer
    invoice(id: ID!): Invoice
  }
`);

let server: SubgraphServer;
let url: string;
const calls: string[] = [];

beforeAll(async () => {
  server = await createSubgraphServer<{ auth: SubgraphAuth }>({
    name: 'kit-auth',
    typeDefs,
    resolvers: {
      Query: {
        hello: () => 'hi',
        customer: (_: unknown, { id }: { id: string }, context: { auth: SubgraphAuth }) => {
          requireCustomer(context, id);
          calls.push(`customer:${id}`);
          return { id, name: `Customer ${id}`, secretNote: 'note' };
        },
        invoice: (_: unknown, { id }: { id: string }) => {
          calls.push(`invoice:${id}`);
          return { id };
        },
      },
      Invoice: { __resolveReference: (ref: { id: string }) => (calls.push(`ref:${ref.id}`), ref) },
    } as never,
    context: async (_req, auth) => ({ auth }),
    logger: pino({ level: 'silent' }),
    gatewaySecret: SECRET,
  });
  url = await server.listen(0);
});

afterAll(async () => {
  await server?.close();
});

async function post(query: string, token?: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { 'x-graph360-gateway': token } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return {
    status: response.status,
    body: (await response.json()) as { data?: Record<string, unknown> | null; errors?: Array<{ path?: unknown[]; extensions?: { code?: string } }> },
  };
}

describe('subgraphs answer only the gateway', () => {
  it('refuses /graphql without the gateway token, with a forged one, or an expired one (401 UNAUTHENTICATED)', async () => {
    const missing = await post('{ hello }');
    expect(missing.status).toBe(401);
    expect(missing.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const forged = await post('{ hello }', await signGatewayToken('another-secret-of-enough-length-000000', { sub: 'x', scopes: ['admin'] }));
    expect(forged.status).toBe(401);
    const garbage = await post('{ hello }', 'not.a.jwt');
    expect(garbage.status).toBe(401);
    // The next good request is served.
    const ok = await post('{ hello }', await signGatewayToken(SECRET));
    expect(ok.status).toBe(200);
    expect(ok.body.data).toEqual({ hello: 'hi' });
  });

  it('leaves /health open', async () => {
    expect((await fetch(url.replace('/graphql', '/health'))).status).toBe(200);
  });
});

describe('authorization again in the subgraph', () => {
  it('refuses @authenticated fields to an anonymous caller and scoped fields without the scope, before the resolver runs', async () => {
    calls.length = 0;
    const anonymous = await post('{ hello customer(id: "1") { id } }', await signGatewayToken(SECRET));
    expect(anonymous.body.data).toEqual({ hello: 'hi', customer: null });
    expect(anonymous.body.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[['customer'], 'UNAUTHENTICATED']]);
    expect(calls).toEqual([]);

    const noScope = await post('{ customer(id: "1") { name secretNote } invoice(id: "9") { id } }', await signGatewayToken(SECRET, { sub: 'u', scopes: [] }));
    expect(noScope.body.data).toEqual({ customer: { name: 'Customer 1', secretNote: null }, invoice: null });
    expect(noScope.body.errors?.map((e) => [e.path, e.extensions?.code]).sort()).toEqual([
      [['customer', 'secretNote'], 'FORBIDDEN'],
      [['invoice'], 'FORBIDDEN'],
    ]);
    expect(calls).toEqual(['customer:1']);

    // Either alternative of @requiresScopes will do.
    const admin = await post('{ customer(id: "1") { secretNote } }', await signGatewayToken(SECRET, { sub: 'u', scopes: ['admin'] }));
    expect(admin.body).toEqual({ data: { customer: { secretNote: 'note' } } });
  });

  it('checks a protected entity type in _entities, even without a __resolveReference of the resolvers', async () => {
    calls.length = 0;
    const query = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Invoice { id } } }';
    const refused = await post(query, await signGatewayToken(SECRET, { sub: 'u', scopes: [] }), { r: [{ __typename: 'Invoice', id: '9' }] });
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(calls).toEqual([]);
    const allowed = await post(query, await signGatewayToken(SECRET, { sub: 'u', scopes: ['invoices:read'] }), { r: [{ __typename: 'Invoice', id: '9' }] });
    expect(allowed.body).toEqual({ data: { _entities: [{ id: '9' }] } });
  });

  it('gives a customer-bound caller its own customer and FORBIDDEN for another', async () => {
    const token = await signGatewayToken(SECRET, { sub: 'u', scopes: [], customerId: '1' });
    expect((await post('{ customer(id: "1") { id } }', token)).body).toEqual({ data: { customer: { id: '1' } } });
    const other = await post('{ customer(id: "2") { id } }', token);
    expect(other.body.data).toEqual({ customer: null });
    expect(other.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
