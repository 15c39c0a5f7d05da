/**
 * lib/responseBody.ts: bodies reach the client byte for byte (ASCII, multi-byte text,
 * lone surrogates), with a matching Content-Length, whatever their size; a buffer goes
 * back to the free list only once its response is written, so a client that reads slowly
 * (here: over a Unix socket) still gets its own body intact while many other responses
 * reuse memory meanwhile.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, get, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endWithBody, keptResponseBuffers } from './responseBody.js';
import { until } from '../test/support.js';

/** A JSON-like body of about `chars` characters whose content depends on `seed`. */
function bodyOf(seed: number, chars: number, extra = ''): string {
  const parts: string[] = [];
  let length = 0;
  for (let i = 0; length < chars; i++) {
    const part = `{"id":"${seed}-${i}","text":"row ${i} of ${seed}${extra}"},`;
    parts.push(part);
    length += part.length;
  }
  return `[${parts.join('')}null]`;
}

const bodies = new Map<string, string>([
  ['small', bodyOf(1, 100)],
  ['ascii', bodyOf(2, 90_000)],
  ['latin1', bodyOf(3, 90_000, ' café ü')],
  ['wide', bodyOf(4, 90_000, ' 支払い 💳')],
  // A lone surrogate becomes U+FFFD, as with Buffer.from.
  ['surrogate', bodyOf(5, 20_000, ' \ud800 ')],
  ['huge', bodyOf(6, 3_000_000)],
]);

const LARGE = 2_000_000;
let server: Server;
let unixServer: Server;
let port: number;
let socketPath: string;
let sentOnSocket = 0;

function getOverSocket(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ socketPath, path }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      response.on('error', reject);
    }).on('error', reject);
  });
}

beforeAll(async () => {
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const name = (req.url ?? '/').slice(1);
    const seed = /^seed-(\d+)$/.exec(name);
    const body = seed ? bodyOf(Number(seed[1]), LARGE) : bodies.get(name);
    if (body === undefined) {
      res.statusCode = 404;
      res.end();
      return;
    }
    res.setHeader('content-type', 'application/json; charset=utf-8');
    endWithBody(res, body);
    if (req.socket.remoteAddress === undefined) sentOnSocket++;
  };
  server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  socketPath = join(mkdtempSync(join(tmpdir(), 'response-body-')), 'http.sock');
  unixServer = createServer(handler);
  await new Promise<void>((resolve) => unixServer.listen(socketPath, resolve));
});

afterAll(async () => {
  for (const each of [server, unixServer]) {
    each.closeAllConnections();
    await new Promise((resolve) => each.close(resolve));
  }
  rmSync(dirname(socketPath), { recursive: true, force: true });
});

describe('endWithBody', () => {
  it.each([...bodies.keys()])('sends the %s body byte for byte with its Content-Length', async (name) => {
    const response = await fetch(`http://127.0.0.1:${port}/${name}`);
    const bytes = Buffer.from(await response.arrayBuffer());
    const expected = Buffer.from(bodies.get(name)!);
    expect(Number(response.headers.get('content-length'))).toBe(expected.length);
    expect(bytes.equals(expected)).toBe(true);
  });

  it('keeps buffers for reuse once responses are written', async () => {
    for (let i = 0; i < 3; i++) await (await fetch(`http://127.0.0.1:${port}/ascii`)).arrayBuffer();
    expect(keptResponseBuffers()).toBeGreaterThan(0);
  });

  it('does not reuse the memory of a response still being written', async () => {
    // Over a Unix socket, whose kernel buffers hold a few hundred kilobytes: a client that
    // does not read leaves most of its 2 MB body unwritten in node:http meanwhile.
    const slow = connect(socketPath);
    await new Promise<void>((resolve) => slow.once('connect', resolve));
    const received: Buffer[] = [];
    slow.pause();
    slow.on('data', (chunk: Buffer) => received.push(chunk));
    slow.write('GET /seed-1000 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    await until('the first bytes on the socket', () => sentOnSocket >= 1, 15_000, 5);

    // Other responses of the same size meanwhile, one after another, each checked.
    for (let i = 0; i < 8; i++) expect(await getOverSocket(`/seed-${i}`)).toBe(bodyOf(i, LARGE));

    slow.resume();
    await new Promise<void>((resolve) => slow.once('end', resolve));
    const raw = Buffer.concat(received).toString('utf8');
    expect(raw.slice(raw.indexOf('\r\n\r\n') + 4)).toBe(bodyOf(1000, LARGE));
  });
});
