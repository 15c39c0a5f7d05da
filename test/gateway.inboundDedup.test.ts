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
import { createTestAuth } from './helpers/auth.js';
import { ask, metric, until, type GatewayAnswer } from './helpers/gatewayCalls.js';

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
const dedupCount = (url: string, outcome: 'leader' | 'shared'): Promise<number> => metric(url, 'gateway_inbound_dedup_total', { outcome });

/**
 * Sends the requests with crm's answers held, waits until `arrived` holds (each request
 * shared or fetched), then lets the answers go.
 */
async function concurrently(requests: Array<() => Promise<GatewayAnswer<Record<string, unknown>>>>, arrived: () => Promise<boolean>): Promise<Array<GatewayAnswer<Record<string, unknown>>>> {
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
      async () => (await dedupCount(url, 'shared')) === N - 1,
    );
    expect(crm.fetches).toHaveLength(1);
    expect(answers.map((a) => [a.status, a.data, a.errors])).toEqual(Array.from({ length: N }, () => [200, { customer: { id: '7', name: 'Customer 7' } }, undefined]));
    expect(new Set(answers.map((a) => JSON.stringify({ data: a.data, errors: a.errors, extensions: a.extensions }))).size).toBe(1);
    expect(answers.map((a) => a.headers.get('x-request-id'))).toEqual(Array.from({ length: N }, (_, i) => `dedup-${i}`));
    expect([await dedupCount(url, 'leader'), await dedupCount(url, 'shared')]).toEqual([1, N - 1]);
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
    expect(answers.map((a) => a.data)).toEqual([{ customer: { id: '1', name: 'Customer 1' } }, { customer: { id: '2', name: 'Customer 2' } }, { customer: { id: '1', name: 'Customer 1' } }]);
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
