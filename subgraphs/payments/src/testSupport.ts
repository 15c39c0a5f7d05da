/**
 * What the payments tests share beyond the kit's subgraph harness (kit/src/testSupport.ts,
 * re-exported here): the subgraph's test configuration and the sandbox's Stripe API read
 * directly over HTTP (an independent path from the connector's client). Imports no
 * sandbox: tests start their own.
 */
import { capturingLogger as kitCapturingLogger, TEST_GATEWAY_SECRET } from '../../kit/src/testSupport.js';
import type { Logger } from '../../kit/src/index.js';
import { readPaymentsSubgraphConfig, type PaymentsSubgraphConfig } from './config.js';

export {
  ALL_SCOPES,
  entitiesQuery,
  gatewayToken,
  postGraphQL,
  representations,
  sandboxOperator,
  TEST_GATEWAY_SECRET,
  waitFor,
  type GraphQLResponse,
  type SandboxStats,
} from '../../kit/src/testSupport.js';

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

/** A GET on the sandbox's Stripe API with the secret key, bypassing the connector entirely. */
export async function stripeGet<T>(baseUrl: string, path: string, params: Record<string, string> = {}, secretKey = 'sk_test_sandbox'): Promise<T> {
  const url = new URL(path, baseUrl);
  for (const [key, value] of Object.entries(params)) url.searchParams.append(key, value);
  const response = await fetch(url, { headers: { authorization: `Bearer ${secretKey}` } });
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** The kit's logger (with its redaction) at debug level, named payments, its lines kept for the test to read. */
export function capturingLogger(): { logger: Logger; lines: string[] } {
  return kitCapturingLogger('payments');
}
