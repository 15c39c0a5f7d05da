import type { Server } from 'node:http';
/**
 * Keep-alive on the server side outlasts its clients' idle pools. Node's default (5 s) is
 * shorter than many clients' (node-fetch and undici without the Keep-Alive hint reuse a
 * socket for longer): the server then closes an idle socket just as a client writes a new
 * request on it, and that request fails with "socket hang up" / ECONNRESET. 65 s is longer
 * than common client and load-balancer idle timeouts (60 s); headers must arrive within
 * a little more than that.
 */
export const SERVER_KEEP_ALIVE_MS = 65_000;

export function keepConnectionsAlive(server: Server): void {
  server.keepAliveTimeout = SERVER_KEEP_ALIVE_MS;
  server.headersTimeout = SERVER_KEEP_ALIVE_MS + 1_000;
}
