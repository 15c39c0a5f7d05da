/**
 * Deadlines that fit together across the services. The gateway gives each subgraph fetch
 * SUBGRAPH_TIMEOUT_MS and tells the subgraph (x-graph360-deadline-ms) that time less a
 * margin for the way back; the subgraph fits its backend calls inside it. So a hung
 * backend costs the client the subgraph's own DEADLINE_EXCEEDED at each field it could not
 * resolve, and the rest of the answer, before the gateway's timeout fires; a subgraph that
 * itself hangs gets the gateway's SUBGRAPH_TIMEOUT, at each of those fields too.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metric } from './helpers/gatewayCalls.js';
import { until } from './support.js';
import { graphql, startStack, type GraphQLResponse, type Stack } from './helpers/startStack.js';

const QUERY = /* GraphQL */ `
  query Deadlines {
    customers(first: 2) {
      nodes { id name outstandingBalance { amount currency } orders(first: 1) { totalCount } }
    }
  }
`;
interface Node {
  id: string;
  name: string;
  outstandingBalance: { amount: number; currency: string } | null;
  orders: { totalCount: number } | null;
}
type Answer = GraphQLResponse<{ customers: { nodes: Node[] } }> & { status: number };

const byPath = (a: { path?: unknown[] }, b: { path?: unknown[] }) => JSON.stringify(a.path).localeCompare(JSON.stringify(b.path));
// The ERP fields of both customers, where the client's response has them (in byPath's order).
const ERP_FIELD_PATHS = [0, 1].flatMap((i) => [
  ['customers', 'nodes', i, 'orders'],
  ['customers', 'nodes', i, 'outstandingBalance'],
]);

let stack: Stack;
let truth: Node[];

const ask = (url: string): Promise<Answer> => graphql(url, QUERY, {}, stack.authHeaders);

/** A new gateway's first answer that is whole (it plans, connects, on a busy machine), within a minute. */
async function warm(url: string): Promise<void> {
  await until('a whole answer from the new gateway', async () => ((await ask(url)).errors ? undefined : true), 60_000);
}

beforeAll(async () => {
  // The ERP's breaker must not open during the test: its errors are the deadline's, not a circuit's.
  stack = await startStack({
    env: { ERP_BREAKER_THRESHOLD: '1000' },
    gatewayEnv: { ENTITY_CACHE: 'off', RESPONSE_CACHE: 'off', SUBGRAPH_TIMEOUT_MS: '60000' },
  });
  // Cold start (the ERP subgraph's login, first plans) on the stack's patient gateway.
  const first = await ask(stack.gatewayUrl);
  expect(first.errors).toBeUndefined();
  truth = first.data!.customers.nodes;
  expect(truth).toHaveLength(2);
});

afterAll(async () => {
  await stack?.stop();
});

describe('a hung ERP backend', () => {
  it("the ERP subgraph gives up within the gateway's deadline: the client gets the CRM data, and the ERP subgraph's DEADLINE_EXCEEDED at each ERP field, no gateway timeout", async () => {
    // 3 s per fetch: the ERP subgraph is told 2.5 s, less than one of its 5 s attempts (three of them, by default).
    const gateway = await stack.startGateway({ SUBGRAPH_TIMEOUT_MS: '3000', ENTITY_CACHE: 'off', RESPONSE_CACHE: 'off' });
    await warm(gateway.url);
    await stack.setFaults('erp', { hang: true });
    try {
      const result = await ask(gateway.url);
      expect(result.status).toBe(200);
      expect(result.data!.customers.nodes).toEqual(truth.map(({ id, name }) => ({ id, name, outstandingBalance: null, orders: null })));
      const errors = [...result.errors!].sort(byPath);
      expect(errors.map((e) => e.path)).toEqual(ERP_FIELD_PATHS);
      for (const error of errors) {
        // The subgraph's error (with its backend), not the gateway's SUBGRAPH_TIMEOUT: the subgraph answered first.
        expect(error.extensions).toMatchObject({ code: 'DEADLINE_EXCEEDED', serviceName: 'erp', backend: 'erp' });
        expect(error.message).toBe("erp did not answer before the gateway's deadline for this request ran out (attempt 1)");
      }
      expect(await metric(gateway.url, 'subgraph_fetch_errors_total', { subgraph: 'erp', code: 'SUBGRAPH_TIMEOUT' })).toBe(0);
      expect(await metric(gateway.url, 'subgraph_fetch_errors_total', { subgraph: 'erp', code: 'DEADLINE_EXCEEDED' })).toBe(4);
    } finally {
      await stack.clearFaults();
    }
  });
});

describe('a hung ERP subgraph', () => {
  let stub: Server;
  const received: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    // A stand-in for the ERP subgraph that takes requests and never answers them.
    stub = createServer((req) => {
      received.push(req.headers);
      req.resume();
    });
    await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    stub?.closeAllConnections();
    await new Promise((resolve) => stub?.close(resolve));
  });

  it("the gateway's own SUBGRAPH_TIMEOUT carries the path of each field the fetch leaves null, and serviceName; the subgraph was told its deadline", async () => {
    const gateway = await stack.startGateway({
      SUBGRAPH_TIMEOUT_MS: '2000',
      ENTITY_CACHE: 'off',
      RESPONSE_CACHE: 'off',
      ERP_SUBGRAPH_URL: `http://127.0.0.1:${(stub.address() as AddressInfo).port}/graphql`,
    });
    const result = await ask(gateway.url);
    expect(result.status).toBe(200);
    expect(result.data!.customers.nodes).toEqual(truth.map(({ id, name }) => ({ id, name, outstandingBalance: null, orders: null })));
    const errors = [...result.errors!].sort(byPath);
    expect(errors).toEqual(
      ERP_FIELD_PATHS.map((path) => ({
        message: 'Subgraph erp did not answer within 2000 ms.',
        path,
        extensions: { code: 'SUBGRAPH_TIMEOUT', serviceName: 'erp' },
      })),
    );
    // One fetch for both customers, counted once; it told the stub 2000 ms less a fifth.
    expect(await metric(gateway.url, 'subgraph_fetch_errors_total', { subgraph: 'erp', code: 'SUBGRAPH_TIMEOUT' })).toBe(1);
    expect(received.map((headers) => headers['x-graph360-deadline-ms'])).toEqual(['1600']);
  });
});
