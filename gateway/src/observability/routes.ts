/**
 * The operator's routes: GET /health (the process is alive: always 200, with the
 * supergraph served: source, revision, when it was loaded and last checked, the last
 * problem), GET /ready (whether this replica can serve: 503 until its supergraph is
 * loaded, and while it drains; otherwise 200 with each subgraph's state, `ready` when
 * every subgraph answers its /health in time and `degraded` naming those that do not),
 * and GET /metrics (Prometheus text format).
 *
 * A subgraph that is down does not make the gateway unready: the gateway still answers
 * every field the other subgraphs serve (partial data with coded errors), and every
 * replica sees the same subgraph, so a balancer that took replicas out for it would take
 * them all out and turn a degraded API into no API.
 *
 * A subgraph's health URL is its GraphQL URL with the trailing /graphql replaced by
 * /health, the convention every subgraph here follows (subgraphs/kit).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../../../lib/http.js';
import type { GatewayMetrics } from '../metrics.js';
import type { SubgraphEndpoint, SupergraphStatus } from '../supergraph/SupergraphManager.js';

export interface OperationalRoutesOptions {
  metrics: GatewayMetrics;
  /** Whether the gateway has loaded its supergraph, which subgraphs it names, and (in /health) its status. */
  supergraph: { readonly isLoaded: boolean; subgraphs(): readonly SubgraphEndpoint[]; status?(): SupergraphStatus };
  /** Subgraph URLs that replace those in the supergraph (config.subgraphUrls). */
  subgraphUrls: Readonly<Record<string, string>>;
  /**
   * Who may read /metrics: anyone (`open`, development), nobody (`off`: 404, production
   * without METRICS_TOKEN), or a caller sending `Authorization: Bearer <token>` (else 401).
   * Default open.
   */
  metricsAccess?: 'open' | 'off' | { token: string };
  /** How long a subgraph's /health may take before it counts as down, in ms. Default 1000. */
  probeTimeoutMs?: number;
}

export function healthUrlOf(graphqlUrl: string): string {
  const url = new URL(graphqlUrl);
  url.pathname = `${url.pathname.replace(/\/graphql\/?$/, '').replace(/\/$/, '')}/health`;
  url.search = '';
  return url.toString();
}

interface Probe {
  name: string;
  url: string;
  ok: boolean;
  problem?: string;
}

async function probe(name: string, url: string, timeoutMs: number): Promise<Probe> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer();
    return response.ok ? { name, url, ok: true } : { name, url, ok: false, problem: `HTTP ${response.status}` };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    const problem = (error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (cause ?? (error as Error).message);
    return { name, url, ok: false, problem };
  }
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Whether the request carries `Authorization: Bearer <token>` (compared in constant time). */
export function bearerMatches(req: IncomingMessage, token: string): boolean {
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return match !== null && timingSafeEqual(digest(match[1]!), digest(token));
}

/**
 * The name in every /health and /ready payload. The gateway and the subgraph kit answer in
 * one shape, `{ status, service, …details }`: /health `ok`; /ready `ready`, `degraded`,
 * `draining` or `unready`.
 */
export const SERVICE = 'gateway';

/** Returns a handler that answers the operator routes and reports whether it did. */
export function operationalRoutes(options: OperationalRoutesOptions): (req: IncomingMessage, res: ServerResponse, path: string) => Promise<boolean> {
  const timeoutMs = options.probeTimeoutMs ?? 1000;

  const ready = async (res: ServerResponse): Promise<void> => {
    if (!options.supergraph.isLoaded) return sendJson(res, 503, { status: 'unready', service: SERVICE, problem: 'supergraph not loaded' });
    const probes = await Promise.all(
      options.supergraph.subgraphs().map(({ name, url }) => probe(name, healthUrlOf(options.subgraphUrls[name] ?? url), timeoutMs)),
    );
    const failing = probes.filter((p) => !p.ok);
    if (failing.length > 0) {
      return sendJson(res, 200, {
        status: 'degraded',
        service: SERVICE,
        failing: failing.map((p) => p.name),
        subgraphs: Object.fromEntries(probes.map((p) => [p.name, p.ok ? 'ok' : p.problem])),
      });
    }
    sendJson(res, 200, { status: 'ready', service: SERVICE, subgraphs: Object.fromEntries(probes.map((p) => [p.name, 'ok'])) });
  };

  return async (req, res, path) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    if (path === '/health') {
      const supergraph = options.supergraph.status?.();
      sendJson(res, 200, supergraph ? { status: 'ok', service: SERVICE, supergraph } : { status: 'ok', service: SERVICE });
      return true;
    }
    if (path === '/ready') {
      await ready(res);
      return true;
    }
    if (path === '/metrics') {
      const access = options.metricsAccess ?? 'open';
      if (access === 'off') {
        sendJson(res, 404, { error: 'no route GET /metrics (set METRICS_TOKEN to serve metrics in production)' });
        return true;
      }
      if (access !== 'open' && !bearerMatches(req, access.token)) {
        res.setHeader('www-authenticate', 'Bearer realm="metrics"');
        sendJson(res, 401, { error: '/metrics needs Authorization: Bearer <METRICS_TOKEN>' });
        return true;
      }
      const text = await options.metrics.registry.metrics();
      res.writeHead(200, { 'content-type': options.metrics.registry.contentType, 'cache-control': 'no-store' });
      res.end(text);
      return true;
    }
    return false;
  };
}
