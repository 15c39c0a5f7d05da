/**
 * The gateway's configuration, read from the environment once, at the entry point.
 */
import { fileURLToPath } from 'node:url';
import { envPort, envString, envNumber, type Env } from '../../lib/env.js';

export interface GatewayConfig {
  /** Port to listen on (GATEWAY_PORT). Default 4000. */
  port: number;
  /** Interface to listen on (GATEWAY_HOST). Default 127.0.0.1. */
  host: string;
  /** The composed supergraph file (SUPERGRAPH_PATH). Default schema/supergraph.graphql. */
  supergraphPath: string;
  /** Subgraph URLs that replace the ones in the supergraph (<NAME>_SUBGRAPH_URL, e.g. CRM_SUBGRAPH_URL). */
  subgraphUrls: Record<string, string>;
  /** Deadline for one subgraph fetch, in ms (SUBGRAPH_TIMEOUT_MS). Default 10000. */
  subgraphTimeoutMs: number;
  /** Log level (LOG_LEVEL). Default info. */
  logLevel: string;
}

const SUBGRAPH_NAMES = ['crm', 'erp', 'payments'] as const;

export function readGatewayConfig(env: Env): GatewayConfig {
  const subgraphUrls: Record<string, string> = {};
  for (const name of SUBGRAPH_NAMES) {
    const variable = `${name.toUpperCase()}_SUBGRAPH_URL`;
    const url = env[variable];
    if (url) subgraphUrls[name] = url;
  }
  return {
    port: envPort(env, 'GATEWAY_PORT', 4000),
    host: envString(env, 'GATEWAY_HOST', '127.0.0.1'),
    supergraphPath: envString(env, 'SUPERGRAPH_PATH', fileURLToPath(new URL('../../schema/supergraph.graphql', import.meta.url))),
    subgraphUrls,
    subgraphTimeoutMs: envNumber(env, 'SUBGRAPH_TIMEOUT_MS', 10_000, { min: 1, max: 600_000, integer: true }),
    logLevel: envString(env, 'LOG_LEVEL', 'info'),
  };
}
