/**
 * kit/subscriptionServer.ts through createSubgraphServer: GraphQL subscriptions over
 * WebSocket for the gateway only (its token in connection_init, the caller's in each
 * subscribe), the subgraph's own @requiresScopes checked before a stream opens, a
 * context per event, subscriptions only, bounded messages, and 1001 on close().
 */
import { parse } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { signGatewayToken, type SubgraphAuth } from './auth.js';
import { createSubgraphServer, type SubgraphServer } from './createSubgraphServer.js';
import { until } from '../../../test/support.js';

const SECRET = 'kit-ws-test-gateway-secret-0123456789abcdef';

const typeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@requiresScopes"])
  type Query { hello: String }
  type Tick { n: Int! caller: String! context: Int! }
  type Subscription { ticks: Tick! @requiresScopes(scopes: [["ticks:read"]]) }
`);

interface TestContext {
  auth: SubgraphAuth;
  id: number;
}

/** The ticks the test pushes, to every open stream; each stream says when it is closed. */
const streams = new Set<(n: number) => void>();
let subscribeCalls = 0;
let streamsClosed = 0;

function tickStream(): AsyncIterableIterator<{ n: number }> {
  const queue: number[] = [];
  let wake: (() => void) | undefined;
  let done = false;
  const push = (n: number): void => {
    queue.push(n);
    wake?.();
  };
  streams.add(push);
  const iterator: AsyncIterableIterator<{ n: number }> = {
    async next() {
      while (queue.length === 0 && !done) await new Promise<void>((resolve) => (wake = resolve));
      return done ? { done: true, value: undefined } : { done: false, value: { n: queue.shift()! } };
    },
    async return() {
      done = true;
      streams.delete(push);
      streamsClosed++;
      wake?.();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

let contexts = 0;
let server: SubgraphServer;
let wsUrl: string;
const clients: Client[] = [];

beforeAll(async () => {
  server = await createSubgraphServer<TestContext>({
    name: 'kit-ws',
    typeDefs,
    resolvers: {
      Query: { hello: () => 'hi' },
      Subscription: {
        ticks: {
          subscribe: () => {
            subscribeCalls++;
            return tickStream();
          },
          resolve: (tick: { n: number }) => tick,
        },
      },
      Tick: {
        caller: (_tick: unknown, _args: unknown, context: TestContext) => context.auth.subject,
        context: (_tick: unknown, _args: unknown, context: TestContext) => context.id,
      },
    } as never,
    context: async (_req, auth) => ({ auth, id: ++contexts }),
    logger: pino({ level: 'silent' }),
    gatewaySecret: SECRET,
    maxBodyBytes: 64 * 1024,
    subscriptions: true,
  });
  wsUrl = (await server.listen(0)).replace('http:', 'ws:');
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
});

afterAll(async () => {
  await server?.close();
});

const token = (claims: { sub?: string; scopes?: string[] } = {}): Promise<string> =>
  signGatewayToken(SECRET, { sub: 'caller-1', scopes: ['ticks:read'], ...claims });

/** A graphql-ws client as the gateway makes one; `closed` gets the close event's code. */
function client(connectionParams: Record<string, unknown>, closed: number[] = []): Client {
  const made = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    connectionParams,
    lazy: false,
    retryAttempts: 0,
    onNonLazyError: () => undefined,
    on: { closed: (event) => void closed.push((event as { code: number }).code) },
  });
  clients.push(made);
  return made;
}

/** Collects what one subscription gets: results, the error it ends with, and whether it completed. */
function subscribe(on: Client, query: string, extensions: Record<string, unknown>) {
  const seen: {
    results: Array<{ data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> }>;
    error?: unknown;
    complete: boolean;
  } = { results: [], complete: false };
  const unsubscribe = on.subscribe(
    { query, extensions },
    { next: (result) => void seen.results.push(result as never), error: (error) => void (seen.error = error), complete: () => void (seen.complete = true) },
  );
  return { seen, unsubscribe };
}

const TICKS = 'subscription { ticks { n caller context } }';

describe('GraphQL over WebSocket on the subgraph', () => {
  it('refuses a connection without the gateway token, or with a forged one, with 4403', async () => {
    const forged = await signGatewayToken('someone-else-secret-0123456789abcdefgh', { sub: 'x' });
    for (const params of [{}, { 'x-graph360-gateway': forged }]) {
      const closed: number[] = [];
      client(params, closed);
      await until('the close', () => closed.length > 0);
      expect(closed).toEqual([4403]);
    }
  });

  it('streams events to a caller with the scope, each resolved with a context of its own, and closes the stream when the client completes', async () => {
    const { seen, unsubscribe } = subscribe(client({ 'x-graph360-gateway': await token({ sub: 'gateway' }) }), TICKS, { 'x-graph360-gateway': await token() });
    await until('the stream', () => streams.size === 1);
    const before = contexts;
    for (const push of streams) push(1);
    for (const push of streams) push(2);
    await until('two events', () => seen.results.length === 2);
    // The caller is the subscribe message's token, not the connection's; each event had a new context.
    expect(seen.results.map((r) => r.data)).toEqual([
      { ticks: { n: 1, caller: 'caller-1', context: before + 1 } },
      { ticks: { n: 2, caller: 'caller-1', context: before + 2 } },
    ]);
    const closedBefore = streamsClosed;
    unsubscribe();
    await until('the stream to close', () => streamsClosed === closedBefore + 1);
    expect(streams.size).toBe(0);
  });

  it("refuses a subscription without its caller's token (UNAUTHENTICATED) and one without the scope (FORBIDDEN), before the stream opens", async () => {
    const on = client({ 'x-graph360-gateway': await token() });
    const calls = subscribeCalls;
    const anonymous = subscribe(on, TICKS, {});
    const expired = subscribe(on, TICKS, { 'x-graph360-gateway': 'not-a-token' });
    const unscoped = subscribe(on, TICKS, { 'x-graph360-gateway': await token({ scopes: ['other:read'] }) });
    await until('the refusals', () => anonymous.seen.error !== undefined && expired.seen.error !== undefined && unscoped.seen.complete);
    for (const { seen } of [anonymous, expired]) {
      expect(seen.error).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHENTICATED', serviceName: 'kit-ws' }) })]);
    }
    expect(unscoped.seen.results).toEqual([
      { errors: [expect.objectContaining({ path: ['ticks'], extensions: expect.objectContaining({ code: 'FORBIDDEN', serviceName: 'kit-ws' }) })] },
    ]);
    expect(subscribeCalls).toBe(calls);
  });

  it('serves subscriptions only (BAD_REQUEST), and says what is wrong with a bad document', async () => {
    const on = client({ 'x-graph360-gateway': await token() });
    const caller = { 'x-graph360-gateway': await token() };
    const query = subscribe(on, '{ hello }', caller);
    const invalid = subscribe(on, 'subscription { nope }', caller);
    const broken = subscribe(on, 'subscription {', caller);
    await until('the errors', () => [query, invalid, broken].every(({ seen }) => seen.error !== undefined));
    const codes = [query, invalid, broken].map(({ seen }) => (seen.error as Array<{ extensions: { code: string } }>)[0]!.extensions.code);
    expect(codes).toEqual(['BAD_REQUEST', 'GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED']);
  });

  it('refuses an upgrade on another path and closes a connection that sends a message over the size bound (1009)', async () => {
    const elsewhere = new WebSocket(wsUrl.replace('/graphql', '/other'), 'graphql-transport-ws');
    const status = await new Promise<number | undefined>((resolve) => {
      elsewhere.on('unexpected-response', (_req, res) => resolve(res.statusCode));
      elsewhere.on('error', () => resolve(undefined));
    });
    expect(status).toBe(404);

    // ws refuses the message and graphql-ws logs the socket's error (with its stack) to the console: captured here.
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
      await new Promise((resolve) => socket.once('open', resolve));
      const code = new Promise<number>((resolve) => socket.once('close', (c) => resolve(c)));
      socket.send(JSON.stringify({ type: 'connection_init', payload: { padding: 'x'.repeat(70 * 1024) } }));
      expect(await code).toBe(1009);
      await until('the logged socket error', () => logged.mock.calls.length > 0);
      expect(logged.mock.calls).toEqual([
        [
          'Internal error emitted on a WebSocket socket. Please check your implementation.',
          expect.objectContaining({ name: 'RangeError', message: 'Max payload size exceeded' }),
        ],
      ]);
    } finally {
      logged.mockRestore();
    }
  });
});

describe('closing the subgraph', () => {
  it('closes every socket with 1001 (going away) and ends the streams', async () => {
    const other = await createSubgraphServer<TestContext>({
      name: 'kit-ws-close',
      typeDefs,
      resolvers: { Query: { hello: () => 'hi' }, Subscription: { ticks: { subscribe: () => tickStream(), resolve: (tick: unknown) => tick } } } as never,
      context: async (_req, auth) => ({ auth, id: ++contexts }),
      logger: pino({ level: 'silent' }),
      gatewaySecret: SECRET,
      subscriptions: true,
    });
    const url = (await other.listen(0)).replace('http:', 'ws:');
    const closed: number[] = [];
    const on = createClient({
      url,
      webSocketImpl: WebSocket,
      connectionParams: { 'x-graph360-gateway': await token() },
      retryAttempts: 0,
      on: { closed: (event) => void closed.push((event as { code: number }).code) },
    });
    clients.push(on);
    const closedBefore = streamsClosed;
    const { seen } = subscribe(on, 'subscription { ticks { n } }', { 'x-graph360-gateway': await token() });
    await until('the stream', () => streams.size === 1);
    await other.close();
    await until('the close', () => closed.length > 0);
    expect(closed).toEqual([1001]);
    expect(streamsClosed).toBe(closedBefore + 1);
    expect(seen.error).toBeDefined();
  });
});
