import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { serverLifecycle } from './serverLifecycle.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

function server(): Server {
  const s = createServer((_req, res) => res.end('ok'));
  servers.push(s);
  return s;
}

describe('serverLifecycle', () => {
  it('listens on a free port for port 0 and says where', async () => {
    const url = await serverLifecycle(server()).listen(0);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(url).not.toMatch(/:0$/);
    expect(await (await fetch(url)).text()).toBe('ok');
  });

  it('rejects with the listen error on a port another server holds', async () => {
    const url = await serverLifecycle(server()).listen(0);
    const port = Number(new URL(url).port);
    await expect(serverLifecycle(server()).listen(port)).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });

  it('puts an IPv6 host in brackets', async () => {
    const lifecycle = serverLifecycle(server());
    const url = await lifecycle.listen(0, '::1').catch((error: NodeJS.ErrnoException) => {
      // A machine without IPv6 loopback: nothing to check here.
      if (error.code === 'EADDRNOTAVAIL' || error.code === 'EAFNOSUPPORT') return undefined;
      throw error;
    });
    if (url !== undefined) expect(url).toMatch(/^http:\/\/\[::1\]:\d+$/);
  });

  it('close() ends the connections clients hold open (idle keep-alive, raw), and resolves', async () => {
    const s = server();
    const lifecycle = serverLifecycle(s);
    let accepted = 0;
    const bothAccepted = new Promise<void>((resolve) => s.on('connection', () => ++accepted === 2 && resolve()));
    const url = new URL(await lifecycle.listen(0));
    const raw = connect(Number(url.port), url.hostname);
    raw.on('error', () => undefined);
    const rawClosed = new Promise((resolve) => raw.once('close', resolve));
    const keptAlive = connect(Number(url.port), url.hostname);
    keptAlive.on('error', () => undefined);
    const keptAliveClosed = new Promise((resolve) => keptAlive.once('close', resolve));
    // One request answered, the connection kept open for the next.
    const answered = new Promise((resolve) => keptAlive.once('data', resolve));
    keptAlive.write(`GET / HTTP/1.1\r\nhost: ${url.host}\r\nconnection: keep-alive\r\n\r\n`);
    await Promise.all([bothAccepted, answered]);
    await lifecycle.close();
    await Promise.all([rawClosed, keptAliveClosed]);
    expect(s.listening).toBe(false);
  });

  it('close() of a server that never listened resolves', async () => {
    await expect(serverLifecycle(server()).close()).resolves.toBeUndefined();
  });
});
