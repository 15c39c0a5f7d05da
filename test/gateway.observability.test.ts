/**
 * Running the gateway in production, over the whole stack on loopback: request ids on
 * every log line of a request and on to the subgraphs, one log line and metrics per
 * operation, unexpected errors masked with an id that is in the log, a subgraph that is
 * down costing only its fields, HTTP batching, CORS, CSRF prevention, the body limit,
 * and /health and /ready.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, spawnService, type SpawnedService } from './helpers/spawnService.js';
import { graphql, startStack, type Stack } from './helpers/startStack.js';
import { revisionOf } from '../gateway/src/supergraph/SupergraphManager.js';
import { until } from './support.js';

/** The revision /health and /metrics report for the committed supergraph file. */
const SUPERGRAPH_REVISION = revisionOf(readFileSync(join(REPO_ROOT, 'schema/supergraph.graphql'), 'utf8'));

const ALLOWED_ORIGIN = 'http://app.example.test';
const OTHER_ORIGIN = 'http://evil.example.test';
const MAX_BODY_BYTES = 4096;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const CUSTOMERS = /* GraphQL */ `
  query ObsCustomers($first: Int!) {
    customers(first: $first) { nodes { id name outstandingBalance { amount currency } } }
  }
`;

type LogLine = Record<string, unknown> & { msg: string };

/** The JSON lines a service wrote (its other lines, such as "listening on", are skipped). */
function logLines(service: SpawnedService): LogLine[] {
  return service
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
}

