import { parse } from 'graphql';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSubgraphServer, type SubgraphServer } from './createSubgraphServer.js';

const typeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
  type Query { hello: String }
`);

let server: SubgraphServer;
let url: string;

beforeAll(async () => {
  server = await createSubgraphServer({
    name: 'kit-drain',
    typeDefs,
    resolvers: { Query: { hello: () => 'hi' } } as never,
    context: async () => ({}),
    logger: pino({ level: 'silent' }),
    gatewaySecret: 'a-gateway-secret-of-32-characters!!',
  });
  url = await server.listen(0);
});
afterAll(async () => {
  await server?.close();
});

describe('a subgraph draining before it stops', () => {
  it('answers GET /ready 200 until drain(), then 503 while still serving, each answer closing its connection', async () => {
    const ready = (): Promise<Response> => fetch(url.replace('/graphql', '/ready'));
    const before = await ready();
    expect(before.status).toBe(200);
    expect(await before.json()).toEqual({ status: 'ready', service: 'kit-drain' });
    const drained = server.drain(50);
    const during = await ready();
    expect(during.status).toBe(503);
    expect(during.headers.get('connection')).toBe('close');
    expect(await during.json()).toEqual({ status: 'draining', service: 'kit-drain' });
    expect((await fetch(url.replace('/graphql', '/health'))).status).toBe(200);
    await drained;
  });
});
