/**
 * A client's writes survive a crash: the sandbox runs as a real process (index.ts, port 0,
 * a temp data dir), is SIGKILLed after an update and a create, and a new process on the
 * same data dir reads both back and goes on numbering records after them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnService, type SpawnedService } from '../../../test/helpers/spawnService.js';
import { TEST_SCALE, TEST_TOKEN } from './testSandbox.js';

const headers = { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' };

async function call(service: SpawnedService, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${service.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('CRM sandbox durability', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'crm-durability-'));
  const started: SpawnedService[] = [];
  const start = async (): Promise<SpawnedService> => {
    const service = await spawnService({
      entry: 'sandboxes/crm/src/index.ts',
      env: { CRM_SANDBOX_PORT: '0', SANDBOX_DATA_DIR: dataDir, SANDBOX_SCALE: TEST_SCALE },
    });
    started.push(service);
    return service;
  };
  afterAll(async () => {
    await Promise.all(started.map((service) => service.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps an update and a create across SIGKILL and restart', async () => {
    const first = await start();
    expect(first.output()).toMatch(/\[crm sandbox\] listening on http:\/\/127\.0\.0\.1:\d+ /);
    const updated = await call(first, 'PATCH', '/crm/v3/objects/companies/10000003', { properties: { name: 'Survivor Inc', city: 'Lisbon' } });
    expect(updated.status).toBe(200);
    const created = await call(first, 'POST', '/crm/v3/objects/deals', {
      properties: { dealname: 'Kept deal', amount: '1500.00', dealstage: 'qualifiedtobuy', pipeline: 'default' },
      associations: [{ to: { id: '10000003' }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 341 }] }],
    });
    expect(created.status).toBe(201);
    await first.kill();
    expect(first.child.signalCode).toBe('SIGKILL');

    const second = await start();
    const company = await call(second, 'GET', '/crm/v3/objects/companies/10000003?properties=name,city');
    expect(company.body.properties).toMatchObject({
      name: 'Survivor Inc',
      city: 'Lisbon',
      hs_lastmodifieddate: (updated.body as { updatedAt: string }).updatedAt,
    });
    const deal = await call(second, 'GET', `/crm/v3/objects/deals/${String(created.body.id)}?properties=dealname,amount&associations=companies`);
    expect(deal.body).toMatchObject({
      properties: { dealname: 'Kept deal', amount: '1500.00' },
      associations: { companies: { results: [{ id: '10000003' }, { id: '10000003' }] } },
    });
    const next = await call(second, 'POST', '/crm/v3/objects/deals', {
      properties: { dealname: 'After restart', dealstage: 'qualifiedtobuy', pipeline: 'default' },
    });
    expect(Number(next.body.id)).toBe(Number(created.body.id) + 1);

    await second.stop();
    expect(second.child.exitCode).toBe(0);
  });
});
