/**
 * The stack `npm run bench:incremental` measures graph360's gateway over: the three
 * sandboxes and the three subgraphs (on the load CPU), with the payment provider's webhooks
 * wired as `npm start` and test/helpers/startStack.ts's `webhooks: true` wire them (every
 * event to the ERP sandbox, which reconciles invoices, and to the payments subgraph, which
 * publishes it to subscribers and passes invalidations on to the gateway), and the
 * committed supergraph with this run's subgraph URLs. Gateways come and go on one port
 * picked here, the GATEWAY_URL the payments subgraph sends its invalidations to.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchAuth } from '../lib/auth.js';
import { freePort, spawnProc, type Proc } from '../lib/proc.js';
import { withoutAuthDirectives } from '../workload2/peerSupergraph.js';

export const NAMES = ['crm', 'erp', 'payments'] as const;
export type Name = (typeof NAMES)[number];

export interface IncrementalStack {
  sandboxUrl: Record<Name, string>;
  /** GraphQL URLs of the subgraphs. */
  subgraphUrl: Record<Name, string>;
  /** The supergraph file with this run's URLs (ours), and the same without @authenticated/@requiresScopes (peers). */
  supergraphPath: string;
  peerSupergraphPath: string;
  /** The port every gateway of the run listens on (the payments subgraph's GATEWAY_URL). */
  gatewayPort: number;
  /** GATEWAY_INVALIDATION_SECRET, shared by the gateway and the payments subgraph. */
  invalidationSecret: string;
  procs: Proc[];
  /** Latency on every backend call of the three sandboxes (0: none). */
  setLatency(ms: number): Promise<void>;
  /** Subscriptions the payments subgraph serves now (its /health). */
  paymentsSubscriptions(): Promise<number>;
  /** Backend calls the three sandboxes have served so far (/__sandbox/stats). */
  backendCalls(): Promise<number>;
  stop(): Promise<void>;
}

export interface StackOptions {
  workDir: string;
  root: string;
  cpu: string;
  scale: number;
  auth: BenchAuth;
  invalidationSecret: string;
  logFile(name: string): string;
}

async function waitForReadModel(subgraphUrl: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const health = (await (await fetch(subgraphUrl.replace(/\/graphql$/, '/health'))).json()) as { readModel?: { state?: string } };
    const state = health.readModel?.state;
    if (state === undefined || state === 'ready' || state === 'off') return;
    if (Date.now() > deadline) throw new Error(`the payments read model did not sync within ${timeoutMs / 1000} s (state ${state})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function startIncrementalStack(options: StackOptions): Promise<IncrementalStack> {
  const dataDir = join(options.workDir, 'sandboxes');
  mkdirSync(dataDir);
  const [erpSandboxPort, paymentsSubgraphPort, gatewayPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const env = {
    SANDBOX_DATA_DIR: dataDir,
    SANDBOX_SCALE: String(options.scale),
    CRM_SANDBOX_PORT: '0',
    ERP_SANDBOX_PORT: String(erpSandboxPort),
    PAYMENTS_SANDBOX_PORT: '0',
    CRM_SUBGRAPH_PORT: '0',
    ERP_SUBGRAPH_PORT: '0',
    PAYMENTS_SUBGRAPH_PORT: String(paymentsSubgraphPort),
    // As bench workload 2: the sandbox's HubSpot-like limit would throttle any benchmark.
    CRM_SANDBOX_RATE_LIMIT: '0',
    PAYMENTS_SANDBOX_WEBHOOK_URLS: `http://127.0.0.1:${erpSandboxPort}/payment/stripe/webhook,http://127.0.0.1:${paymentsSubgraphPort}/webhooks/stripe`,
    PAYMENTS_SANDBOX_WEBHOOK_RETRY_BASE_MS: '200',
    // Events reach the payments subgraph by webhook; no catch-up by timer in the middle of a measurement (as test/helpers/startStack.ts).
    PAYMENTS_READ_MODEL_CATCHUP_MS: '600000',
    PAYMENTS_READ_MODEL_MAX_LAG_MS: '1200000',
    GATEWAY_URL: `http://127.0.0.1:${gatewayPort}`,
    GATEWAY_INVALIDATION_SECRET: options.invalidationSecret,
    LOG_LEVEL: 'warn',
    REDIS_URL: '',
    GATEWAY_SUBGRAPH_SECRET: options.auth.subgraphSecret,
  };
  const procs: Proc[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(procs.map((p) => p.stop()));
  };
  try {
    const start = (kind: 'sandbox' | 'subgraph', name: Name, extra: Record<string, string> = {}): Promise<Proc> =>
      spawnProc({
        name: `${name}-${kind}`,
        cwd: options.root,
        cpu: options.cpu,
        logFile: options.logFile(`${name}-${kind}`),
        command: process.execPath,
        args: ['--import', 'tsx/esm', `${kind === 'sandbox' ? 'sandboxes' : 'subgraphs'}/${name}/src/index.ts`],
        env: { ...env, ...extra },
      }).then((proc) => {
        procs.push(proc);
        return proc;
      });
    const sandboxes = await Promise.all(NAMES.map((name) => start('sandbox', name)));
    const sandboxUrl = Object.fromEntries(NAMES.map((name, i) => [name, new URL(sandboxes[i]!.url).origin])) as Record<Name, string>;
    const subgraphEnv = { CRM_API_URL: sandboxUrl.crm, ERP_URL: sandboxUrl.erp, STRIPE_API_URL: sandboxUrl.payments };
    const subgraphs = await Promise.all(NAMES.map((name) => start('subgraph', name, subgraphEnv)));
    const subgraphUrl = Object.fromEntries(NAMES.map((name, i) => [name, subgraphs[i]!.url])) as Record<Name, string>;
    await waitForReadModel(subgraphUrl.payments);

    let sdl = readFileSync(join(options.root, 'schema/supergraph.graphql'), 'utf8');
    for (const name of NAMES) sdl = sdl.replace(new RegExp(`(@join__graph\\(name: "${name}", url: ")[^"]*(")`), `$1${subgraphUrl[name]}$2`);
    const supergraphPath = join(options.workDir, 'graph360.supergraph.graphql');
    writeFileSync(supergraphPath, sdl);
    const peerSupergraphPath = join(options.workDir, 'graph360.peers.supergraph.graphql');
    writeFileSync(peerSupergraphPath, withoutAuthDirectives(sdl));

    return {
      sandboxUrl,
      subgraphUrl,
      supergraphPath,
      peerSupergraphPath,
      gatewayPort,
      invalidationSecret: options.invalidationSecret,
      procs,
      async setLatency(ms) {
        await Promise.all(
          Object.values(sandboxUrl).map(async (url) => {
            const response = await fetch(
              `${url}/__sandbox/faults`,
              ms > 0 ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ latencyMs: ms }) } : { method: 'DELETE' },
            );
            if (!response.ok) throw new Error(`${url}/__sandbox/faults: ${response.status} ${await response.text()}`);
          }),
        );
      },
      async paymentsSubscriptions() {
        const health = (await (await fetch(subgraphUrl.payments.replace(/\/graphql$/, '/health'))).json()) as { subscriptions?: { active?: number } };
        return health.subscriptions?.active ?? 0;
      },
      async backendCalls() {
        const counts = await Promise.all(
          Object.values(sandboxUrl).map(async (url) => {
            const body = (await (await fetch(`${url}/__sandbox/stats`)).json()) as { total?: number; operations?: Record<string, number> };
            return body.total ?? Object.values(body.operations ?? {}).reduce((a, b) => a + b, 0);
          }),
        );
        return counts.reduce((a, b) => a + b, 0);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
