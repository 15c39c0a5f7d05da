/**
 * The client's IP address, for rate limiting anonymous requests: the socket's peer, or,
 * behind `trustedHops` proxies (TRUST_PROXY_HOPS), the address the outermost trusted
 * proxy saw, i.e. the entry that many places from the right of X-Forwarded-For. Entries
 * further left are written by the client and never trusted.
 */
import type { IncomingMessage } from 'node:http';

export function clientIpOf(req: IncomingMessage, trustedHops: number): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (trustedHops <= 0) return peer;
  const header = req.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const chain = [...forwarded, peer];
  return chain[Math.max(0, chain.length - 1 - trustedHops)]!;
}
