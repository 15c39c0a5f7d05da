/**
 * Rotating GATEWAY_INVALIDATION_SECRET without downtime: POST /internal/invalidate accepts
 * the current secret always, and the previous one while GATEWAY_INVALIDATION_SECRET_PREVIOUS
 * is set, so subgraphs still sending the old one are heard until they have the new one.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { readBody } from '../../../lib/readBody.js';
import { ConfigError } from '../../../lib/env.js';
import { readGatewayConfig } from '../config.js';
import type { EntityVersions } from './EntityVersions.js';
import { invalidateRoute, INVALIDATE_PATH } from './invalidateRoute.js';

const OLD = 'old-invalidation-secret-0123';
const NEW = 'new-invalidation-secret-4567';
const BASE_ENV = { GATEWAY_SUBGRAPH_SECRET: 'x'.repeat(32), AUTH_PUBLIC_KEY: 'a key' };

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A gateway's invalidation route, configured from these variables as the gateway reads them. */
async function routeWith(env: Record<string, string>): Promise<{ url: string; invalidated: string[] }> {
  const config = readGatewayConfig({ ...BASE_ENV, ...env });
  const invalidated: string[] = [];
  const versions = {
    invalidate: async (refs: Array<{ __typename: string; id: string }>) => (invalidated.push(...refs.map((r) => `${r.__typename}:${r.id}`)), true),
  } as unknown as EntityVersions;
  const handle = invalidateRoute({
    secret: config.invalidationSecret,
    previousSecret: config.invalidationSecretPrevious,
    versions,
    logger: pino({ level: 'silent' }),
  });
  const server = createServer((req, res) => {
    readBody(req, 1 << 20).then(
      (body) => handle(req, body, res),
      () => res.writeHead(400).end(),
    );
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${INVALIDATE_PATH}`, invalidated };
}

async function send(url: string, secret: string): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
    body: JSON.stringify({ entities: [{ __typename: 'Invoice', id: '7' }] }),
  });
  await response.arrayBuffer();
  return response.status;
}

describe('invalidation secret rotation', () => {
  it('accepts the current and the previous secret while GATEWAY_INVALIDATION_SECRET_PREVIOUS is set, and only the current once it is removed', async () => {
    const during = await routeWith({ GATEWAY_INVALIDATION_SECRET: NEW, GATEWAY_INVALIDATION_SECRET_PREVIOUS: OLD });
    expect(await send(during.url, NEW)).toBe(200);
    expect(await send(during.url, OLD)).toBe(200);
    expect(await send(during.url, 'neither-of-the-two-secrets')).toBe(401);
    expect(during.invalidated).toEqual(['Invoice:7', 'Invoice:7']);

    const after = await routeWith({ GATEWAY_INVALIDATION_SECRET: NEW });
    expect(await send(after.url, NEW)).toBe(200);
    expect(await send(after.url, OLD)).toBe(401);
    expect(after.invalidated).toEqual(['Invoice:7']);
  });

  it('reads GATEWAY_INVALIDATION_SECRET_PREVIOUS as optional, and refuses a short one', () => {
    expect(readGatewayConfig(BASE_ENV).invalidationSecretPrevious).toBeUndefined();
    expect(readGatewayConfig({ ...BASE_ENV, GATEWAY_INVALIDATION_SECRET_PREVIOUS: OLD }).invalidationSecretPrevious).toBe(OLD);
    expect(() => readGatewayConfig({ ...BASE_ENV, GATEWAY_INVALIDATION_SECRET_PREVIOUS: 'short' })).toThrow(ConfigError);
  });
});
