/**
 * HTTP as a misbehaving client speaks it, on a raw socket: what fetch and node:http
 * cannot be made to do (send half a body and hang up).
 */
import { connect } from 'node:net';

/** Sends a POST's headers and the first `sent` characters of its body on a raw socket, then destroys the socket once `before` resolves. */
export async function abortedPost(
  url: string,
  body: string,
  sent: number,
  headers: Record<string, string> = {},
  before: () => Promise<unknown> = async () => undefined,
): Promise<void> {
  const { hostname, port, pathname } = new URL(url);
  const socket = connect(Number(port), hostname);
  socket.on('error', () => undefined);
  const head = Object.entries({ host: hostname, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers })
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  await new Promise<void>((resolve) => socket.write(`POST ${pathname} HTTP/1.1\r\n${head}\r\n${body.slice(0, sent)}`, () => resolve()));
  await before();
  socket.destroy();
}
