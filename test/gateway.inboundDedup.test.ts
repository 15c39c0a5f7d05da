/**
 * Inbound deduplication (gateway/src/inboundDedup/) through a whole gateway in this
 * process, over the real supergraph, with a stub crm subgraph that records every fetch
 * and holds its answers until the test lets them go: so "concurrent" is a fact the test
 * waits for (every request has reached the point where it shares or fetches), not a race.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSchema, graphql } from 'graphql';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readGatewayConfig } from '../gateway/src/config.js';
import { createGateway, type Gateway } from '../gateway/src/createGateway.js';
import { createGatewayLogger } from '../gateway/src/observability/logger.js';
import { createTestAuth } from './helpers/auth.js';
import { ask, metric, type GatewayAnswer } from './helpers/gatewayCalls.js';
import { until } from './support.js';

const auth = createTestAuth();
const N = 5;
const CUSTOMER = 'query Customer($id: ID!) { customer(id: $id) { id name } }';
const UPDATE = 'mutation Rename($id: ID!) { updateCustomer(input: { id: $id, name: "Renamed" }) { customer { id name } } }';

/** A crm subgraph that answers `customer` and `updateCustomer`, counting fetches, held while `held` is set. */
class StubCrm {
  readonly fetches: Array<{ query: string; variables: Record<string, unknown> }> = [];
  private server: Server | undefined;
  private release: (() => void) | undefined;
  private gate: Promise<void> = Promise.resolve();
  private readonly schema = buildSchema(`
    type Customer { id: ID! name: String! }
    input UpdateCustomerInput { id: ID! name: String phone: String domain: String lifecycleStage: String }
    type UpdateCustomerPayload { customer: Customer! }
    type Query { customer(id: ID!): Customer }
    type Mutation { updateCustomer(input: UpdateCustomerInput!): UpdateCustomerPayload! }
  `);
  private renames = 0;
  private readonly root = {
    customer: ({ id }: { id: string }) => ({ id, name: `Customer ${id}` }),
    updateCustomer: ({ input }: { input: { id: string; name: string } }) => ({ customer: { id: input.id, name: `${input.name} ${++this.renames}` } }),
  };

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { query: string; variables?: Record<string, unknown> };
        this.fetches.push({ query: body.query, variables: body.variables ?? {} });
        void this.gate
          .then(() => graphql({ schema: this.schema, source: body.query, variableValues: body.variables ?? {}, rootValue: this.root }))
          .then((result) => {
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end(JSON.stringify(result));
          });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/graphql`;
  }

  /** From now on answers wait until the returned function is called. */
  hold(): () => void {
    this.gate = new Promise<void>((resolve) => (this.release = resolve));
    return () => {
      this.release?.();
      this.gate = Promise.resolve();
    };
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

const crm = new StubCrm();
const gateways: Gateway[] = [];
let crmUrl: string;

async function gatewayWith(env: Record<string, string> = {}): Promise<string> {
  const config = readGatewayConfig({ ...auth.gatewayEnv, REDIS_URL: '', LOG_LEVEL: 'silent', CRM_SUBGRAPH_URL: crmUrl, RATE_LIMIT: 'off', ...env });
  const gateway = await createGateway(config, pino({ level: 'silent' }));
  gateways.push(gateway);
  return gateway.listen(0);
}

const bearer = async (sub: string): Promise<Record<string, string>> => ({ authorization: `Bearer ${await auth.token({ sub })}` });
const dedupCount = (url: string, outcome: 'leader' | 'shared' | 'response'): Promise<number> => metric(url, 'gateway_inbound_dedup_total', { outcome });
/** Requests that shared another's execution or joined another's response. */
const followers = async (url: string): Promise<number> => (await dedupCount(url, 'shared')) + (await dedupCount(url, 'response'));

/**
 * Sends the requests with crm's answers held, waits until `arrived` holds (each request
 * shared or fetched), then lets the answers go.
 */
async function concurrently(
  requests: Array<() => Promise<GatewayAnswer<Record<string, unknown>>>>,
  arrived: () => Promise<boolean>,
): Promise<Array<GatewayAnswer<Record<string, unknown>>>> {
  const release = crm.hold();
  try {
    const answers = Promise.all(requests.map((request) => request()));
    await until('every request to have arrived', async () => ((await arrived()) ? true : undefined));
    release();
    return await answers;
  } finally {
    release();
  }
}

beforeAll(async () => {
  crmUrl = await crm.start();
});
afterAll(async () => {
  await Promise.all(gateways.map((gateway) => gateway.close()));
  await crm.close();
});

describe('inbound deduplication', () => {
  it('is on by default; INBOUND_DEDUP=off switches it off, and a bad value names the variable', () => {
    expect(readGatewayConfig(auth.gatewayEnv).inboundDedup).toBe(true);
    expect(readGatewayConfig({ ...auth.gatewayEnv, INBOUND_DEDUP: 'off' }).inboundDedup).toBe(false);
    expect(() => readGatewayConfig({ ...auth.gatewayEnv, INBOUND_DEDUP: 'maybe' })).toThrow('INBOUND_DEDUP: must be on or off, got "maybe"');
  });

  it(`${N} identical concurrent queries of one caller run once and get identical responses, each with its own request id`, async () => {
    const url = await gatewayWith({ EXPOSE_CACHE_STATUS: 'off' });
    const headers = await bearer('alice');
    crm.fetches.length = 0;
    const answers = await concurrently(
      Array.from({ length: N }, (_, i) => () => ask(url, CUSTOMER, { id: '7' }, { headers: { ...headers, 'x-request-id': `dedup-${i}` } })),
      async () => (await followers(url)) === N - 1,
    );
    expect(crm.fetches).toHaveLength(1);
    expect(answers.map((a) => [a.status, a.data, a.errors])).toEqual(
      Array.from({ length: N }, () => [200, { customer: { id: '7', name: 'Customer 7' } }, undefined]),
    );
    expect(new Set(answers.map((a) => JSON.stringify({ data: a.data, errors: a.errors, extensions: a.extensions }))).size).toBe(1);
    expect(answers.map((a) => a.headers.get('x-request-id'))).toEqual(Array.from({ length: N }, (_, i) => `dedup-${i}`));
    expect([await dedupCount(url, 'leader'), await followers(url)]).toEqual([1, N - 1]);
  });

  it('reports what the shared execution fetched as shared fetches in extensions.cacheStatus', async () => {
    const url = await gatewayWith({ ENTITY_CACHE: 'off', RESPONSE_CACHE: 'off' });
    const headers = await bearer('alice');
    const answers = await concurrently(
      [() => ask(url, CUSTOMER, { id: '8' }, { headers }), () => ask(url, CUSTOMER, { id: '8' }, { headers })],
      async () => (await dedupCount(url, 'shared')) === 1,
    );
    expect(answers.map((a) => [a.data, a.cacheStatus.subgraphFetches, a.cacheStatus.sharedFetches, a.headers.get('x-cache')]).sort()).toEqual([
      [{ customer: { id: '8', name: 'Customer 8' } }, 0, 1, 'MISS'],
      [{ customer: { id: '8', name: 'Customer 8' } }, 1, 0, 'MISS'],
    ]);
  });

  it('does not share between different variables or different callers', async () => {
    // Entity and root caches off: the count of crm fetches is the count of executions that reached crm.
    const url = await gatewayWith({ ENTITY_CACHE: 'off', RESPONSE_CACHE: 'off' });
    const [alice, bob] = [await bearer('alice'), await bearer('bob')];
    crm.fetches.length = 0;
    const answers = await concurrently(
      [
        () => ask(url, CUSTOMER, { id: '1' }, { headers: alice }),
        () => ask(url, CUSTOMER, { id: '2' }, { headers: alice }),
        () => ask(url, CUSTOMER, { id: '1' }, { headers: bob }),
      ],
      async () => crm.fetches.length === 3,
    );
    expect(answers.map((a) => a.data)).toEqual([
      { customer: { id: '1', name: 'Customer 1' } },
      { customer: { id: '2', name: 'Customer 2' } },
      { customer: { id: '1', name: 'Customer 1' } },
    ]);
    expect([await dedupCount(url, 'leader'), await dedupCount(url, 'shared')]).toEqual([3, 0]);
  });

  it('never shares a mutation', async () => {
    const url = await gatewayWith();
    const headers = await bearer('alice');
    crm.fetches.length = 0;
    const answers = await concurrently(
      Array.from({ length: 3 }, () => () => ask(url, UPDATE, { id: '3' }, { headers })),
      async () => crm.fetches.length === 3,
    );
    const names = answers.map((a) => (a.data as { updateCustomer: { customer: { name: string } } }).updateCustomer.customer.name);
    expect(new Set(names).size).toBe(3);
    expect([await dedupCount(url, 'leader'), await dedupCount(url, 'shared')]).toEqual([0, 0]);
  });

  it('INBOUND_DEDUP=off: identical concurrent queries each execute (and only share subgraph fetches)', async () => {
    const url = await gatewayWith({ INBOUND_DEDUP: 'off', EXPOSE_CACHE_STATUS: 'on', RESPONSE_CACHE: 'off' });
    const headers = await bearer('alice');
    crm.fetches.length = 0;
    // Each execution looks the root field up in the root cache before fetching: N misses is N executions.
    const misses = await metric(url, 'gateway_cache_requests_total', { layer: 'root', result: 'miss' });
    const answers = await concurrently(
      Array.from({ length: N }, () => () => ask(url, CUSTOMER, { id: '9' }, { headers })),
      async () => (await metric(url, 'gateway_cache_requests_total', { layer: 'root', result: 'miss' })) === misses + N,
    );
    expect(answers.map((a) => a.data)).toEqual(Array.from({ length: N }, () => ({ customer: { id: '9', name: 'Customer 9' } })));
    expect(crm.fetches).toHaveLength(1);
    expect([await dedupCount(url, 'leader'), await dedupCount(url, 'shared')]).toEqual([0, 0]);
  });
});

describe('shared responses (identical HTTP requests after the first is admitted)', () => {
  /** A gateway whose log lines the test reads; cache status off, as in production, so responses may be shared. */
  async function loggedGateway(env: Record<string, string> = {}): Promise<{ url: string; lines: Array<Record<string, unknown>> }> {
    const lines: Array<Record<string, unknown>> = [];
    const config = readGatewayConfig({ ...auth.gatewayEnv, REDIS_URL: '', CRM_SUBGRAPH_URL: crmUrl, RATE_LIMIT: 'off', EXPOSE_CACHE_STATUS: 'off', ...env });
    const gateway = await createGateway(
      config,
      createGatewayLogger({ destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } }),
    );
    gateways.push(gateway);
    return { url: await gateway.listen(0), lines };
  }

  /**
   * The first request goes alone and is held at crm (so it is admitted and executing); then
   * `others` are sent and waited for until `joined` holds; then crm answers.
   */
  async function leaderThenOthers(
    first: () => Promise<GatewayAnswer<Record<string, unknown>>>,
    others: Array<() => Promise<GatewayAnswer<Record<string, unknown>>>>,
    joined: () => Promise<boolean>,
  ): Promise<Array<GatewayAnswer<Record<string, unknown>>>> {
    const release = crm.hold();
    try {
      const fetchesBefore = crm.fetches.length;
      const leader = first();
      await until('the first request to reach crm', async () => (crm.fetches.length > fetchesBefore ? true : undefined));
      const rest = Promise.all(others.map((request) => request()));
      await until('the others to have joined', async () => ((await joined()) ? true : undefined));
      release();
      return [await leader, ...(await rest)];
    } finally {
      release();
    }
  }

  it("answers each identical request with the first one's response, with its own request id and its own log line naming the first", async () => {
    const { url, lines } = await loggedGateway({ ENTITY_CACHE: 'off', RESPONSE_CACHE: 'off' });
    const headers = await bearer('alice');
    crm.fetches.length = 0;
    const send = (i: number) => () => ask(url, CUSTOMER, { id: '21' }, { headers: { ...headers, 'x-request-id': `shared-${i}` } });
    const answers = await leaderThenOthers(
      send(0),
      Array.from({ length: N - 1 }, (_, i) => send(i + 1)),
      async () => (await dedupCount(url, 'response')) === N - 1,
    );
    expect(crm.fetches).toHaveLength(1);
    expect(answers.map((a) => [a.status, a.data, a.errors, a.headers.get('content-type')])).toEqual(
      Array.from({ length: N }, () => [200, { customer: { id: '21', name: 'Customer 21' } }, undefined, 'application/json; charset=utf-8']),
    );
    expect(answers.map((a) => a.headers.get('x-request-id'))).toEqual(Array.from({ length: N }, (_, i) => `shared-${i}`));
    expect([await dedupCount(url, 'leader'), await dedupCount(url, 'shared'), await dedupCount(url, 'response')]).toEqual([1, 0, N - 1]);
    // One operation line per request; the followers' name the request whose response they got.
    const operationLines = lines.filter((line) => line.msg === 'graphql operation');
    expect(operationLines.map((line) => [line.requestId, line.operation, line.outcome, line.status, line.sharedWith]).sort()).toEqual(
      Array.from({ length: N }, (_, i) => [`shared-${i}`, 'Customer', 'ok', 200, i === 0 ? undefined : 'shared-0']).sort(),
    );
    // And each is counted in the operation metrics.
    expect(await metric(url, 'graphql_requests_total', { operation: 'Customer', outcome: 'ok' })).toBe(N);
  });

  it('does not share between different Accept headers, different callers, or with a request for cache status', async () => {
    const { url } = await loggedGateway({ ENTITY_CACHE: 'off', RESPONSE_CACHE: 'off' });
    const [alice, bob] = [await bearer('alice'), await bearer('bob')];
    const answers = await leaderThenOthers(
      () => ask(url, CUSTOMER, { id: '22' }, { headers: alice }),
      [
        () => ask(url, CUSTOMER, { id: '22' }, { headers: { ...alice, accept: 'application/graphql-response+json' } }),
        () => ask(url, CUSTOMER, { id: '22' }, { headers: bob }),
        () => ask(url, CUSTOMER, { id: '22' }, { headers: { ...alice, 'x-graph360-debug': 'cache-status' } }),
      ],
      // The alice requests share the execution instead; bob runs his own.
      async () => (await dedupCount(url, 'shared')) === 2 && (await dedupCount(url, 'leader')) === 2,
    );
    expect(answers.map((a) => a.data)).toEqual(Array.from({ length: 4 }, () => ({ customer: { id: '22', name: 'Customer 22' } })));
    expect(answers[1]!.headers.get('content-type')).toBe('application/graphql-response+json; charset=utf-8');
    expect(await dedupCount(url, 'response')).toBe(0);
  });

  it('shares nothing with EXPOSE_CACHE_STATUS on: each response reports its own execution', async () => {
    const { url } = await loggedGateway({ EXPOSE_CACHE_STATUS: 'on', ENTITY_CACHE: 'off', RESPONSE_CACHE: 'off' });
    const headers = await bearer('alice');
    const answers = await leaderThenOthers(
      () => ask(url, CUSTOMER, { id: '23' }, { headers }),
      [() => ask(url, CUSTOMER, { id: '23' }, { headers })],
      async () => (await dedupCount(url, 'shared')) === 1,
    );
    expect(answers.map((a) => [a.cacheStatus.subgraphFetches, a.cacheStatus.sharedFetches])).toEqual([
      [1, 0],
      [0, 1],
    ]);
    expect(await dedupCount(url, 'response')).toBe(0);
  });

  it("charges each follower's client the operation's cost: one whose budget is short runs and is refused", async () => {
    // The operation's cost: 1 when the smallest cost limit lets it through, else what that limit's refusal measured.
    const probe = await loggedGateway({ LIMIT_MAX_COST: '1' });
    const refused = await ask(probe.url, CUSTOMER, { id: '24' }, { headers: await bearer('carol') });
    const cost = refused.errors ? (refused.errors[0]?.extensions as { measured: number }).measured : 1;
    // A budget of exactly two operations (and no refill to speak of), for one caller.
    const { url } = await loggedGateway({
      RATE_LIMIT: 'on',
      RATE_LIMIT_COST_BURST: String(2 * cost),
      RATE_LIMIT_COST_PER_SECOND: '0.001',
      ENTITY_CACHE: 'off',
      RESPONSE_CACHE: 'off',
    });
    const headers = await bearer('carol');
    crm.fetches.length = 0;
    const send = () => ask(url, CUSTOMER, { id: '24' }, { headers });
    const release = crm.hold();
    let answers: Array<GatewayAnswer<Record<string, unknown>>>;
    try {
      const leader = send();
      await until('the first request to reach crm', async () => (crm.fetches.length > 0 ? true : undefined));
      // The second joins (its client can pay); the third cannot pay, runs, and is refused at admission.
      const joined = send();
      await until('the second to join', async () => ((await dedupCount(url, 'response')) === 1 ? true : undefined));
      const third = await send();
      release();
      answers = [await leader, await joined, third];
    } finally {
      release();
    }
    expect(answers.map((a) => a.data ?? null)).toEqual([
      { customer: { id: '24', name: 'Customer 24' } },
      { customer: { id: '24', name: 'Customer 24' } },
      null,
    ]);
    expect(answers[2]!.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(crm.fetches).toHaveLength(1);
  });

  it('never shares a mutation', async () => {
    const { url } = await loggedGateway();
    const headers = await bearer('alice');
    crm.fetches.length = 0;
    const answers = await leaderThenOthers(
      () => ask(url, UPDATE, { id: '25' }, { headers }),
      [() => ask(url, UPDATE, { id: '25' }, { headers })],
      async () => crm.fetches.length === 2,
    );
    const names = answers.map((a) => (a.data as { updateCustomer: { customer: { name: string } } }).updateCustomer.customer.name);
    expect(new Set(names).size).toBe(2);
    expect(await dedupCount(url, 'response')).toBe(0);
  });
});
