/**
 * Talking to a gateway the way the caching tests need: the whole answer (status, headers,
 * body, the `extensions.cacheStatus` the gateway reports), APQ requests, counters read from
 * /metrics, sums of sandbox calls, and waiting for a condition with a deadline.
 */
import { createHash } from 'node:crypto';
import type { GraphQLResponse, SandboxName } from './startStack.js';

export interface CacheStatusReport {
  status: 'HIT' | 'PARTIAL' | 'MISS' | 'BYPASS';
  response: 'HIT' | 'MISS' | 'BYPASS';
  entities: { hits: number; misses: number };
  rootFields: { hits: number; misses: number };
  subgraphFetches: number;
  sharedFetches: number;
}

export interface GatewayAnswer<TData> extends GraphQLResponse<TData> {
  status: number;
  headers: Headers;
  extensions?: { cacheStatus?: CacheStatusReport } & Record<string, unknown>;
  cacheStatus: CacheStatusReport;
}

export interface AskOptions {
  headers?: Record<string, string>;
  /** Send only the APQ hash (no query text). */
  hashOnly?: boolean;
  /** Send the APQ hash with the query (registers it). */
  withHash?: boolean;
}

export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

export async function ask<TData = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  options: AskOptions = {},
): Promise<GatewayAnswer<TData>> {
  const persisted = options.hashOnly || options.withHash ? { extensions: { persistedQuery: { version: 1, sha256Hash: sha256Hex(query) } } } : {};
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...options.headers },
    body: JSON.stringify({ ...(options.hashOnly ? {} : { query }), variables, ...persisted }),
  });
  const body = (await response.json()) as GatewayAnswer<TData>;
  return { ...body, status: response.status, headers: response.headers, cacheStatus: body.extensions?.cacheStatus as CacheStatusReport };
}

/** All calls a sandbox served (or all sandboxes), from Stack.stats(). */
export function totalCalls(stats: Record<SandboxName, Record<string, number>>, only?: SandboxName): number {
  return Object.entries(stats)
    .filter(([name]) => only === undefined || name === only)
    .flatMap(([, operations]) => Object.values(operations))
    .reduce((sum, n) => sum + n, 0);
}

/** The value of one counter in the gateway's /metrics (0 when absent). */
export async function metric(graphqlUrl: string, name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(new URL('/metrics', graphqlUrl))).text();
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text
    .split('\n')
    .find((l) => (l.startsWith(`${name}{`) && wanted.every((w) => l.includes(w))) || (wanted.length === 0 && l.startsWith(`${name} `)));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}
