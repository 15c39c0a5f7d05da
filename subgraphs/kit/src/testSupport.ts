/**
 * The subgraph harness every subgraph's tests share: GraphQL over HTTP as the gateway
 * sends it (its internal token, signed with the tests' secret), the `_entities` query a
 * federation gateway sends, a sandbox's operator endpoints (faults, stats), polling with
 * a deadline, and a logger whose lines a test can read. Imports no sandbox and no test
 * runner: each test starts its own sandbox and subgraph.
 */
import { SCOPES as ALL_SCOPES, signGatewayToken } from './auth.js';
import { createLogger, type Logger } from './logger.js';

export interface GraphQLResponse<TData = Record<string, unknown>> {
  status: number;
  data?: TData | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
  extensions?: Record<string, unknown>;
}

/** GATEWAY_SUBGRAPH_SECRET of the tests' subgraphs: they answer only requests carrying the gateway's token signed with it (kit/auth.ts). */
export const TEST_GATEWAY_SECRET = 'test-gateway-subgraph-secret-0123456789';
export { ALL_SCOPES };

/** The gateway's internal token, as the gateway would send it for a caller with these claims (default: every scope). */
export function gatewayToken(claims: { scopes?: readonly string[]; customerId?: string } = {}): Promise<string> {
  return signGatewayToken(TEST_GATEWAY_SECRET, { sub: 'test', scopes: ALL_SCOPES, ...claims });
}

/** A GraphQL request to a subgraph as the gateway sends it (every scope unless `headers` names another token); the body as text too. */
export async function postGraphQLText<TData = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<{ response: GraphQLResponse<TData>; text: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-graph360-gateway': await gatewayToken(), ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  return { response: { status: response.status, ...(JSON.parse(text) as Omit<GraphQLResponse<TData>, 'status'>) }, text };
}

/** A GraphQL request to a subgraph as the gateway sends it (every scope unless `headers` names another token). */
export async function postGraphQL<TData = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<TData>> {
  return (await postGraphQLText<TData>(url, query, variables, headers)).response;
}

/** The `_entities` query a federation gateway sends for one type. */
export function entitiesQuery(typename: string, selection: string): string {
  return `query($representations:[_Any!]!){_entities(representations:$representations){... on ${typename}{${selection}}}}`;
}

export function representations(typename: string, ids: readonly string[]): Array<{ __typename: string; id: string }> {
  return ids.map((id) => ({ __typename: typename, id }));
}

export interface SandboxStats {
  total: number;
  operations: Record<string, number>;
  faults: Record<string, number>;
}

/** A sandbox's operator endpoints (/__sandbox/...), over HTTP. */
export function sandboxOperator(baseUrl: string) {
  const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response.json();
  };
  return {
    stats: async (): Promise<SandboxStats> => (await call('GET', '/__sandbox/stats')) as SandboxStats,
    resetStats: async (): Promise<void> => void (await call('POST', '/__sandbox/stats/reset')),
    setFaults: async (faults: Record<string, unknown>): Promise<void> => void (await call('POST', '/__sandbox/faults', faults)),
    clearFaults: async (): Promise<void> => void (await call('DELETE', '/__sandbox/faults')),
  };
}

/** Polls `probe` until it returns something other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The kit's logger (with its redaction) at debug level, its lines kept for the test to read. */
export function capturingLogger(name: string): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger(name, 'debug', { write: (line: string) => void lines.push(...line.split('\n').filter(Boolean)) });
  return { logger, lines };
}
