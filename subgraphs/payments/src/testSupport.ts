/**
 * What the payments tests share: GraphQL over HTTP the way the gateway sends it, the
 * sandbox's operator endpoints (faults, stats) and its Stripe API read directly over
 * HTTP (an independent path from the connector's client), polling with a deadline, and
 * a logger whose lines a test can read. Imports no sandbox: tests start their own.
 */
import { SCOPES as ALL_SCOPES } from '../../kit/src/auth.js';
import { createLogger, signGatewayToken, type Logger } from '../../kit/src/index.js';
import { readPaymentsSubgraphConfig, type PaymentsSubgraphConfig } from './config.js';

export interface GraphQLResponse<TData = Record<string, unknown>> {
  status: number;
  data?: TData | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
}

/** GATEWAY_SUBGRAPH_SECRET of the tests' subgraphs: they answer only requests carrying the gateway's token signed with it (kit/auth.ts). */
export const TEST_GATEWAY_SECRET = 'test-gateway-subgraph-secret-0123456789';
export { ALL_SCOPES };

/** The gateway's internal token, as the gateway would send it for a caller with these claims (default: every scope). */
export function gatewayToken(claims: { scopes?: readonly string[]; customerId?: string } = {}): Promise<string> {
  return signGatewayToken(TEST_GATEWAY_SECRET, { sub: 'test', scopes: ALL_SCOPES, ...claims });
}

export async function postGraphQL<TData = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<TData>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-graph360-gateway': await gatewayToken(), ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as Omit<GraphQLResponse<TData>, 'status'>;
  return { status: response.status, ...body };
}

/** The `_entities` query a federation gateway sends for one type. */
export function entitiesQuery(typename: string, selection: string): string {
  return `query($representations:[_Any!]!){_entities(representations:$representations){... on ${typename}{${selection}}}}`;
}

export function representations(typename: string, ids: readonly string[]): Array<{ __typename: string; id: string }> {
  return ids.map((id) => ({ __typename: typename, id }));
}

/**
 * The subgraph config tests use: the sandbox's URL, port 0, quick retries, quiet logs, and
 * no read model unless a test asks for one (PAYMENTS_READ_MODEL=on), so that the tests of
 * the search path count its calls without a sync running beside them.
 */
export function testSubgraphConfig(stripeApiUrl: string, env: Record<string, string> = {}): PaymentsSubgraphConfig {
  return readPaymentsSubgraphConfig({
    GATEWAY_SUBGRAPH_SECRET: TEST_GATEWAY_SECRET,
    STRIPE_API_URL: stripeApiUrl,
    // No ERP unless a test gives one (testSandboxes.ts): payInvoice then fails fast, before any charge.
    ERP_URL: 'http://127.0.0.1:9',
    PAYMENTS_ERP_TIMEOUT_MS: '3000',
    PAYMENTS_SUBGRAPH_PORT: '0',
    PAYMENTS_RETRY_BASE_MS: '1',
    PAYMENTS_TIMEOUT_MS: '3000',
    LOG_LEVEL: 'silent',
    PAYMENTS_READ_MODEL: 'off',
    ...env,
  });
}

export interface SandboxStats {
  total: number;
  operations: Record<string, number>;
  faults: Record<string, number>;
}

/** The sandbox's operator endpoints (/__sandbox/...), over HTTP. */
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

/** A GET on the sandbox's Stripe API with the secret key, bypassing the connector entirely. */
export async function stripeGet<T>(baseUrl: string, path: string, params: Record<string, string> = {}, secretKey = 'sk_test_sandbox'): Promise<T> {
  const url = new URL(path, baseUrl);
  for (const [key, value] of Object.entries(params)) url.searchParams.append(key, value);
  const response = await fetch(url, { headers: { authorization: `Bearer ${secretKey}` } });
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
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
export function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger('payments', 'debug', { write: (line: string) => void lines.push(...line.split('\n').filter(Boolean)) });
  return { logger, lines };
}
