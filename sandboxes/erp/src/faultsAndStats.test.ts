import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { executeKw, rpc, startSandbox, type RunningSandbox } from './testSupport.js';
import { serializeMethodCall } from '../../../lib/xmlrpc/serialize.js';

describe('ERP sandbox faults and stats', () => {
  let running: RunningSandbox;
  const post = (path: string, body: string): Promise<Response> =>
    fetch(`${running.url}${path}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body });
  const version = (): Promise<Response> => post('/xmlrpc/2/common', serializeMethodCall('version', []));
  const setFaults = async (faults: Record<string, unknown>): Promise<void> => {
    const response = await fetch(`${running.url}/__sandbox/faults`, { method: 'POST', body: JSON.stringify(faults) });
    expect(response.status).toBe(200);
  };
  const clearFaults = async (): Promise<void> => {
    expect((await fetch(`${running.url}/__sandbox/faults`, { method: 'DELETE' })).status).toBe(200);
  };

  beforeAll(async () => {
    running = await startSandbox();
  });
  afterAll(async () => {
    await running?.stop();
  });
  beforeEach(async () => {
    await clearFaults();
    await fetch(`${running.url}/__sandbox/stats/reset`, { method: 'POST' });
  });

  it('answers an injected error with the reverse proxy 503 page, and recovers when faults are cleared', async () => {
    await setFaults({ errorRate: 1 });
    const response = await version();
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toBe('text/html');
    expect(await response.text()).toContain('<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n<hr><center>nginx</center>');
    await clearFaults();
    const ok = await version();
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('<name>server_version</name>');
  });

  it('answers an injected rate limit with 429 and Retry-After', async () => {
    await setFaults({ rateLimitRate: 1, retryAfterSeconds: 7 });
    const response = await version();
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(await response.text()).toContain('429 Too Many Requests');
  });

  it('resets the connection when down', async () => {
    await setFaults({ down: true });
    const failure = await version().then(
      () => undefined,
      (error: unknown) => error as Error & { cause?: { code?: string } },
    );
    expect(failure).toBeInstanceOf(TypeError);
    expect(['ECONNRESET', 'UND_ERR_SOCKET']).toContain(failure?.cause?.code);
    await clearFaults();
    expect((await version()).status).toBe(200);
  });

  it('runs a call and loses its answer with lostAnswer: the write is made, the caller sees a reset', async () => {
    const partnerId = (await executeKw(running.url, 'res.partner', 'search', [[]], { limit: 1 })) as number[];
    await setFaults({ lostAnswer: true, operations: ['res.partner.write'], remaining: 1 });
    const failure = await executeKw(running.url, 'res.partner', 'write', [partnerId, { phone: '+1 555 0199' }]).then(
      () => undefined,
      (error: unknown) => error as Error & { cause?: { code?: string } },
    );
    expect(failure).toBeInstanceOf(Error);
    const [partner] = (await executeKw(running.url, 'res.partner', 'read', [partnerId], { fields: ['phone'] })) as Array<{ phone: string }>;
    expect(partner!.phone).toBe('+1 555 0199');
  });

  it('limits faults to the operations named', async () => {
    await setFaults({ errorRate: 1, operations: ['sale.order.'] });
    await expect(executeKw(running.url, 'sale.order', 'search', [[]], { limit: 1 })).rejects.toThrow('HTTP 503');
    await expect(executeKw(running.url, 'res.partner', 'search', [[]], { limit: 1 })).resolves.toEqual([expect.any(Number)]);
  });

  it('serves the db service, and string fault codes on the legacy endpoint', async () => {
    expect(await rpc(running.url, '/xmlrpc/2/db', 'list', [])).toEqual({ kind: 'params', value: ['sandbox'] });
    expect(await rpc(running.url, '/xmlrpc/object', 'execute_kw', ['sandbox', 2, 'wrong', 'res.partner', 'search', [[]]])).toEqual({
      kind: 'fault',
      faultCode: 'AccessDenied',
      faultString: 'Access Denied',
    });
    expect(await rpc(running.url, '/xmlrpc/object', 'execute_kw', ['sandbox', 2, 'admin', 'sale.order', 'write', [[999_999], { state: 'sale' }]])).toEqual({
      kind: 'fault',
      faultCode: 'warning -- MissingError\n\nRecord does not exist or has been deleted.\n(Record: sale.order(999999,), User: 2)',
      faultString: '',
    });
    const wrongDb = await rpc(running.url, '/xmlrpc/2/common', 'authenticate', ['nope', 'admin', 'admin', {}]);
    expect(wrongDb.kind === 'fault' && wrongDb.faultString.trim().split('\n').at(-1)).toMatch(/^psycopg2.OperationalError: .*database "nope" does not exist$/);
  });

  it('counts every call under its operation name, and resets to zero', async () => {
    await version();
    await rpc(running.url, '/xmlrpc/2/common', 'authenticate', ['sandbox', 'admin', 'admin', {}]);
    await rpc(running.url, '/xmlrpc/2/common', 'authenticate', ['sandbox', 'admin', 'wrong', {}]);
    for (let i = 0; i < 3; i++) await executeKw(running.url, 'res.partner', 'search_read', [[['id', '=', 1]]], { fields: ['name'] });
    await executeKw(running.url, 'sale.order', 'create', [{ partner_id: 1 }]);
    await rpc(running.url, '/xmlrpc/2/object', 'execute', ['sandbox', 2, 'admin', 'sale.order', 'search_count', []]);
    const rejected = await rpc(running.url, '/xmlrpc/2/object', 'execute_kw', ['sandbox', 2, 'wrong', 'res.partner', 'search', [[]]]);
    expect(rejected).toEqual({ kind: 'fault', faultCode: 3, faultString: 'Access Denied' });
    await expect(executeKw(running.url, 'no.such.model', 'search', [[]])).rejects.toThrow("fault 2: Object no.such.model doesn't exist");
    const malformed = await post('/xmlrpc/2/object', '<methodCall><methodName>execute_kw');
    expect(malformed.status).toBe(200);
    expect(await malformed.text()).toContain('xml.parsers.expat.ExpatError');
    // Not product operations: not counted.
    expect((await fetch(`${running.url}/xmlrpc/2/common`)).status).toBe(405);
    expect((await fetch(`${running.url}/web/login`)).status).toBe(404);

    const stats = (await (await fetch(`${running.url}/__sandbox/stats`)).json()) as { total: number; operations: Record<string, number> };
    expect(stats.operations).toEqual({
      'auth.rejected': 1,
      'common.authenticate': 2,
      'common.version': 1,
      'object.unknown': 1,
      'res.partner.search_read': 3,
      'sale.order.create': 1,
      'sale.order.search_count': 1,
      'xmlrpc.malformed': 1,
    });
    expect(stats.total).toBe(11);
    const reset = (await (await fetch(`${running.url}/__sandbox/stats/reset`, { method: 'POST' })).json()) as {
      total: number;
      operations: Record<string, number>;
    };
    expect(reset).toMatchObject({ total: 0, operations: {} });
  });
});
