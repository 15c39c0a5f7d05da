/**
 * CORS for the HTTP routes, from config.corsOrigins: an allowed origin is echoed in
 * Access-Control-Allow-Origin, a disallowed one gets no CORS header at all (the browser
 * then blocks the response), and every response says `Vary: Origin` so a shared cache
 * never serves one origin's answer to another. Preflights (OPTIONS) are answered here,
 * before any GraphQL handling. `*` in the list allows any origin.
 *
 * This is HTTP middleware rather than an Apollo Server plugin: Apollo's hooks run only
 * for GraphQL operations, and preflights, /metrics or a 413 need the headers too.
 *
 * CSRF prevention is Apollo Server's (on by default): a request without a JSON content
 * type or a preflight-forcing header is refused with 400, so CORS decides who may read
 * responses and CSRF prevention stops simple cross-site requests from executing at all.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface CorsOptions {
  /** Allowed origins, exactly as browsers send them (scheme://host[:port]); `*` for any. */
  origins: readonly string[];
  /** Request headers a browser may send. Default: those the gateway reads. */
  allowHeaders?: readonly string[];
  /** Response headers a browser script may read. Default: x-request-id and the cache status headers. */
  exposeHeaders?: readonly string[];
  /** How long a browser may cache a preflight, in seconds. Default 600. */
  maxAgeSeconds?: number;
}

const DEFAULT_ALLOW_HEADERS = [
  'content-type',
  'authorization',
  'x-request-id',
  'apollo-require-preflight',
  'x-apollo-operation-name',
  'apollographql-client-name',
  'apollographql-client-version',
  // An authorised caller's ask for extensions.cacheStatus in production (cache/).
  'x-graph360-debug',
];
const DEFAULT_EXPOSE_HEADERS = ['x-request-id', 'x-cache', 'x-cache-status'];

export interface Cors {
  /**
   * Sets the CORS headers of a response. Returns true when the request was a preflight
   * and has been answered (the caller must not touch `res` again).
   */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
}

export function cors(options: CorsOptions): Cors {
  const anyOrigin = options.origins.includes('*');
  const allowed = new Set(options.origins);
  const allowHeaders = (options.allowHeaders ?? DEFAULT_ALLOW_HEADERS).join(', ');
  const exposeHeaders = (options.exposeHeaders ?? DEFAULT_EXPOSE_HEADERS).join(', ');
  const maxAge = String(options.maxAgeSeconds ?? 600);

  return {
    handle(req, res) {
      res.setHeader('vary', 'Origin');
      const origin = req.headers.origin;
      const permitted = typeof origin === 'string' && (anyOrigin || allowed.has(origin));
      if (permitted) {
        res.setHeader('access-control-allow-origin', anyOrigin ? '*' : origin);
        res.setHeader('access-control-expose-headers', exposeHeaders);
      }
      if (req.method !== 'OPTIONS') return false;
      if (permitted) {
        res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
        res.setHeader('access-control-allow-headers', allowHeaders);
        res.setHeader('access-control-max-age', maxAge);
      }
      res.setHeader('allow', 'GET, POST, OPTIONS');
      res.statusCode = 204;
      res.end();
      return true;
    },
  };
}
