/**
 * The URL supergraph manager without a gateway, against an in-process server with ETags:
 * start-up refuses a URL that fails or serves an invalid supergraph (one line naming the
 * URL and the problem); once initialised it polls with If-None-Match and the
 * Authorization header, does nothing on 304, hands a change to `update`, keeps the last
 * good supergraph on a 500, a timeout and an invalid SDL (reported in its status and
 * counted, the invalid one once), and stops polling on cleanup.
 */
import { readFileSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startSupergraphServer, type SupergraphServer } from '../../../test/helpers/supergraphServer.js';
import { splitSupergraph } from '../auth/policy.js';
import { createGatewayLogger } from '../observability/logger.js';
import { revisionOf, SupergraphError, type SupergraphFailure } from './SupergraphManager.js';
import { readSupergraphUrlConfig } from './config.js';
import { UrlSupergraphManager } from './UrlSupergraphManager.js';
import { until } from '../../../test/support.js';

const ORIGINAL = readFileSync(fileURLToPath(new URL('../../../schema/supergraph.graphql', import.meta.url)), 'utf8');
const CONTACT_DESCRIPTION = '"""A person at a customer."""';
const revision = (n: number): string => ORIGINAL.replace(CONTACT_DESCRIPTION, `"""A person at a customer (revision ${n})."""`);
const executable = (sdl: string): string => splitSupergraph(sdl).executableSdl;
const AUTHORIZATION = 'cdn-access-key-0123456789';

describe('UrlSupergraphManager', () => {
  let server: SupergraphServer | undefined;
  let lines: Array<Record<string, unknown>> = [];
  const logger = () =>
    createGatewayLogger({ level: 'debug', destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    lines = [];
  });

  it('refuses to start from a URL that fails or serves an invalid supergraph, in one line naming the URL and the problem', async () => {
    server = await startSupergraphServer('type Query { hello: String }', '"v1"');
    const load = (url = server!.url, timeoutMs = 300) => UrlSupergraphManager.load({ url, logger: logger(), pollIntervalMs: 1000, timeoutMs });
    const where = `supergraph at ${server.url}`;
    const invalid = (await load().then(
      () => undefined,
      (error: unknown) => error,
    )) as Error;
    expect(invalid).toBeInstanceOf(SupergraphError);
    expect(invalid.message).toMatch(new RegExp(`^${where} is not a valid supergraph: [^\\n]+$`));
    server.mode = 'fail';
    await expect(load()).rejects.toThrow(`${where} could not be fetched: HTTP 500`);
    server.mode = 'hang';
    await expect(load()).rejects.toThrow(`${where} could not be fetched: no answer within 300 ms`);
    // Nothing listening; the query string (it may carry a key) stays out of the message.
    const probe = createNetServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    await expect(load(`http://127.0.0.1:${port}/supergraph?key=secret`)).rejects.toThrow(
      `supergraph at http://127.0.0.1:${port}/supergraph could not be fetched: ECONNREFUSED`,
    );
  });

  it('polls with If-None-Match and Authorization, applies changes, keeps the last good supergraph on failures, and stops on cleanup', async () => {
    server = await startSupergraphServer(ORIGINAL, '"r0"');
    const served: string[] = [];
    const failures: SupergraphFailure[] = [];
    const manager = await UrlSupergraphManager.load({
      url: server.url,
      logger: logger(),
      pollIntervalMs: 50,
      timeoutMs: 200,
      authorization: AUTHORIZATION,
      events: { served: (source, rev) => served.push(`${source}:${rev}`), failed: (_source, reason) => failures.push(reason) },
    });
    expect(served).toEqual([`url:${revisionOf(ORIGINAL)}`]);
    expect(manager.status()).toMatchObject({ source: 'url', revision: revisionOf(ORIGINAL), lastError: null });
    expect(manager.subgraphs().map((s) => s.name)).toEqual(['crm', 'erp', 'payments']);
    const updates: string[] = [];
    const { supergraphSdl, cleanup } = await manager.initialize({
      update: (sdl) => void updates.push(sdl),
      healthCheck: async () => {},
      getDataSource: () => {
        throw new Error('not used');
      },
    });
    expect(supergraphSdl).toBe(executable(ORIGINAL));
    expect(manager.isLoaded).toBe(true);

    // Unchanged: 304s, each asking with the ETag, each with the Authorization header.
    await server.nextRequests(3);
    expect(server.requests[0]).toEqual({ ifNoneMatch: undefined, authorization: AUTHORIZATION, status: 200 });
    expect(server.requests.slice(1, 4)).toEqual(Array(3).fill({ ifNoneMatch: '"r0"', authorization: AUTHORIZATION, status: 304 }));
    expect(updates).toEqual([]);
    const checkedAt = manager.status().lastCheckAt;

    // A change: served after one poll.
    server.serve(revision(1), '"r1"');
    await until('the first update', () => updates.length === 1);
    expect(updates[0]).toBe(executable(revision(1)));
    expect(manager.status()).toMatchObject({ revision: revisionOf(revision(1)), lastError: null });
    expect(manager.status().lastCheckAt > checkedAt).toBe(true);
    expect(served.at(-1)).toBe(`url:${revisionOf(revision(1))}`);
    await server.nextRequests(2);
    expect(server.requests.at(-1)).toMatchObject({ ifNoneMatch: '"r1"', status: 304 });

    // A 500, then a timeout: logged, reported, counted; nothing applied; retried.
    server.mode = 'fail';
    await until('the 500 reported', () => manager.status().lastError !== null);
    expect(manager.status().lastError).toMatchObject({ reason: 'fetch', message: `supergraph at ${server.url} could not be fetched: HTTP 500` });
    server.mode = 'hang';
    await until('the timeout reported', () => manager.status().lastError?.message.endsWith('no answer within 200 ms') === true);
    expect(
      lines.filter((l) => l.msg === 'supergraph fetch failed; still serving the previous supergraph, trying again at the next poll').length,
    ).toBeGreaterThanOrEqual(2);
    server.mode = 'ok';
    await until('recovery after the 304', () => manager.status().lastError === null);
    expect(manager.status().revision).toBe(revisionOf(revision(1)));
    expect(updates).toHaveLength(1);

    // An invalid supergraph: logged once with the reason, not applied; the 304s to its ETag are not re-reported.
    const invalidSdl = revision(2).slice(0, ORIGINAL.length / 2);
    server.serve(invalidSdl, '"r2-broken"');
    await until('the invalid supergraph reported', () => manager.status().lastError?.reason === 'invalid');
    await server.nextRequests(3);
    expect(server.requests.slice(-3).map((r) => [r.ifNoneMatch, r.status])).toEqual(Array(3).fill(['"r2-broken"', 304]));
    const invalid = lines.filter((l) => l.msg === 'supergraph at the URL changed but is invalid; still serving the previous supergraph');
    expect(invalid).toHaveLength(1);
    expect(invalid[0]).toMatchObject({
      level: 50,
      url: server.url,
      revision: revisionOf(invalidSdl),
      problem: expect.stringContaining(`supergraph at ${server.url} is not a valid supergraph`),
    });
    expect(manager.status()).toMatchObject({ revision: revisionOf(revision(1)), lastError: { reason: 'invalid' } });
    // The same invalid content without an ETag (a server that ignores them): still once.
    server.serve(invalidSdl, undefined);
    await server.nextRequests(3);
    expect(lines.filter((l) => String(l.msg).includes('is invalid'))).toHaveLength(1);
    expect(failures.filter((f) => f === 'invalid')).toHaveLength(1);
    expect(failures.filter((f) => f === 'fetch').length).toBeGreaterThanOrEqual(2);
    expect(updates).toHaveLength(1);

    // A valid one again: applied, the problem over.
    server.serve(revision(3), '"r3"');
    await until('the update after the invalid one', () => updates.length === 2);
    expect(updates[1]).toBe(executable(revision(3)));
    expect(manager.status()).toMatchObject({ revision: revisionOf(revision(3)), lastError: null });
    expect(server.requests.every((r) => r.authorization === AUTHORIZATION)).toBe(true);
    expect(JSON.stringify(lines)).not.toContain(AUTHORIZATION);

    // After cleanup, no more polls.
    await cleanup!();
    const count = server.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(server.requests).toHaveLength(count);
  });
});

