/**
 * Starts the whole stack as real processes on free loopback ports, the way `npm start`
 * does, but on a temporary data folder and a small seed, and stops it again. Tests talk
 * to the gateway and read each sandbox's /__sandbox/stats to count backend calls.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestAuth, type TestAuth } from './auth.js';
import { spawnService, type SpawnedService } from './spawnService.js';

export type SandboxName = 'crm' | 'erp' | 'payments';

export interface Stack {
  gatewayUrl: string;
  sandboxUrls: Record<SandboxName, string>;
  subgraphUrls: Record<SandboxName, string>;
  services: Record<string, SpawnedService>;
  /** The stack's credentials (its key pair and subgraph secret): mint other tokens with auth.token({...}). */
  auth: TestAuth;
  /** A bearer token with every scope and no customer binding. */
  token: string;
  /** `{ authorization: 'Bearer <token>' }`, to spread into request headers. */
  authHeaders: Record<string, string>;
  /** Per-operation calls each sandbox served since the last reset. */
  stats(): Promise<Record<SandboxName, Record<string, number>>>;
  resetStats(): Promise<void>;
  setFaults(sandbox: SandboxName, faults: Record<string, unknown>): Promise<void>;
  clearFaults(): Promise<void>;
  /**
   * Starts one more gateway over the same subgraphs (a replica), with these variables on
   * top of the stack's gateway environment; it is stopped with the stack.
   */
  startGateway(env?: Record<string, string>): Promise<SpawnedService>;
  /**
   * Starts one more process of a subgraph over the same sandboxes, with these variables on
   * top of the stack's subgraph environment: a replica, or (on the port of one stopped) a
   * restart. It is stopped with the stack.
   */
  startSubgraph(name: SandboxName, env?: Record<string, string>): Promise<SpawnedService>;
  stop(): Promise<void>;
}

export interface StackOptions {
  /** Seed scale for the sandboxes. Default 0.1 (100 companies). */
  scale?: number;
  /** Extra variables for every service. */
  env?: Record<string, string>;
  /** Redis for the gateway's and subgraphs' caches. Default none (memory), whatever REDIS_URL the test run has. */
  redisUrl?: string;
  /** Extra variables for the gateway only (e.g. CACHE_KEY_PREFIX, ENTITY_CACHE=off). */
  gatewayEnv?: Record<string, string>;
  /**
   * Wire the payment provider's webhooks as `npm start` does: the payments sandbox
   * delivers every event to the ERP sandbox (which reconciles invoices) and to the
   * payments subgraph (which passes cache invalidations on to the gateway). Their ports
   * are then picked before start-up, since each must know the next one's URL. Default false.
   */
  webhooks?: boolean;
  /** The credentials to start with. Default: fresh ones (createTestAuth). */
  auth?: TestAuth;
}

