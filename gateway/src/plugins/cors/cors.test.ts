/**
 * CORS headers and preflights, against a real node:http server on port 0.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cors } from './index.js';

describe('cors', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    const handler = cors({ origins: ['https://app.example'] });
    server = createServer((req, res) => {
      if (handler.handle(req, res)) return;
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('answers an allowed preflight with the origin, methods and headers', async () => {
    const response = await fetch(url, { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' } });
    expect(response.status).toBe(204);
    expect(Object.fromEntries([...response.headers].filter(([k]) => k.startsWith('access-control') || k === 'vary'))).toEqual({
      'access-control-allow-origin': 'https://app.example',
      'access-control-allow-methods': 'GET, POST, OPTIONS',
      'access-control-allow-headers': expect.stringMatching(/^content-type, authorization, x-request-id, apollo-require-preflight, .*x-graph360-debug$/),
      'access-control-expose-headers': expect.stringContaining('x-request-id'),
      'access-control-max-age': '600',
      vary: 'Origin',
    });
  });

  it('gives other origins, and requests without one, no CORS headers but still Vary: Origin', async () => {
    for (const headers of [{ origin: 'https://app.example.evil' }, { origin: 'http://app.example' }, {}] as Array<Record<string, string>>) {
      const preflight = await fetch(url, { method: 'OPTIONS', headers });
      const get = await fetch(url, { headers });
      for (const response of [preflight, get]) {
        expect([...response.headers.keys()].filter((k) => k.startsWith('access-control'))).toEqual([]);
        expect(response.headers.get('vary')).toBe('Origin');
      }
      expect(await get.text()).toBe('ok');
    }
  });
});
