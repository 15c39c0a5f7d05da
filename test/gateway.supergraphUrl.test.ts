/**
 * The real gateway with its supergraph from a URL (SUPERGRAPH_URL), served by an
 * in-process server with ETags, polled every second: it starts from the URL; 304s change
 * nothing; a compatible change (the Contact description) is served after one poll, with
 * the new revision in /health and /metrics; a 500, a timeout and an invalid supergraph
 * keep the last good one served (queries answered) and are reported in /health, in
 * /metrics and in the log (the invalid one once); the Authorization header goes with
 * every fetch. Start-up fails in one line when the first fetch fails, and the URL and
 * an explicit SUPERGRAPH_PATH are refused together.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestAuth } from './helpers/auth.js';
import { REPO_ROOT, spawnService } from './helpers/spawnService.js';
import { graphql, startStack, type Stack } from './helpers/startStack.js';
import { startSupergraphServer, type SupergraphServer } from './helpers/supergraphServer.js';
import { revisionOf } from '../gateway/src/supergraph/SupergraphManager.js';

const ORIGINAL = readFileSync(join(REPO_ROOT, 'schema/supergraph.graphql'), 'utf8');
const described = (description: string): string => ORIGINAL.replace('"""A person at a customer."""', `"""${description}"""`);
const CDN_KEY = 'cdn-access-key-for-the-supergraph-0123';
const QUERY = /* GraphQL */ `
  query Served {
    contact: __type(name: "Contact") { description }
    customers(first: 2) { nodes { id name outstandingBalance { amount currency } } }
  }
`;

interface Served {
  contact: { description: string };
  customers: { nodes: Array<{ id: string; name: string; outstandingBalance: { amount: number } | null }> };
}
interface Health {
  status: string;
  supergraph: { source: string; revision: string; loadedAt: string; lastCheckAt: string; lastError: { reason: string; message: string } | null };
}

