/**
 * Rotating GATEWAY_SUBGRAPH_SECRET without downtime: while GATEWAY_SUBGRAPH_SECRET_PREVIOUS
 * is set, a subgraph accepts tokens signed with either secret, so gateways still signing
 * with the old one keep being answered; once it is removed (the subgraph restarted without
 * it), only the current secret is accepted.
 */
import { parse } from 'graphql';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/env.js';
import { gatewayKeys, readGatewaySecret, readPreviousGatewaySecret, signGatewayToken, verifyGatewayToken, type SubgraphAuth } from './auth.js';
import { createSubgraphServer, type SubgraphServer } from './createSubgraphServer.js';

const OLD = 'rotation-test-old-secret-0123456789abcdef';
const NEW = 'rotation-test-new-secret-0123456789abcdef';

const typeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
  type Query { whoami: String }
`);

const servers: SubgraphServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** A subgraph started from these variables, as each subgraph's config reads them. */
async function subgraphWith(env: Record<string, string | undefined>): Promise<string> {
  const server = await createSubgraphServer<{ auth: SubgraphAuth }>({
    name: 'kit-rotation',
    typeDefs,
    resolvers: { Query: { whoami: (_: unknown, __: unknown, context: { auth: SubgraphAuth }) => context.auth.subject } } as never,
    context: async (_req, auth) => ({ auth }),
    logger: pino({ level: 'silent' }),
    gatewaySecret: readGatewaySecret(env),
    gatewaySecretPrevious: readPreviousGatewaySecret(env),
  });
  servers.push(server);
  return server.listen(0, '127.0.0.1');
}

async function statusWith(url: string, secret: string): Promise<number> {
  const token = await signGatewayToken(secret, { sub: 'gateway-caller' });
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-graph360-gateway': token },
    body: JSON.stringify({ query: '{ whoami }' }),
  });
  if (response.status === 200) expect(await response.json()).toEqual({ data: { whoami: 'gateway-caller' } });
  return response.status;
}

describe('gateway secret rotation', () => {
  it('accepts the current and the previous secret while GATEWAY_SUBGRAPH_SECRET_PREVIOUS is set, and only the current once it is removed', async () => {
    const during = await subgraphWith({ GATEWAY_SUBGRAPH_SECRET: NEW, GATEWAY_SUBGRAPH_SECRET_PREVIOUS: OLD });
    expect(await statusWith(during, NEW)).toBe(200);
    expect(await statusWith(during, OLD)).toBe(200);
    expect(await statusWith(during, 'some-other-secret-0123456789abcdefghij')).toBe(401);

    const after = await subgraphWith({ GATEWAY_SUBGRAPH_SECRET: NEW });
    expect(await statusWith(after, NEW)).toBe(200);
    expect(await statusWith(after, OLD)).toBe(401);
  });

  it('verifyGatewayToken tries each key: the current first, then the previous', async () => {
    const oldToken = await signGatewayToken(OLD, { sub: 'a', scopes: ['x'] });
    expect(await verifyGatewayToken(gatewayKeys(NEW, OLD), oldToken)).toEqual({ authenticated: true, subject: 'a', scopes: ['x'] });
    expect(await verifyGatewayToken(gatewayKeys(NEW), oldToken)).toBeUndefined();
    expect(await verifyGatewayToken(new TextEncoder().encode(OLD), oldToken)).toMatchObject({ subject: 'a' });
  });

  it('reads GATEWAY_SUBGRAPH_SECRET_PREVIOUS as optional, and refuses a short one', () => {
    expect(readPreviousGatewaySecret({})).toBeUndefined();
    expect(readPreviousGatewaySecret({ GATEWAY_SUBGRAPH_SECRET_PREVIOUS: '' })).toBeUndefined();
    expect(readPreviousGatewaySecret({ GATEWAY_SUBGRAPH_SECRET_PREVIOUS: OLD })).toBe(OLD);
    expect(() => readPreviousGatewaySecret({ GATEWAY_SUBGRAPH_SECRET_PREVIOUS: 'short' })).toThrow(ConfigError);
  });
});