/** A port free now (the OS picks it; it is released at once for a service to take). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const SANDBOXES: readonly SandboxName[] = ['crm', 'erp', 'payments'];

/** Waits until the payments subgraph's read model is served (or off), so that its sync's calls are not counted by a test. */
export async function paymentsReadModelSynced(subgraphUrl: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const health = (await (await fetch(subgraphUrl.replace('/graphql', '/health'))).json()) as { readModel?: { state?: string } };
    const state = health.readModel?.state;
    if (state === undefined || state === 'ready' || state === 'off') return;
    if (Date.now() > deadline) throw new Error(`the payments read model did not sync within ${timeoutMs} ms (state ${state})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'graph360-stack-'));
  const auth = options.auth ?? createTestAuth();
  const token = await auth.token();
  const env = {
    SANDBOX_DATA_DIR: dataDir,
    SANDBOX_SCALE: String(options.scale ?? 0.1),
    CRM_SANDBOX_PORT: '0',
    ERP_SANDBOX_PORT: '0',
    PAYMENTS_SANDBOX_PORT: '0',
    CRM_SUBGRAPH_PORT: '0',
    ERP_SUBGRAPH_PORT: '0',
    PAYMENTS_SUBGRAPH_PORT: '0',
    GATEWAY_PORT: '0',
    LOG_LEVEL: 'warn',
    REDIS_URL: options.redisUrl ?? '',
    // The payments read model syncs at start (startStack waits for it) and then follows webhooks; no
    // catch-up by timer during a test, whose backend-call counts a background events.list would change.
    PAYMENTS_READ_MODEL_CATCHUP_MS: '600000',
    PAYMENTS_READ_MODEL_MAX_LAG_MS: '1200000',
    ...options.env,
  };
  if (options.webhooks) {
    const [erpSandbox, paymentsSubgraph, gateway] = await Promise.all([freePort(), freePort(), freePort()]);
    Object.assign(env, {
      ERP_SANDBOX_PORT: String(erpSandbox),
      PAYMENTS_SUBGRAPH_PORT: String(paymentsSubgraph),
      GATEWAY_PORT: String(gateway),
      GATEWAY_URL: `http://127.0.0.1:${gateway}`,
      PAYMENTS_SANDBOX_WEBHOOK_URLS: `http://127.0.0.1:${erpSandbox}/payment/stripe/webhook,http://127.0.0.1:${paymentsSubgraph}/webhooks/stripe`,
      // Retry soon: a test waits for the effect of an event.
      PAYMENTS_SANDBOX_WEBHOOK_RETRY_BASE_MS: '200',
    });
  }
  const services: Record<string, SpawnedService> = {};
  const stopAll = async (): Promise<void> => {
    await Promise.all(Object.values(services).map((s) => s.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const sandboxes = await Promise.all(SANDBOXES.map((name) => spawnService({ entry: `sandboxes/${name}/src/index.ts`, env })));
    SANDBOXES.forEach((name, i) => (services[`${name}-sandbox`] = sandboxes[i]!));
    const sandboxUrls = Object.fromEntries(SANDBOXES.map((name, i) => [name, sandboxes[i]!.url])) as Record<SandboxName, string>;

    const subgraphEnv = { ...env, ...auth.subgraphEnv, CRM_API_URL: sandboxUrls.crm, ERP_URL: sandboxUrls.erp, STRIPE_API_URL: sandboxUrls.payments };
    const subgraphs = await Promise.all(SANDBOXES.map((name) => spawnService({ entry: `subgraphs/${name}/src/index.ts`, env: subgraphEnv })));
    SANDBOXES.forEach((name, i) => (services[`${name}-subgraph`] = subgraphs[i]!));
    const subgraphUrls = Object.fromEntries(SANDBOXES.map((name, i) => [name, subgraphs[i]!.url])) as Record<SandboxName, string>;
    await paymentsReadModelSynced(subgraphUrls.payments);

    const gatewayEnv = {
      ...env,
      ...auth.gatewayEnv,
      CRM_SUBGRAPH_URL: subgraphUrls.crm,
      ERP_SUBGRAPH_URL: subgraphUrls.erp,
      PAYMENTS_SUBGRAPH_URL: subgraphUrls.payments,
      ...options.gatewayEnv,
    };
    services.gateway = await spawnService({ entry: 'gateway/src/index.ts', env: gatewayEnv });
    let replicas = 0;

    const operator = async (sandbox: SandboxName, path: string, method = 'GET', body?: unknown): Promise<unknown> => {
      const response = await fetch(`${sandboxUrls[sandbox]}/__sandbox/${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`${method} ${sandbox} /__sandbox/${path}: ${response.status} ${await response.text()}`);
      return response.json();
    };

    return {
      gatewayUrl: services.gateway.url,
      sandboxUrls,
      subgraphUrls,
      services,
      auth,
      token,
      authHeaders: { authorization: `Bearer ${token}` },
      async stats() {
        const all = await Promise.all(SANDBOXES.map((name) => operator(name, 'stats') as Promise<{ operations: Record<string, number> }>));
        return Object.fromEntries(SANDBOXES.map((name, i) => [name, all[i]!.operations])) as Record<SandboxName, Record<string, number>>;
      },
      async resetStats() {
        await Promise.all(SANDBOXES.map((name) => operator(name, 'stats/reset', 'POST')));
      },
      async setFaults(sandbox, faults) {
        await operator(sandbox, 'faults', 'POST', faults);
      },
      async clearFaults() {
        await Promise.all(SANDBOXES.map((name) => operator(name, 'faults', 'DELETE')));
      },
      async startGateway(extra = {}) {
        const name = `gateway-${++replicas + 1}`;
        services[name] = await spawnService({ entry: 'gateway/src/index.ts', env: { ...gatewayEnv, GATEWAY_PORT: '0', ...extra } });
        return services[name];
      },
      async startSubgraph(name, extra = {}) {
        const key = `${name}-subgraph-${++replicas + 1}`;
        services[key] = await spawnService({
          entry: `subgraphs/${name}/src/index.ts`,
          env: { ...subgraphEnv, [`${name.toUpperCase()}_SUBGRAPH_PORT`]: '0', ...extra },
        });
        return services[key];
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

export interface GraphQLResponse<TData = Record<string, unknown>> {
  data?: TData | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
}

/** POSTs one operation to the gateway and returns the parsed body and status. */
export async function graphql<TData = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<TData> & { status: number }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, ...((await response.json()) as GraphQLResponse<TData>) };
}