describe('the gateway in production', () => {
  let stack: Stack;
  let base: string;
  const gatewayUrl = (): string => stack.gatewayUrl;

  beforeAll(async () => {
    stack = await startStack({
      env: { LOG_LEVEL: 'info', CORS_ORIGINS: ALLOWED_ORIGIN, MAX_BODY_BYTES: String(MAX_BODY_BYTES) },
      // These tests stop a subgraph and expect the gateway to notice: no cache may answer for it.
      gatewayEnv: { ENTITY_CACHE: 'off', RESPONSE_CACHE: 'off' },
    });
    base = new URL(stack.gatewayUrl).origin;
  });
  afterAll(async () => {
    await stack?.stop();
  });

  describe('request ids and logs', () => {
    it('echoes a sane client id, replaces an insane one, and makes one when there is none', async () => {
      const post = (headers: Record<string, string>) =>
        fetch(gatewayUrl(), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query: '{ __typename }' }) });
      expect((await post({ 'x-request-id': 'client-id_1.2:3' })).headers.get('x-request-id')).toBe('client-id_1.2:3');
      expect((await post({ 'x-request-id': 'two words\tand a tab' })).headers.get('x-request-id')).toMatch(UUID);
      expect((await post({ 'x-request-id': 'x'.repeat(129) })).headers.get('x-request-id')).toMatch(UUID);
      const made = (await post({})).headers.get('x-request-id');
      expect(made).toMatch(UUID);
      // Non-GraphQL answers carry it too.
      expect((await fetch(`${base}/health`)).headers.get('x-request-id')).toMatch(UUID);
    });

    it('writes one line per operation, with the request id, name, outcome and error codes', async () => {
      const requestId = `obs-${crypto.randomUUID()}`;
      const ok = await graphql(gatewayUrl(), CUSTOMERS, { first: 2 }, { 'x-request-id': requestId, ...stack.authHeaders });
      expect(ok.errors).toBeUndefined();
      const bad = await graphql(gatewayUrl(), 'query ObsBad { customers(first: 1) { nope } }', {}, { 'x-request-id': requestId });
      expect(bad.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');

      const lines = await until('the two operation lines', () => {
        const mine = logLines(stack.services.gateway!).filter((l) => l.requestId === requestId);
        return mine.length >= 2 ? mine : undefined;
      });
      expect(lines.map((l) => [l.msg, l.operation, l.outcome, l.errorCodes, l.status])).toEqual([
        ['graphql operation', 'ObsCustomers', 'ok', [], 200],
        ['graphql operation', 'ObsBad', 'error', ['GRAPHQL_VALIDATION_FAILED'], 400],
      ]);
      expect(typeof lines[0]!.durationMs).toBe('number');
      console.log(`operation log lines:\n${lines.map((l) => JSON.stringify(l)).join('\n')}`);
      // Every line about a request carries its id, and no line carries the token.
      const all = logLines(stack.services.gateway!);
      for (const line of all.filter((l) => 'operation' in l || 'errorId' in l)) expect(line.requestId).toEqual(expect.any(String));
      expect(stack.services.gateway!.output()).not.toContain(stack.token);
    });
  });

  it('counts requests and latency per operation at /metrics', async () => {
    for (let i = 0; i < 3; i++)
      expect((await graphql(gatewayUrl(), CUSTOMERS.replace('ObsCustomers', 'MetricsProbe'), { first: 1 }, stack.authHeaders)).errors).toBeUndefined();
    await graphql(gatewayUrl(), 'query MetricsProbeBad { nope }');
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await response.text();
    const excerpt = text
      .split('\n')
      .filter((l) => l.includes('MetricsProbe') && (l.startsWith('graphql_requests_total') || l.includes('_count') || l.includes('le="+Inf"')));
    console.log(`/metrics excerpt:\n${excerpt.join('\n')}`);
    expect(excerpt).toEqual(
      expect.arrayContaining([
        'graphql_requests_total{operation="MetricsProbe",outcome="ok"} 3',
        'graphql_requests_total{operation="MetricsProbeBad",outcome="error"} 1',
        'graphql_request_duration_seconds_bucket{le="+Inf",operation="MetricsProbe"} 3',
        'graphql_request_duration_seconds_count{operation="MetricsProbe"} 3',
      ]),
    );
    expect(text).toContain('# TYPE graphql_request_duration_seconds histogram');
    // The supergraph served: its file's revision, and no failed load.
    expect(text).toContain(`gateway_supergraph_info{revision="${SUPERGRAPH_REVISION}",source="file"} 1`);
    expect(text).not.toMatch(/^gateway_supergraph_load_failures_total\{/m);
  });

  describe('a subgraph that answers badly', () => {
    let broken: Server;
    let gateway: SpawnedService;
    type Mode = 'html500' | 'badJson' | 'leakyError' | 'wrongShape' | 'hang';
    let mode: Mode = 'html500';
    const received: IncomingHttpHeaders[] = [];
    const LEAK = 'Traceback: boom at /srv/erp/app.py line 42';

    beforeAll(async () => {
      // A stand-in for the ERP subgraph that fails the ways broken servers do.
      broken = createServer((req, res) => {
        received.push(req.headers);
        req.resume();
        const json = (body: string) => res.writeHead(200, { 'content-type': 'application/json' }).end(body);
        if (mode === 'html500') res.writeHead(500, { 'content-type': 'text/html' }).end(`<html><body>${LEAK}</body></html>`);
        else if (mode === 'badJson') json('{"data": {"_entities": [');
        else if (mode === 'hang')
          return; // accepted, never answered
        // A subgraph that does not mask its own crashes (ours do; a third party may not).
        else if (mode === 'leakyError')
          json(JSON.stringify({ data: { _entities: null }, errors: [{ message: LEAK, extensions: { code: 'INTERNAL_SERVER_ERROR' } }] }));
        else json(JSON.stringify({ data: { _entities: 'not a list' } }));
      });
      await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
      gateway = await spawnService({
        entry: 'gateway/src/index.ts',
        env: {
          GATEWAY_PORT: '0',
          LOG_LEVEL: 'info',
          REDIS_URL: '',
          ...stack.auth.gatewayEnv,
          CRM_SUBGRAPH_URL: stack.subgraphUrls.crm,
          ERP_SUBGRAPH_URL: `http://127.0.0.1:${(broken.address() as AddressInfo).port}/graphql`,
          PAYMENTS_SUBGRAPH_URL: stack.subgraphUrls.payments,
        },
      });
    });
    afterAll(async () => {
      await gateway?.stop();
      broken?.closeAllConnections();
      await new Promise((resolve) => broken?.close(resolve));
    });

    const query = async (failure: Mode) => {
      mode = failure;
      const requestId = `bad-${failure}-${crypto.randomUUID()}`;
      const result = await graphql<{ customers: { nodes: Array<{ id: string; name: string; outstandingBalance: unknown }> } }>(
        gateway.url,
        CUSTOMERS,
        { first: 2 },
        { 'x-request-id': requestId, ...stack.authHeaders },
      );
      // Partial data with status 200: the CRM's fields are there, the broken ERP's are null.
      expect(result.status).toBe(200);
      expect(result.data!.customers.nodes).toHaveLength(2);
      for (const node of result.data!.customers.nodes)
        expect(node).toMatchObject({ id: expect.any(String), name: expect.any(String), outstandingBalance: null });
      expect(result.errors!.length).toBeGreaterThan(0);
      // Nothing of the subgraph's internals reaches the client, and it got the request id.
      expect(JSON.stringify(result)).not.toMatch(/Traceback|app\.py|<html|stacktrace| {4}at /);
      expect(received.at(-1)!['x-request-id']).toBe(requestId);
      return { errors: result.errors!, requestId };
    };

    it('forwards the request id it answers with, not an insane one the client sent', async () => {
      mode = 'html500';
      const response = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': 'two words', ...stack.authHeaders },
        body: JSON.stringify({ query: CUSTOMERS, variables: { first: 1 } }),
      });
      const id = response.headers.get('x-request-id');
      expect(id).toMatch(UUID);
      expect(received.at(-1)!['x-request-id']).toBe(id);
    });

    it('reports a subgraph that answers its /health with a 500 or not at all as failing (degraded), and stays ready to serve the rest', async () => {
      const ready = async () => {
        const response = await fetch(new URL('/ready', gateway.url));
        return [response.status, await response.json()];
      };
      mode = 'html500';
      expect(await ready()).toEqual([
        200,
        { status: 'degraded', service: 'gateway', failing: ['erp'], subgraphs: { crm: 'ok', erp: 'HTTP 500', payments: 'ok' } },
      ]);
      mode = 'hang';
      expect(await ready()).toEqual([
        200,
        { status: 'degraded', service: 'gateway', failing: ['erp'], subgraphs: { crm: 'ok', erp: 'no answer within 1000 ms', payments: 'ok' } },
      ]);
    });

    for (const failure of ['html500', 'badJson'] as const) {
      it(`turns ${failure === 'html500' ? 'a 500 HTML page' : 'malformed JSON'} into a coded subgraph error with serviceName`, async () => {
        const { errors } = await query(failure);
        for (const error of errors) expect(error.extensions).toMatchObject({ code: 'SUBGRAPH_BAD_RESPONSE', serviceName: 'erp' });
      });
    }

    for (const failure of ['leakyError', 'wrongShape'] as const) {
      it(`masks ${failure === 'leakyError' ? "a subgraph's unmasked crash" : 'an answer the gateway cannot use'}: generic message and errorId for the client, details in the log`, async () => {
        const { errors, requestId } = await query(failure);
        const masked = errors.filter((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR');
        expect(masked.length).toBeGreaterThan(0);
        for (const error of masked) {
          const errorId = error.extensions!.errorId as string;
          expect(errorId).toMatch(UUID);
          expect(error.message).toBe(`Internal server error (errorId ${errorId})`);
          const line = await until('the masked error log line', () => logLines(gateway).find((l) => l.errorId === errorId));
          expect(line).toMatchObject({ level: 50, msg: 'unexpected error masked', requestId, operation: 'ObsCustomers' });
          if (failure === 'leakyError') {
            expect(error.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', errorId, serviceName: 'erp' });
            expect(line.message).toBe(LEAK);
          }
        }
      });
    }
  });

  describe('HTTP', () => {
    it('answers a batch of operations in one POST with an array of results', async () => {
      const response = await fetch(gatewayUrl(), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...stack.authHeaders },
        body: JSON.stringify([
          { query: 'query BatchOne { __typename }' },
          { query: 'query BatchTwo($first: Int!) { customers(first: $first) { nodes { id } } }', variables: { first: 2 } },
        ]),
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as Array<{ data: Record<string, unknown> }>;
      expect(body).toHaveLength(2);
      expect(body[0]!.data).toEqual({ __typename: 'Query' });
      expect((body[1]!.data.customers as { nodes: unknown[] }).nodes).toHaveLength(2);
    });

    it('answers CORS preflights for allowed origins only, and echoes an allowed origin', async () => {
      const preflight = (origin: string) =>
        fetch(gatewayUrl(), {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' },
        });
      const allowed = await preflight(ALLOWED_ORIGIN);
      expect(allowed.status).toBe(204);
      expect(allowed.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
      expect(allowed.headers.get('access-control-allow-methods')).toContain('POST');
      expect(allowed.headers.get('access-control-allow-headers')).toEqual(expect.stringContaining('content-type'));
      expect(allowed.headers.get('access-control-allow-headers')).toEqual(expect.stringContaining('authorization'));
      expect(allowed.headers.get('vary')).toBe('Origin');

      const refused = await preflight(OTHER_ORIGIN);
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
      expect(refused.headers.get('access-control-allow-methods')).toBeNull();

      const post = (origin: string) =>
        fetch(gatewayUrl(), { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
      const fromAllowed = await post(ALLOWED_ORIGIN);
      expect(fromAllowed.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
      expect(fromAllowed.headers.get('access-control-expose-headers')).toContain('x-request-id');
      expect(fromAllowed.headers.get('vary')).toBe('Origin');
      const fromOther = await post(OTHER_ORIGIN);
      expect(fromOther.headers.get('access-control-allow-origin')).toBeNull();
      expect(fromOther.headers.get('access-control-expose-headers')).toBeNull();
    });

    it('refuses simple cross-site requests (CSRF prevention) and serves those that force a preflight', async () => {
      const query = encodeURIComponent('{ __typename }');
      const simpleGet = await fetch(`${gatewayUrl()}?query=${query}`, { headers: { accept: 'application/json' } });
      expect(simpleGet.status).toBe(400);
      expect(await simpleGet.text()).toContain('Cross-Site Request Forgery');
      // A POST that a cross-site form can send (a "simple" content type) is refused as not JSON (lib/http.ts), before Apollo's CSRF check.
      const formPost = await fetch(gatewayUrl(), {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(formPost.status).toBe(415);
      expect(await formPost.json()).toEqual({
        errors: [{ message: 'A POST must have Content-Type application/json, not text/plain.', extensions: { code: 'UNSUPPORTED_MEDIA_TYPE' } }],
      });

      const preflighted = await fetch(`${gatewayUrl()}?query=${query}`, { headers: { accept: 'application/json', 'apollo-require-preflight': 'true' } });
      expect(preflighted.status).toBe(200);
      expect(((await preflighted.json()) as { data: unknown }).data).toEqual({ __typename: 'Query' });
    });

    it('refuses a body over MAX_BODY_BYTES with 413 and a code', async () => {
      const padding = 'x'.repeat(MAX_BODY_BYTES);
      const response = await fetch(gatewayUrl(), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `{ __typename } # ${padding}` }),
      });
      expect(response.status).toBe(413);
      expect(await response.json()).toEqual({
        errors: [{ message: `The request body is larger than ${MAX_BODY_BYTES} bytes.`, extensions: { code: 'PAYLOAD_TOO_LARGE' } }],
      });
      // Just under the limit is served.
      const fits = await graphql(gatewayUrl(), `{ __typename } # ${'x'.repeat(MAX_BODY_BYTES - 100)}`);
      expect(fits.status).toBe(200);
    });
  });

  describe('health, readiness and a subgraph that is down (last: it stops the ERP subgraph)', () => {
    it('is alive and ready while every subgraph answers', async () => {
      const health = await fetch(`${base}/health`);
      expect([health.status, await health.json()]).toEqual([
        200,
        {
          status: 'ok',
          service: 'gateway',
          supergraph: { source: 'file', revision: SUPERGRAPH_REVISION, loadedAt: expect.any(String), lastCheckAt: expect.any(String), lastError: null },
        },
      ]);
      const ready = await fetch(`${base}/ready`);
      expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready', service: 'gateway', subgraphs: { crm: 'ok', erp: 'ok', payments: 'ok' } }]);
    });

    it('with the ERP subgraph stopped: /ready stays 200 but says degraded, naming it (a balancer keeps the replica, which still serves the rest), /health stays 200, queries get partial data with status 200', async () => {
      await stack.services['erp-subgraph']!.stop();

      const ready = await fetch(`${base}/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({
        status: 'degraded',
        service: 'gateway',
        failing: ['erp'],
        subgraphs: { crm: 'ok', erp: 'ECONNREFUSED', payments: 'ok' },
      });
      expect((await fetch(`${base}/health`)).status).toBe(200);

      const result = await graphql<{ customers: { nodes: Array<{ id: string; name: string; outstandingBalance: unknown }> } }>(
        gatewayUrl(),
        CUSTOMERS,
        { first: 3 },
        stack.authHeaders,
      );
      expect(result.status).toBe(200);
      expect(result.data!.customers.nodes).toHaveLength(3);
      for (const node of result.data!.customers.nodes) expect(node).toMatchObject({ name: expect.any(String), outstandingBalance: null });
      expect(result.errors!.length).toBeGreaterThan(0);
      for (const error of result.errors!) {
        expect(error.extensions).toMatchObject({ code: 'SUBGRAPH_UNREACHABLE', serviceName: 'erp' });
        expect(error.extensions).not.toHaveProperty('stacktrace');
      }
      expect(JSON.stringify(result.errors)).not.toMatch(/ {4}at /);
    });
  });
});