describe('SUPERGRAPH_URL settings', () => {
  it('are read with their defaults; the URL and an explicit SUPERGRAPH_PATH exclude each other', () => {
    expect(readSupergraphUrlConfig({})).toBeUndefined();
    expect(readSupergraphUrlConfig({ SUPERGRAPH_URL: 'https://cdn.example/supergraph' })).toEqual({
      url: 'https://cdn.example/supergraph',
      pollIntervalMs: 10_000,
      timeoutMs: 5000,
      authorization: undefined,
    });
    expect(
      readSupergraphUrlConfig({ SUPERGRAPH_URL: 'http://127.0.0.1:9/s', SUPERGRAPH_POLL_INTERVAL_MS: '1000', SUPERGRAPH_URL_AUTHORIZATION: 'key' }),
    ).toMatchObject({ pollIntervalMs: 1000, authorization: 'key' });
    expect(() => readSupergraphUrlConfig({ SUPERGRAPH_URL: 'https://cdn.example/supergraph', SUPERGRAPH_PATH: '/tmp/supergraph.graphql' })).toThrow(
      /^SUPERGRAPH_URL: and SUPERGRAPH_PATH are both set/,
    );
    expect(() => readSupergraphUrlConfig({ SUPERGRAPH_URL: 'ftp://cdn.example/supergraph' })).toThrow('SUPERGRAPH_URL: must be an http(s) URL');
    expect(() => readSupergraphUrlConfig({ SUPERGRAPH_URL: 'https://user:secret@cdn.example/s' })).toThrow(
      'SUPERGRAPH_URL: must not carry credentials; send them with SUPERGRAPH_URL_AUTHORIZATION',
    );
    expect(() => readSupergraphUrlConfig({ SUPERGRAPH_URL: 'not a url' })).toThrow('SUPERGRAPH_URL: must be an http(s) URL');
    expect(() => readSupergraphUrlConfig({ SUPERGRAPH_URL: 'https://cdn.example/s', SUPERGRAPH_POLL_INTERVAL_MS: '999' })).toThrow(
      'SUPERGRAPH_POLL_INTERVAL_MS: must be a whole number from 1000',
    );
  });
});
