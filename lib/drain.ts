/**
 * Graceful drain of an HTTP server behind a load balancer, before it closes:
 *
 * 1. begin(): the server is draining. Its /ready answers 503 (the caller's route checks
 *    `draining`), so the balancer's health check takes it out of rotation; meanwhile it
 *    still serves whatever reaches it, and every response carries `Connection: close`, so
 *    each keep-alive connection that brings one more request is closed by the server
 *    right after answering it, politely, instead of being cut while idle.
 * 2. After `delayMs` (long enough for the balancer to see /ready fail: a few of its check
 *    intervals), the caller closes the server: Apollo's drain plugin stops accepting, ends
 *    idle connections and waits for the requests in flight.
 *
 * SHUTDOWN_DRAIN_MS sets the delay (default 0: no balancer to wait for).
 */
import type { Server } from 'node:http';
import { envNumber, type Env } from './env.js';

export interface Drain {
  /** True once begin() was called. */
  readonly draining: boolean;
  /** Starts draining; resolves `delayMs` later. */
  begin(delayMs: number): Promise<void>;
}

export function drainable(server: Server): Drain {
  let draining = false;
  // Before any other listener, so the header is set before a handler writes the head.
  server.prependListener('request', (_req, res) => {
    if (draining) res.setHeader('connection', 'close');
  });
  return {
    get draining() {
      return draining;
    },
    async begin(delayMs) {
      draining = true;
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    },
  };
}

/** The drain delay from SHUTDOWN_DRAIN_MS (0 to 10 minutes), default 0. */
export function shutdownDrainMs(env: Env): number {
  return envNumber(env, 'SHUTDOWN_DRAIN_MS', 0, { min: 0, max: 600_000, integer: true });
}
