/**
 * The connector against the CRM sandbox with faults switched on: retries that succeed,
 * 429s honoured, the breaker opening and closing, a down or hung backend, a refused token
 * — asserted by what the sandbox counted, and never a token in an error or a log line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BackendError, BackendPolicy, type BackendPolicyOptions } from '../../../kit/src/index.js';
import { createCrmSandbox, type CrmSandbox } from '../../../../sandboxes/crm/src/createCrmSandbox.js';
import { HubSpotCrmConnector } from './HubSpotCrmConnector.js';
import { rateLimitWaitMs } from './hubspotErrors.js';

const TOKEN = 'pat-na1-connector-test-secret-7f3a';
const WRONG_TOKEN = 'pat-na1-wrong-secret-91bc';
const logLines: string[] = [];
const logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });

let dataDir: string;
let sandbox: CrmSandbox;
let limited: CrmSandbox;
const open: HubSpotCrmConnector[] = [];

async function sandboxStats(target = sandbox): Promise<{ total: number; operations: Record<string, number>; faults: Record<string, number> }> {
  return (await fetch(`${target.url}/__sandbox/stats`)).json() as never;
}

async function faults(body: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${sandbox.url}/__sandbox/faults`, { method: 'POST', body: JSON.stringify(body) });
  expect(response.status).toBe(200);
}

function connector(policy: Partial<BackendPolicyOptions> = {}, options: { token?: string; url?: string } = {}): HubSpotCrmConnector {
  const created = new HubSpotCrmConnector({
    apiUrl: options.url ?? sandbox.url,
    token: options.token ?? TOKEN,
    policy: new BackendPolicy({ backend: 'crm', timeoutMs: 2000, maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, ...policy }),
    logger,
  });
  open.push(created);
  return created;
}

async function failure(call: Promise<unknown>): Promise<BackendError> {
  const error = await call.then(
    () => new Error('the call succeeded'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BackendError);
  return error as BackendError;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'crm-connector-'));
  const base = { port: 0, host: '127.0.0.1', seed: { seed: 1, scale: 0.1 }, tokens: [TOKEN] };
  sandbox = await createCrmSandbox({ ...base, dataFile: join(dataDir, 'crm.sqlite'), rateLimit: 0 });
  // A second sandbox whose real burst limit (2 per 10 s) answers 429s without Retry-After.
  limited = await createCrmSandbox({ ...base, dataFile: join(dataDir, 'crm-limited.sqlite'), rateLimit: 2 });
});

afterAll(async () => {
  await sandbox?.close();
  await limited?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

beforeEach(async () => {
  await fetch(`${sandbox.url}/__sandbox/faults`, { method: 'DELETE' });
  await fetch(`${sandbox.url}/__sandbox/stats/reset`, { method: 'POST' });
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

describe('HubSpotCrmConnector against the CRM sandbox', () => {
  it('retries a failed read once and then succeeds', async () => {
    await faults({ errorRate: 1, remaining: 1, operations: ['companies.batchRead'] });
    const companies = await connector().getCompanies(['10000001', '10000002']);
    expect([...companies.keys()]).toEqual(['10000001', '10000002']);
    expect(companies.get('10000001')?.name).toBe(sandbox.data.get('companies', '10000001')?.properties.name);
    const stats = await sandboxStats();
    expect(stats.operations).toEqual({ 'companies.batchRead': 2 });
    expect(stats.faults).toEqual({ error: 1 });
  });

  it('honours a 429 with Retry-After, then succeeds', async () => {
    await faults({ rateLimitRate: 1, retryAfterSeconds: 1, remaining: 1 });
    const page = await connector().listCompanies(null, 5);
    expect(page.companies).toHaveLength(5);
    const stats = await sandboxStats();
    expect(stats.operations).toEqual({ 'companies.list': 2 });
    expect(stats.faults).toEqual({ rateLimit: 1 });
  });

  it('derives a bounded wait from HubSpot rate-limit headers when a 429 has no Retry-After', async () => {
    const limitedConnector = connector({ maxAttempts: 1 }, { url: limited.url });
    await limitedConnector.listCompanies(null, 1);
    await limitedConnector.listCompanies(null, 1);
    const error = await failure(limitedConnector.listCompanies(null, 1));
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.retryable).toBe(true);
    // The sandbox sends HubSpot's 10 s window: a tenth of it.
    expect(error.retryAfterMs).toBe(1000);
    expect((await sandboxStats(limited)).operations).toEqual({ 'companies.list': 2, 'rateLimit.rejected': 1 });

    expect(rateLimitWaitMs({ 'retry-after': '3' }, {})).toBe(3000);
    expect(rateLimitWaitMs({ 'x-hubspot-ratelimit-interval-milliseconds': '100000' }, {})).toBe(2000);
    expect(rateLimitWaitMs({ 'x-hubspot-ratelimit-interval-milliseconds': '1000' }, {})).toBe(250);
    expect(rateLimitWaitMs({}, { message: 'You have reached your secondly limit.' })).toBe(1000);
    expect(rateLimitWaitMs({ 'retry-after': '3' }, { policyName: 'DAILY' })).toBeNull();
  });

  it('opens the breaker after repeated failures, fails fast, and closes once the backend is healthy', async () => {
    const halfOpenAfterMs = 300;
    const c = connector({ maxAttempts: 1, breakerThreshold: 3, breakerHalfOpenAfterMs: halfOpenAfterMs });
    await faults({ errorRate: 1 });
    for (let i = 0; i < 3; i++) expect((await failure(c.getCompanies(['10000001']))).code).toBe('BACKEND_ERROR');
    expect(c.policy.breakerState).toBe('open');

    const fast = await failure(c.getCompanies(['10000001']));
    expect(fast.code).toBe('BACKEND_UNAVAILABLE');
    expect(fast.message).toMatch(/circuit open/);
    expect((await sandboxStats()).operations).toEqual({ 'companies.batchRead': 3 });

    await fetch(`${sandbox.url}/__sandbox/faults`, { method: 'DELETE' });
    const deadline = Date.now() + 10 * halfOpenAfterMs;
    let recovered = false;
    while (!recovered && Date.now() < deadline) {
      recovered = await c.getCompanies(['10000001']).then(
        (found) => found.size === 1,
        async (error: unknown) => {
          expect((error as BackendError).code).toBe('BACKEND_UNAVAILABLE');
          await new Promise((resolve) => setTimeout(resolve, 25));
          return false;
        },
      );
    }
    expect(recovered).toBe(true);
    expect(c.policy.breakerState).toBe('closed');
    // Only the one trial call reached the sandbox while the breaker was open.
    expect((await sandboxStats()).operations).toEqual({ 'companies.batchRead': 4 });
  });

  it('reports a down backend as BACKEND_UNAVAILABLE after its attempts', async () => {
    await faults({ down: true });
    const error = await failure(connector({ maxAttempts: 2 }).getCompanies(['10000001']));
    expect(error.code).toBe('BACKEND_UNAVAILABLE');
    expect(error.retryable).toBe(true);
    const stats = await sandboxStats();
    expect(stats.operations).toEqual({ 'companies.batchRead': 2 });
    expect(stats.faults).toEqual({ down: 2 });
  });

  it('aborts an attempt that hangs past the timeout', async () => {
    await faults({ hang: true, remaining: 1 });
    const error = await failure(connector({ timeoutMs: 200, maxAttempts: 1 }).listCompanies(null, 1));
    expect(error.code).toBe('BACKEND_UNAVAILABLE');
    expect(error.message).toMatch(/within 200 ms/);
  });

  it('repeats a PATCH whose attempt failed, since it sets absolute values', async () => {
    await faults({ errorRate: 1, remaining: 1, operations: ['companies.update'] });
    await connector().updateCompany('10000007', { phone: '+1 555 7007' });
    expect(sandbox.data.get('companies', '10000007')?.properties.phone).toBe('+1 555 7007');
    expect((await sandboxStats()).operations).toEqual({ 'companies.update': 2 });
  });

  it('maps a 404 to NOT_FOUND without retrying it', async () => {
    const error = await failure(connector().updateCompany('999', { phone: '+1 555 0000' }));
    expect(error.code).toBe('NOT_FOUND');
    expect((await sandboxStats()).operations).toEqual({ 'companies.update': 1 });
  });

  it('maps a refused token to UNAUTHENTICATED, once, without the token in the message', async () => {
    const error = await failure(connector({}, { token: WRONG_TOKEN }).getCompanies(['10000001']));
    expect(error.code).toBe('UNAUTHENTICATED');
    expect(error.message).toMatch(/CRM_API_TOKEN/);
    expect(error.message).not.toContain(WRONG_TOKEN);
    expect((await sandboxStats()).operations).toEqual({ 'auth.rejected': 1 });
  });

  it('batches contacts and deals of many companies into constant calls', async () => {
    const ids = Array.from({ length: 50 }, (_, i) => String(10_000_001 + i));
    const c = connector();
    const [contacts, deals] = await Promise.all([c.contactsOfCompanies(ids), c.dealsOfCompanies(ids)]);
    for (const id of ids.slice(0, 5)) {
      expect(
        contacts
          .get(id)
          ?.map((contact) => contact.id)
          .sort(),
      ).toEqual(sandbox.data.childIds('contacts', id));
      expect((deals.get(id) ?? []).map((deal) => deal.id).sort()).toEqual(sandbox.data.childIds('deals', id));
    }
    expect((await sandboxStats()).operations).toEqual({ 'associations.companies.deals.batchRead': 1, 'contacts.search': 1, 'deals.batchRead': 1 });
  });

  it('never writes a token to the log', () => {
    expect(logLines.length).toBeGreaterThan(5);
    const all = logLines.join('\n');
    expect(all).not.toContain(TOKEN);
    expect(all).not.toContain(WRONG_TOKEN);
  });
});
