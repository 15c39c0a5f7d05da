/** Where the supergraph comes from, read from the environment (gateway/src/config.ts calls this). */
import { ConfigError, envNumber, envUrl, type Env } from '../../../lib/env.js';

export interface SupergraphUrlConfig {
  /** http(s) URL of the supergraph SDL (SUPERGRAPH_URL). */
  url: string;
  /** Time between polls, in ms (SUPERGRAPH_POLL_INTERVAL_MS). Default 10000, at least 1000. */
  pollIntervalMs: number;
  /** Deadline of one fetch, in ms (SUPERGRAPH_FETCH_TIMEOUT_MS). Default 5000. */
  timeoutMs: number;
  /** Authorization header value sent with each fetch (SUPERGRAPH_URL_AUTHORIZATION), e.g. a CDN access key. */
  authorization: string | undefined;
}

/**
 * SUPERGRAPH_URL and its settings; undefined when the supergraph comes from its file
 * (the default). An explicit SUPERGRAPH_PATH with SUPERGRAPH_URL is refused: one source.
 */
export function readSupergraphUrlConfig(env: Env): SupergraphUrlConfig | undefined {
  const url = env.SUPERGRAPH_URL || undefined;
  if (url === undefined) return undefined;
  if (env.SUPERGRAPH_PATH) {
    throw new ConfigError(
      'SUPERGRAPH_URL',
      'and SUPERGRAPH_PATH are both set; the supergraph comes from one of them: unset SUPERGRAPH_PATH to fetch it from the URL, or SUPERGRAPH_URL to read the file',
    );
  }
  // Not quoted in a message: a query may carry a key.
  envUrl(env, 'SUPERGRAPH_URL', undefined, { echo: false, credentials: 'send them with SUPERGRAPH_URL_AUTHORIZATION' });
  return {
    url,
    pollIntervalMs: envNumber(env, 'SUPERGRAPH_POLL_INTERVAL_MS', 10_000, { min: 1000, max: 86_400_000, integer: true }),
    timeoutMs: envNumber(env, 'SUPERGRAPH_FETCH_TIMEOUT_MS', 5000, { min: 100, max: 600_000, integer: true }),
    authorization: env.SUPERGRAPH_URL_AUTHORIZATION || undefined,
  };
}
