import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from './env.js';
import { drainable, shutdownDrainMs } from './drain.js';

/** One GET on a fresh connection: the status and the Connection header of the answer. */
function get(server: Server): Promise<{ status: number; connection: string | undefined }> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false, headers: { connection: 'keep-alive' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('drainable', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('keeps serving once draining, but every response closes its connection; begin resolves after the delay', async () => {
    server = createServer((_req, res) => res.end('ok'));
    const drain = drainable(server);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    expect(drain.draining).toBe(false);
    expect(await get(server)).toEqual({ status: 200, connection: 'keep-alive' });
    const started = Date.now();
    const drained = drain.begin(100);
    expect(drain.draining).toBe(true);
    expect(await get(server)).toEqual({ status: 200, connection: 'close' });
    await drained;
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
  });
});

describe('shutdownDrainMs', () => {
  it('reads SHUTDOWN_DRAIN_MS, 0 by default, and refuses what is not a whole number of ms', () => {
    expect(shutdownDrainMs({})).toBe(0);
    expect(shutdownDrainMs({ SHUTDOWN_DRAIN_MS: '5000' })).toBe(5000);
    expect(() => shutdownDrainMs({ SHUTDOWN_DRAIN_MS: '-1' })).toThrow(ConfigError);
    expect(() => shutdownDrainMs({ SHUTDOWN_DRAIN_MS: 'soon' })).toThrow(/SHUTDOWN_DRAIN_MS/);
  });
});
