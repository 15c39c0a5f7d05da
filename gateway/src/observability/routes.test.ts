import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayMetrics } from '../metrics.js';
import { operationalRoutes, type OperationalRoutesOptions } from './routes.js';

const TOKEN = 'metrics-token-for-tests-0123456789';
let server: Server | undefined;

async function serve(metricsAccess: OperationalRoutesOptions['metricsAccess']): Promise<string> {
  const routes = operationalRoutes({ metrics: new GatewayMetrics(), supergraph: { isLoaded: true, subgraphs: () => [] }, subgraphUrls: {}, metricsAccess });
  server = createServer((req, res) => {
    void routes(req, res, (req.url ?? '/').split('?')[0]!).then((handled) => {
      if (!handled) res.writeHead(418).end();
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}/metrics`;
}

afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

describe('GET /metrics access', () => {
  it('is open in development by default', async () => {
    const response = await fetch(await serve('open'));
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('# TYPE');
  });

  it('is switched off (404) in production without METRICS_TOKEN', async () => {
    const response = await fetch(await serve('off'), { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('# TYPE');
  });

  it('needs the bearer token when one is configured', async () => {
    const url = await serve({ token: TOKEN });
    for (const headers of [
      {} as Record<string, string>,
      { authorization: 'Bearer wrong-token-wrong-token-x' },
      { authorization: TOKEN },
      { authorization: `Basic ${TOKEN}` },
    ]) {
      const response = await fetch(url, { headers });
      expect(response.status, JSON.stringify(headers)).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
      expect(await response.text()).not.toContain('# TYPE');
    }
    const ok = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('# TYPE');
  });
});
