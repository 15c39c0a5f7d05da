/**
 * The operator side: faults switched on at run time answer in HubSpot's own shapes and
 * switch off again; stats count exactly the calls a client made, per operation.
 */
import { Client } from '@hubspot/api-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestSandbox, TEST_TOKEN, UUID, type TestSandbox } from './testSandbox.js';

const COMPANY = '/crm/v3/objects/companies/10000001';

describe('CRM sandbox faults and stats', () => {
  let t: TestSandbox;
  const setFaults = async (faults: unknown): Promise<number> =>
    (await fetch(`${t.url}/__sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) })).status;
  const clearFaults = async (): Promise<number> => (await fetch(`${t.url}/__sandbox/faults`, { method: 'DELETE' })).status;

  beforeAll(async () => {
    t = await startTestSandbox();
  });
  afterAll(() => t.stop());
  beforeEach(async () => {
    expect(await clearFaults()).toBe(200);
    t.sandbox.resetStats();
  });

  it('answers every call with HubSpot 500 body at errorRate 1, and recovers on DELETE', async () => {
    expect(await setFaults({ errorRate: 1 })).toBe(200);
    const failed = await t.call('GET', COMPANY);
    expect(failed.status).toBe(500);
    expect(failed.body).toMatchObject({ status: 'error', category: 'INTERNAL_ERROR' });
    expect((failed.body as { correlationId: string }).correlationId).toMatch(UUID);
    expect(t.sandbox.stats().faults).toEqual({ error: 1 });

    expect(await clearFaults()).toBe(200);
    const recovered = await t.call('GET', COMPANY);
    expect(recovered.status).toBe(200);
    expect((recovered.body as { id: string }).id).toBe('10000001');
  });

  it('injects HubSpot 429 with Retry-After at rateLimitRate 1', async () => {
    await setFaults({ rateLimitRate: 1, retryAfterSeconds: 3 });
    const limited = await t.call('GET', COMPANY);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    expect(limited.body).toMatchObject({ status: 'error', errorType: 'RATE_LIMIT', policyName: 'TEN_SECONDLY_ROLLING', category: 'RATE_LIMITS' });
    // The burst limit headers are on injected answers too.
    expect(limited.headers.get('x-hubspot-ratelimit-max')).toBe('190');
  });

  it('resets connections when down, and faults only the named operations', async () => {
    await setFaults({ down: true });
    await expect(fetch(`${t.url}${COMPANY}`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } })).rejects.toThrow();
    await setFaults({ errorRate: 1, operations: ['deals.'] });
    expect((await t.call('GET', COMPANY)).status).toBe(200);
    expect((await t.call('GET', '/crm/v3/objects/deals/30000001')).status).toBe(500);
  });

  it('still answers correctly with added latency', async () => {
    await setFaults({ latencyMs: 40, jitterMs: 10 });
    const slow = await t.call('POST', '/crm/v3/objects/companies/batch/read', { inputs: [{ id: '10000001' }], properties: ['name'] });
    expect(slow.status).toBe(200);
    expect((slow.body as { results: Array<{ id: string }> }).results.map((r) => r.id)).toEqual(['10000001']);
  });

  it('counts exactly the calls made, per operation, and resets to zero', async () => {
    const client = new Client({ accessToken: TEST_TOKEN, basePath: t.url });
    for (let i = 0; i < 7; i++) await client.crm.companies.basicApi.getById('10000001');
    await client.crm.companies.batchApi.read({ inputs: [{ id: '10000001' }, { id: '10000002' }], properties: [], propertiesWithHistory: [] });
    await client.crm.contacts.searchApi.doSearch({ limit: 1 });
    await client.crm.associations.v4.batchApi.getPage('companies', 'deals', { inputs: [{ id: '10000001' }] });
    expect(t.sandbox.stats()).toEqual({
      total: 10,
      operations: { 'associations.companies.deals.batchRead': 1, 'companies.batchRead': 1, 'companies.getById': 7, 'contacts.search': 1 },
      faults: {},
    });
    const overHttp = (await (await fetch(`${t.url}/__sandbox/stats`)).json()) as { total: number };
    expect(overHttp.total).toBe(10);

    expect((await fetch(`${t.url}/__sandbox/stats/reset`, { method: 'POST' })).status).toBe(200);
    expect(t.sandbox.stats()).toEqual({ total: 0, operations: {}, faults: {} });
  });
});
