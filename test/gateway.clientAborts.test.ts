/**
 * Clients that hang up early are not server errors: a gateway process (over the real
 * supergraph, with a stand-in ERP subgraph that answers only when told) gets a client
 * that sends half its body and one that leaves before the answer. Each is one info line
 * without a stack and one count in gateway_client_aborts_total; no line at error level.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestAuth } from './helpers/auth.js';
import { abortedPost } from './helpers/rawHttp.js';
import { spawnService, type SpawnedService } from './helpers/spawnService.js';
import { until } from './support.js';

type LogLine = Record<string, unknown> & { level: number; msg: string };

describe('clients that close the connection early', () => {
  const held: ServerResponse[] = [];
  let erp: Server;
  let gateway: SpawnedService;

  const lines = (): LogLine[] =>
    gateway
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogLine);

  beforeAll(async () => {
    erp = createServer((req, res) => {
      req.resume();
      held.push(res);
    });
    await new Promise<void>((resolve) => erp.listen(0, '127.0.0.1', resolve));
    gateway = await spawnService({
      entry: 'gateway/src/index.ts',
      env: {
        GATEWAY_PORT: '0',
        LOG_LEVEL: 'info',
        REDIS_URL: '',
        RESPONSE_CACHE: 'off',
        ENTITY_CACHE: 'off',
        ...createTestAuth().gatewayEnv,
        ERP_SUBGRAPH_URL: `http://127.0.0.1:${(erp.address() as AddressInfo).port}/graphql`,
      },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    erp?.closeAllConnections();
    await new Promise((resolve) => erp?.close(resolve));
  });

  const aborts = async (stage: string): Promise<number> => {
    const text = await (await fetch(new URL('/metrics', gateway.url))).text();
    return Number(new RegExp(`^gateway_client_aborts_total\\{stage="${stage}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  };

  /** A normal request and its operation line: whatever an aborted request still had to log is logged by then. */
  const settled = async (): Promise<void> => {
    const requestId = `settle-${crypto.randomUUID()}`;
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': requestId },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(response.status).toBe(200);
    await response.text();
    await until('the settling request', () => lines().find((l) => l.requestId === requestId && l.msg === 'graphql operation'));
  };

  it('half a body, then the socket destroyed: one info line without a stack, counted, no error line', async () => {
    const body = JSON.stringify({ query: '{ __typename }', variables: { padding: 'x'.repeat(2000) } });
    await abortedPost(gateway.url, body, body.length / 2, { 'x-request-id': 'aborted-mid-body' });
    const line = await until('the abort line', () => lines().find((l) => l.requestId === 'aborted-mid-body'));
    await settled();
    expect(line).toEqual({
      level: 30,
      time: expect.any(Number),
      pid: expect.any(Number),
      hostname: expect.any(String),
      name: 'gateway',
      requestId: 'aborted-mid-body',
      stage: 'request',
      method: 'POST',
      msg: 'client closed the connection before its request was complete',
    });
    expect(lines().filter((l) => l.requestId === 'aborted-mid-body')).toHaveLength(1);
    expect(lines().filter((l) => l.level >= 50)).toEqual([]);
    expect(await aborts('request')).toBe(1);
    expect(await aborts('response')).toBe(0);
  });

  it('a whole request, then the socket destroyed before the answer: one info line at stage response, no error line', async () => {
    const body = JSON.stringify({ query: 'query AbortProduct { product(id: "1") { id name } }' });
    await abortedPost(gateway.url, body, body.length, { 'x-request-id': 'aborted-before-answer' }, () =>
      until('the subgraph fetch', () => (held.length > 0 ? true : undefined)),
    );
    const line = await until('the abort line', () => lines().find((l) => l.requestId === 'aborted-before-answer'));
    held
      .shift()!
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ data: { product: { id: '1', name: 'Widget' } } }));
    await until('the operation line', () => lines().find((l) => l.requestId === 'aborted-before-answer' && l.msg === 'graphql operation'));
    await settled();
    expect(line).toMatchObject({ level: 30, stage: 'response', method: 'POST', msg: 'client closed the connection before the response was sent' });
    expect(lines().filter((l) => l.level >= 50)).toEqual([]);
    expect(await aborts('response')).toBe(1);
    expect(await aborts('request')).toBe(1);
  });
});
