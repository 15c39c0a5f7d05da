/**
 * createSubgraphServer takes each request's deadline from the gateway's
 * x-graph360-deadline-ms and every backend call the request makes fits inside it: a hung
 * backend gives the field DEADLINE_EXCEEDED at its path, with one attempt cut short instead
 * of the policy's three of 5 s each. Without the header, or with a malformed one, the
 * request has no deadline and the policy's own timeouts alone apply.
 */
import { parse } from 'graphql';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEADLINE_HEADER, MAX_DEADLINE_MS } from '../../../lib/deadlineHeader.js';
import { signGatewayToken } from './auth.js';
import { BackendPolicy } from './BackendPolicy.js';
import { createSubgraphServer, type SubgraphServer } from './createSubgraphServer.js';
import { requestDeadline } from './requestDeadline.js';

const SECRET = 'kit-test-gateway-secret-0123456789abcdef';

const typeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
  type Query {
    quick: String
    slow: String
    deadline: Float
  }
`);

let server: SubgraphServer;
let url: string;
let attempts = 0;

beforeAll(async () => {
  // Attempts of 5 s, three of them: far longer than the deadlines below. The policy is
  // the subgraph's (shared by its requests), built once, as the subgraphs build theirs.
  const policy = new BackendPolicy({ backend: 'backend', timeoutMs: 5000, maxAttempts: 3, breakerThreshold: 1000 });
  const hang = (signal: AbortSignal) =>
    new Promise<string>((_, reject) => {
      attempts++;
      signal.addEventListener('abort', () => reject(new Error('aborted')));
    });
  server = await createSubgraphServer({
    name: 'kit-deadline',
    typeDefs,
    resolvers: { Query: { quick: () => 'here', slow: () => policy.execute(hang, { retry: true }), deadline: () => requestDeadline() ?? null } } as never,
    context: async (_req, auth) => ({ auth }),
    logger: pino({ level: 'silent' }),
    gatewaySecret: SECRET,
  });
  url = await server.listen(0);
});

afterAll(async () => {
  await server?.close();
});

async function post(query: string, headers: Record<string, string>) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-graph360-gateway': await signGatewayToken(SECRET), ...headers },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as {
    data?: Record<string, unknown> | null;
    errors?: Array<{ message: string; path?: unknown[]; extensions?: Record<string, unknown> }>;
  };
}

describe("a request's deadline from the gateway", () => {
  it('cuts the backend call at the deadline: the field is null with DEADLINE_EXCEEDED at its path, the rest is answered, one attempt made', async () => {
    attempts = 0;
    const body = await post('{ quick slow }', { [DEADLINE_HEADER]: '300' });
    expect(body.data).toEqual({ quick: 'here', slow: null });
    expect(body.errors).toEqual([
      {
        message: "backend did not answer before the gateway's deadline for this request ran out (attempt 1)",
        path: ['slow'],
        locations: [{ line: 1, column: 9 }],
        extensions: { code: 'DEADLINE_EXCEEDED', serviceName: 'kit-deadline', backend: 'backend' },
      },
    ]);
    expect(attempts).toBe(1);
  });

  it('is the header counted from the request, clamped to MAX_DEADLINE_MS, and none when the header is absent or malformed', async () => {
    const deadlineWith = async (headers: Record<string, string>) => {
      const before = Date.now();
      const body = await post('{ deadline }', headers);
      return { before, after: Date.now(), deadline: body.data?.deadline as number | null };
    };
    const given = await deadlineWith({ [DEADLINE_HEADER]: '5000' });
    expect(given.deadline).toBeGreaterThanOrEqual(given.before + 5000);
    expect(given.deadline).toBeLessThanOrEqual(given.after + 5000);
    const huge = await deadlineWith({ [DEADLINE_HEADER]: '86400000' });
    expect(huge.deadline).toBeLessThanOrEqual(huge.after + MAX_DEADLINE_MS);
    // Malformed is not 0 ms (every call refused) nor NaN: the request has no deadline, the policy's timeouts apply.
    expect((await deadlineWith({ [DEADLINE_HEADER]: 'soon' })).deadline).toBeNull();
    expect((await deadlineWith({})).deadline).toBeNull();
  });
});