async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the supergraph from a URL', () => {
  let server: SupergraphServer;
  let stack: Stack;
  let base: string;
  const health = async (): Promise<Health> => (await (await fetch(`${base}/health`)).json()) as Health;
  const metrics = async (): Promise<string> => (await fetch(`${base}/metrics`)).text();
  const served = async (): Promise<string> => {
    const result = await graphql<Served>(stack.gatewayUrl, QUERY, {}, stack.authHeaders);
    expect(result.errors).toBeUndefined();
    expect(result.data!.customers.nodes).toHaveLength(2);
    expect(result.data!.customers.nodes.every((n) => n.outstandingBalance !== null)).toBe(true);
    return result.data!.contact.description;
  };
  const logLines = (): Array<{ msg: string; [key: string]: unknown }> =>
    stack.services
      .gateway!.output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg: string });

  beforeAll(async () => {
    server = await startSupergraphServer(ORIGINAL, '"rev-0"');
    stack = await startStack({
      gatewayEnv: {
        SUPERGRAPH_URL: server.url,
        SUPERGRAPH_POLL_INTERVAL_MS: '1000',
        SUPERGRAPH_FETCH_TIMEOUT_MS: '500',
        SUPERGRAPH_URL_AUTHORIZATION: CDN_KEY,
        RESPONSE_CACHE: 'off',
        LOG_LEVEL: 'info',
      },
    });
    base = new URL(stack.gatewayUrl).origin;
  });
  afterAll(async () => {
    await stack?.stop();
    await server?.close();
  });

  it('starts from the URL, applies a change after one poll, and keeps the last good supergraph through a 500, a timeout and an invalid one', async () => {
    // Started from the URL.
    expect(await served()).toBe('A person at a customer.');
    const first = await health();
    expect(first).toMatchObject({ status: 'ok', supergraph: { source: 'url', revision: revisionOf(ORIGINAL), lastError: null } });
    expect(await metrics()).toContain(`gateway_supergraph_info{revision="${revisionOf(ORIGINAL)}",source="url"} 1`);

    // Unchanged: the polls ask with the ETag and get 304s; nothing is reloaded.
    await server.nextRequests(2);
    expect(server.requests[0]).toEqual({ ifNoneMatch: undefined, authorization: CDN_KEY, status: 200 });
    expect(server.requests.slice(1)).toEqual(server.requests.slice(1).map(() => ({ ifNoneMatch: '"rev-0"', authorization: CDN_KEY, status: 304 })));
    expect((await health()).supergraph).toMatchObject({ revision: revisionOf(ORIGINAL), loadedAt: first.supergraph.loadedAt, lastError: null });
    expect(logLines().filter((l) => l.msg === 'supergraph reloaded')).toEqual([]);

    // A compatible change: served after one poll, its revision in /health and /metrics.
    const revision1 = described('A person at a customer (from the CDN, revision 1).');
    const requestsBefore = server.requests.length;
    server.serve(revision1, '"rev-1"');
    await until(health, (h) => h.supergraph.revision === revisionOf(revision1), 'revision 1 in /health');
    expect(server.requests.length - requestsBefore).toBeLessThanOrEqual(2); // the poll that found it (and at most one more since)
    expect(await served()).toBe('A person at a customer (from the CDN, revision 1).');
    let text = await metrics();
    expect(text).toContain(`gateway_supergraph_info{revision="${revisionOf(revision1)}",source="url"} 1`);
    expect(text).not.toContain(`revision="${revisionOf(ORIGINAL)}"`);

    // A 500: logged, reported, counted; revision 1 still served.
    server.mode = 'fail';
    let h = await until(health, (x) => x.supergraph.lastError !== null, 'the 500 in /health');
    expect(h.supergraph).toMatchObject({
      revision: revisionOf(revision1),
      lastError: { reason: 'fetch', message: `supergraph at ${server.url} could not be fetched: HTTP 500` },
    });
    expect(await served()).toBe('A person at a customer (from the CDN, revision 1).');

    // A timeout (no answer within SUPERGRAPH_FETCH_TIMEOUT_MS): the same.
    server.mode = 'hang';
    h = await until(health, (x) => x.supergraph.lastError?.message.endsWith('no answer within 500 ms') === true, 'the timeout in /health');
    expect(h.supergraph.revision).toBe(revisionOf(revision1));
    expect(await served()).toBe('A person at a customer (from the CDN, revision 1).');
    expect(await metrics()).toMatch(/gateway_supergraph_load_failures_total\{source="url",reason="fetch"\} [2-9]/);

    // Back: a 304, the problem over.
    server.mode = 'ok';
    await until(health, (x) => x.supergraph.lastError === null, 'recovery');

    // An invalid supergraph: logged once with the reason, not applied, not re-reported on the 304s to its ETag.
    server.serve(revision1.slice(0, revision1.length / 2), '"rev-2-broken"');
    h = await until(health, (x) => x.supergraph.lastError?.reason === 'invalid', 'the invalid supergraph in /health');
    expect(h.supergraph.revision).toBe(revisionOf(revision1));
    expect(h.supergraph.lastError!.message).toContain(`supergraph at ${server.url} is not a valid supergraph`);
    const afterInvalid = server.requests.length;
    await server.nextRequests(2);
    expect(server.requests.slice(afterInvalid).map((r) => [r.ifNoneMatch, r.status])).toEqual(
      server.requests.slice(afterInvalid).map(() => ['"rev-2-broken"', 304]),
    );
    expect(await served()).toBe('A person at a customer (from the CDN, revision 1).');
    const invalid = logLines().filter((l) => l.msg === 'supergraph at the URL changed but is invalid; still serving the previous supergraph');
    expect(invalid).toHaveLength(1);
    expect(invalid[0]).toMatchObject({ url: server.url, problem: expect.stringContaining('is not a valid supergraph') });
    text = await metrics();
    expect(text).toContain('gateway_supergraph_load_failures_total{source="url",reason="invalid"} 1');
    expect(text).toContain(`gateway_supergraph_info{revision="${revisionOf(revision1)}",source="url"} 1`);

    // A valid one again.
    const revision3 = described('A person at a customer (from the CDN, revision 3).');
    server.serve(revision3, '"rev-3"');
    await until(health, (x) => x.supergraph.revision === revisionOf(revision3) && x.supergraph.lastError === null, 'revision 3 in /health');
    expect(await served()).toBe('A person at a customer (from the CDN, revision 3).');
    expect(logLines().filter((l) => l.msg === 'supergraph reloaded')).toHaveLength(2);
    expect(
      logLines().filter((l) => l.msg === 'supergraph fetch failed; still serving the previous supergraph, trying again at the next poll').length,
    ).toBeGreaterThanOrEqual(2);

    // The key went with every fetch and into no log line.
    expect(server.requests.every((r) => r.authorization === CDN_KEY)).toBe(true);
    expect(stack.services.gateway!.output()).not.toContain(CDN_KEY);
  });
});

describe('starting from a URL', () => {
  it('fails in one line when the first fetch fails, and refuses SUPERGRAPH_URL with an explicit SUPERGRAPH_PATH', async () => {
    const auth = createTestAuth();
    const server = await startSupergraphServer(ORIGINAL, '"rev-0"');
    server.mode = 'fail';
    const start = (env: Record<string, string>) =>
      spawnService({ entry: 'gateway/src/index.ts', env: { GATEWAY_PORT: '0', REDIS_URL: '', ...auth.gatewayEnv, ...env }, timeoutMs: 60_000 });
    try {
      await expect(start({ SUPERGRAPH_URL: server.url })).rejects.toThrow(`[gateway] cannot start: supergraph at ${server.url} could not be fetched: HTTP 500`);
      server.mode = 'ok';
      server.serve('type Query { hello: String }', '"not-a-supergraph"');
      await expect(start({ SUPERGRAPH_URL: server.url })).rejects.toThrow(`[gateway] cannot start: supergraph at ${server.url} is not a valid supergraph: `);
      await expect(start({ SUPERGRAPH_URL: server.url, SUPERGRAPH_PATH: join(REPO_ROOT, 'schema/supergraph.graphql') })).rejects.toThrow(
        '[gateway] cannot start: SUPERGRAPH_URL: and SUPERGRAPH_PATH are both set',
      );
    } finally {
      await server.close();
    }
  });
});
