/**
 * An in-process HTTP server that serves a supergraph the way Apollo Uplink or the Hive CDN
 * does, for SUPERGRAPH_URL tests: the SDL with an ETag, 304 to an If-None-Match naming the
 * current ETag, and on demand a 500 or no answer at all. It records the If-None-Match and
 * Authorization of every request.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SupergraphRequest {
  ifNoneMatch: string | undefined;
  authorization: string | undefined;
  /** What the server answered. */
  status: number | 'hung';
}

export interface SupergraphServer {
  url: string;
  /** Serves `sdl` under `etag` from now on (no ETag header when undefined). */
  serve(sdl: string, etag: string | undefined): void;
  /** `ok` serves the SDL; `fail` answers 500; `hang` never answers (until close). */
  mode: 'ok' | 'fail' | 'hang';
  readonly requests: SupergraphRequest[];
  /** Resolves once `count` more requests than now have arrived. */
  nextRequests(count?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startSupergraphServer(sdl: string, etag: string | undefined): Promise<SupergraphServer> {
  let current = { sdl, etag };
  const requests: SupergraphRequest[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const hung = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const header = (name: string): string | undefined => {
      const value = req.headers[name];
      return Array.isArray(value) ? value.join(', ') : value;
    };
    const record = (status: SupergraphRequest['status']): void => {
      requests.push({ ifNoneMatch: header('if-none-match'), authorization: header('authorization'), status });
      for (const waiter of [...waiters]) {
        if (requests.length >= waiter.count) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    };
    if (handle.mode === 'hang') {
      hung.add(res);
      return record('hung');
    }
    if (handle.mode === 'fail') {
      res.writeHead(500, { 'content-type': 'text/plain' }).end('upstream trouble');
      return record(500);
    }
    if (current.etag !== undefined && header('if-none-match') === current.etag) {
      res.writeHead(304, { etag: current.etag }).end();
      return record(304);
    }
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', ...(current.etag !== undefined ? { etag: current.etag } : {}) }).end(current.sdl);
    record(200);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const handle: SupergraphServer = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/supergraph.graphql`,
    serve(sdl, etag) {
      current = { sdl, etag };
    },
    mode: 'ok',
    requests,
    nextRequests(count = 1) {
      return new Promise((resolve) => waiters.push({ count: requests.length + count, resolve }));
    },
    async close() {
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return handle;
}
