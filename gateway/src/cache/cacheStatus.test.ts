/**
 * Who sees `extensions.cacheStatus`, against gateways in this process over the real
 * supergraph (`{ __typename }` needs no subgraph): everyone in development; in production
 * nobody, unless EXPOSE_CACHE_STATUS=on or the caller has the gateway:debug scope and asks
 * with `x-graph360-debug: cache-status`. The `x-cache` header is there in every case.
 */
import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { DEBUG_SCOPE } from '../auth/identity.js';
import { readGatewayConfig } from '../config.js';
import { createGateway, type Gateway } from '../createGateway.js';

const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const BASE_ENV = {
  REDIS_URL: '',
  LOG_LEVEL: 'silent',
  AUTH_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  GATEWAY_SUBGRAPH_SECRET: 'cache-status-test-secret-0123456789abcdef',
};
const PRODUCTION = { NODE_ENV: 'production', GATEWAY_INVALIDATION_SECRET: 'a-production-invalidation-secret' };

const token = (scope: string): Promise<string> =>
  new SignJWT({ scope })
    .setProtectedHeader({ alg: 'ES256' })
    .setSubject('debugger')
    .setIssuer('graph360-dev')
    .setAudience('graph360')
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(privateKey);

const started: Gateway[] = [];
afterAll(() => Promise.all(started.map((g) => g.close())));

async function gatewayIn(env: Record<string, string>): Promise<string> {
  const gateway = await createGateway(readGatewayConfig({ ...BASE_ENV, ...env }), pino({ level: 'silent' }));
  started.push(gateway);
  return gateway.listen(0);
}

/** The x-cache header and whether the answer carries extensions.cacheStatus. */
async function ask(url: string, headers: Record<string, string> = {}): Promise<{ xCache: string | null; cacheStatus: boolean }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: '{ __typename }' }),
  });
  const body = (await response.json()) as { data?: unknown; extensions?: { cacheStatus?: unknown } };
  expect([response.status, body.data]).toEqual([200, { __typename: 'Query' }]);
  return { xCache: response.headers.get('x-cache'), cacheStatus: body.extensions?.cacheStatus !== undefined };
}

describe('extensions.cacheStatus', () => {
  it('defaults to on in development and off in production (EXPOSE_CACHE_STATUS)', () => {
    expect(readGatewayConfig(BASE_ENV).exposeCacheStatus).toBe(true);
    expect(readGatewayConfig({ ...BASE_ENV, ...PRODUCTION }).exposeCacheStatus).toBe(false);
    expect(readGatewayConfig({ ...BASE_ENV, ...PRODUCTION, EXPOSE_CACHE_STATUS: 'on' }).exposeCacheStatus).toBe(true);
    expect(() => readGatewayConfig({ ...BASE_ENV, EXPOSE_CACHE_STATUS: 'sometimes' })).toThrow('EXPOSE_CACHE_STATUS: must be on or off, got "sometimes"');
  });

  it('is in every development response', async () => {
    expect(await ask(await gatewayIn({}))).toEqual({ xCache: 'MISS', cacheStatus: true });
  });

  it('in production: only for a gateway:debug caller who asks, or with EXPOSE_CACHE_STATUS=on; x-cache always', async () => {
    const url = await gatewayIn(PRODUCTION);
    const debug = `Bearer ${await token(`invoices:read ${DEBUG_SCOPE}`)}`;
    const plain = `Bearer ${await token('invoices:read payments:read')}`;
    const cases: Array<[string, Record<string, string>, boolean]> = [
      ['anonymous', {}, false],
      ['anonymous, asking', { 'x-graph360-debug': 'cache-status' }, false],
      ['without the scope, asking', { authorization: plain, 'x-graph360-debug': 'cache-status' }, false],
      ['with the scope, not asking', { authorization: debug }, false],
      ['with the scope, asking for something else', { authorization: debug, 'x-graph360-debug': 'query-plan' }, false],
      ['with the scope, asking', { authorization: debug, 'x-graph360-debug': 'query-plan, Cache-Status' }, true],
    ];
    for (const [who, headers, shown] of cases) expect(await ask(url, headers), who).toEqual({ xCache: 'MISS', cacheStatus: shown });
    expect(await ask(await gatewayIn({ ...PRODUCTION, EXPOSE_CACHE_STATUS: 'on' }))).toEqual({ xCache: 'MISS', cacheStatus: true });
  });
});
