/**
 * The connector against the ERP sandbox with faults switched on (retries that succeed,
 * 429s honoured, the breaker opening and closing, a down or hung backend, a create that
 * is never repeated), asserted by what the sandbox counted; and against a scripted
 * XML-RPC server for what the sandbox cannot be made to do (a session Odoo stops
 * accepting, a fault that echoes the password).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BackendError, BackendPolicy, type BackendPolicyOptions } from '../../../kit/src/index.js';
import {
  parseMethodCall,
  parseMethodResponse,
  serializeFault,
  serializeMethodCall,
  serializeResponse,
  type XmlRpcValue,
} from '../../../../lib/xmlrpc/index.js';
import { createErpSandbox, type ErpSandbox } from '../../../../sandboxes/erp/src/createErpSandbox.js';
import { readErpSandboxConfig } from '../../../../sandboxes/erp/src/config.js';
import { OdooErpConnector } from './OdooErpConnector.js';

const PASSWORD = 'odoo-api-key-connector-5b2d-secret';
const logLines: string[] = [];
const logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });

let dataDir: string;
let sandbox: ErpSandbox;
let sandboxUrl: string;
const open: OdooErpConnector[] = [];

interface SandboxStats {
  operations: Record<string, number>;
  faults: Record<string, number>;
}
async function sandboxStats(): Promise<SandboxStats> {
  return (await fetch(`${sandboxUrl}/__sandbox/stats`)).json() as Promise<SandboxStats>;
}
async function faults(body: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${sandboxUrl}/__sandbox/faults`, { method: 'POST', body: JSON.stringify(body) });
  expect(response.status).toBe(200);
}
const clearFaults = () => fetch(`${sandboxUrl}/__sandbox/faults`, { method: 'DELETE' });
const resetStats = () => fetch(`${sandboxUrl}/__sandbox/stats/reset`, { method: 'POST' });

async function odoo<T>(model: string, method: string, args: XmlRpcValue[], kwargs: Record<string, XmlRpcValue> = {}): Promise<T> {
  const response = await fetch(`${sandboxUrl}/xmlrpc/2/object`, {
    method: 'POST',
    body: serializeMethodCall('execute_kw', ['sandbox', 2, PASSWORD, model, method, args, kwargs]),
  });
  const parsed = parseMethodResponse(await response.text());
  if (parsed.kind === 'fault') throw new Error(parsed.faultString);
  return parsed.value as T;
}

function connector(policy: Partial<BackendPolicyOptions> = {}, options: { url?: string; password?: string } = {}): OdooErpConnector {
  const created = new OdooErpConnector({
    url: options.url ?? sandboxUrl,
    db: 'sandbox',
    username: 'admin',
    password: options.password ?? PASSWORD,
    policy: new BackendPolicy({ backend: 'erp', timeoutMs: 2000, maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, ...policy }),
    logger,
  });
  open.push(created);
  return created;
}

/** A connector that has logged in already, with the sandbox's counters reset after it did. */
async function loggedIn(policy: Partial<BackendPolicyOptions> = {}): Promise<OdooErpConnector> {
  const created = connector(policy);
  await created.partnersByRefs(['10000001']);
  await resetStats();
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
  dataDir = mkdtempSync(join(tmpdir(), 'erp-connector-'));
  sandbox = await createErpSandbox(
    readErpSandboxConfig({ SANDBOX_DATA_DIR: dataDir, SANDBOX_SCALE: '0.05', ERP_SANDBOX_PORT: '0', ERP_SANDBOX_PASSWORD: PASSWORD }),
  );
  sandboxUrl = await sandbox.listen();
});

afterAll(async () => {
  await sandbox?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

beforeEach(async () => {
  await clearFaults();
  await resetStats();
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

describe('OdooErpConnector against the ERP sandbox', () => {
  it('logs in once and reads partners, orders, lines and invoices in one call each', async () => {
    const c = connector();
    const partners = await c.partnersByRefs(['10000001', '10000002', 'unknown']);
    expect(partners.map((p) => p.ref)).toEqual(['10000001', '10000002']);
    const ids = partners.map((p) => p.id);
    const [orders, invoices] = await Promise.all([c.ordersOfPartners(ids), c.invoicesOfPartners(ids)]);
    const lines = await c.linesOfOrders(orders.map((o) => o.id));
    const direct = await odoo<number[]>('sale.order', 'search', [[['partner_id', 'in', ids]]], { order: 'date_order desc, id desc' });
    expect(orders.map((o) => o.id)).toEqual(direct);
    expect(lines.length).toBeGreaterThanOrEqual(orders.length);
    expect(invoices.every((i) => i.moveType === 'out_invoice' && i.state === 'posted')).toBe(true);
    expect((await sandboxStats()).operations).toEqual({
      'common.authenticate': 1,
      'res.partner.search_read': 1,
      'sale.order.search_read': 1,
      'account.move.search_read': 1,
      'sale.order.line.search_read': 1,
      'sale.order.search': 1,
    });
  });

  it('retries a read that met a 503 once, then succeeds', async () => {
    const c = await loggedIn();
    await faults({ errorRate: 1, remaining: 1, operations: ['sale.order.'] });
    const orders = await c.ordersOfPartners([1]);
    expect(orders.length).toBeGreaterThan(0);
    const stats = await sandboxStats();
    expect(stats.operations).toEqual({ 'sale.order.search_read': 2 });
    expect(stats.faults).toEqual({ error: 1 });
  });

  it('honours a 429 with Retry-After, then succeeds', async () => {
    const c = await loggedIn();
    await faults({ rateLimitRate: 1, retryAfterSeconds: 1, remaining: 1 });
    const products = await c.readProducts([1, 2]);
    expect(products.map((p) => p.id)).toEqual([1, 2]);
    const stats = await sandboxStats();
    expect(stats.operations).toEqual({ 'product.product.read': 2 });
    expect(stats.faults).toEqual({ rateLimit: 1 });
  });

  it('reports a 429 whose wait is too long as RATE_LIMITED at once', async () => {
    const c = await loggedIn();
    // remaining: 2, because the sandbox writes Retry-After from its fault settings after
    // counting the call down, and the last counted call sees the defaults (1 s) again.
    await faults({ rateLimitRate: 1, retryAfterSeconds: 60, remaining: 2 });
    const error = await failure(c.readProducts([1]));
    expect(error).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 60_000 });
    expect((await sandboxStats()).operations).toEqual({ 'product.product.read': 1 });
  });

  it('opens the breaker after repeated failures, fails fast, and closes once the backend is healthy', async () => {
    const halfOpenAfterMs = 300;
    const c = await loggedIn({ maxAttempts: 1, breakerThreshold: 3, breakerHalfOpenAfterMs: halfOpenAfterMs });
    await faults({ errorRate: 1 });
    for (let i = 0; i < 3; i++) expect((await failure(c.readProducts([1]))).code).toBe('BACKEND_UNAVAILABLE');
    expect(c.policy.breakerState).toBe('open');

    const fast = await failure(c.readProducts([1]));
    expect(fast.code).toBe('BACKEND_UNAVAILABLE');
    expect(fast.message).toMatch(/circuit open/);
    expect((await sandboxStats()).operations).toEqual({ 'product.product.read': 3 });

    await clearFaults();
    const deadline = Date.now() + 10 * halfOpenAfterMs;
    let recovered = false;
    while (!recovered && Date.now() < deadline) {
      recovered = await c.readProducts([1]).then(
        (found) => found.length === 1,
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
    expect((await sandboxStats()).operations).toEqual({ 'product.product.read': 4 });
  });

  it('reports a down backend as BACKEND_UNAVAILABLE after its attempts', async () => {
    const c = await loggedIn({ maxAttempts: 2 });
    await faults({ down: true });
    const error = await failure(c.readOrders([1]));
    expect(error).toMatchObject({ code: 'BACKEND_UNAVAILABLE', retryable: true });
    const stats = await sandboxStats();
    expect(stats.operations).toEqual({ 'sale.order.read': 2 });
    expect(stats.faults).toEqual({ down: 2 });
  });

  it('aborts an attempt that hangs past the timeout', async () => {
    const c = await loggedIn({ timeoutMs: 200, maxAttempts: 1 });
    await faults({ hang: true, remaining: 1 });
    const error = await failure(c.countProducts({ search: null, inStockOnly: false }));
    expect(error.code).toBe('BACKEND_UNAVAILABLE');
    expect(error.message).toMatch(/within 200 ms/);
  });

  it('never repeats a create, even when its attempt failed', async () => {
    const c = await loggedIn();
    const before = await odoo<number>('sale.order', 'search_count', [[]]);
    await resetStats();
    await faults({ errorRate: 1, remaining: 1, operations: ['sale.order.create'] });
    const error = await failure(c.createSalesOrder(1, [{ productId: 1, quantity: 2 }]));
    expect(error.code).toBe('BACKEND_UNAVAILABLE');
    expect((await sandboxStats()).operations).toEqual({ 'sale.order.create': 1 });
    expect(await odoo<number>('sale.order', 'search_count', [[]])).toBe(before);
  });

  it('creates and confirms an order, writing its state where action_confirm does not exist, and retrying that write', async () => {
    const c = await loggedIn();
    await faults({ errorRate: 1, remaining: 1, operations: ['sale.order.write'] });
    const id = await c.createSalesOrder(2, [{ productId: 3, quantity: 4 }]);
    // action_confirm is unknown to the sandbox (object.unknown); the write met a 503 and was repeated.
    expect((await sandboxStats()).operations).toEqual({ 'sale.order.create': 1, 'object.unknown': 1, 'sale.order.write': 2 });
    const [order] = await odoo<Array<{ state: string; partner_id: [number, string]; order_line: number[] }>>('sale.order', 'read', [[id]], {
      fields: ['state', 'partner_id', 'order_line'],
    });
    expect(order).toMatchObject({ state: 'sale', partner_id: [2, expect.any(String)] });
    const [line] = await odoo<Array<{ product_id: [number, string]; product_uom_qty: number }>>('sale.order.line', 'read', [order!.order_line], {
      fields: ['product_id', 'product_uom_qty'],
    });
    expect(line).toMatchObject({ product_id: [3, expect.any(String)], product_uom_qty: 4 });

    // Once it knows, the connector creates confirmed orders in one call.
    await resetStats();
    const second = await c.createSalesOrder(2, [{ productId: 3, quantity: 1 }]);
    expect((await sandboxStats()).operations).toEqual({ 'sale.order.create': 1 });
    expect((await odoo<Array<{ state: string }>>('sale.order', 'read', [[second]], { fields: ['state'] }))[0]!.state).toBe('sale');
  });

  it('names the order when it was created but could not be confirmed', async () => {
    const c = await loggedIn({ maxAttempts: 1 });
    await faults({ down: true, operations: ['sale.order.write'] });
    const error = await failure(c.createSalesOrder(2, [{ productId: 1, quantity: 1 }]));
    expect(error.code).toBe('BACKEND_UNAVAILABLE');
    expect(error.message).toMatch(/^Sales order \d+ was created in the ERP as a quotation but could not be confirmed/);
    const orderId = Number(error.details.orderId);
    expect((await odoo<Array<{ state: string }>>('sale.order', 'read', [[orderId]], { fields: ['state'] }))[0]!.state).toBe('draft');
  });

  it("turns Odoo's ValidationError into BAD_USER_INPUT, without retrying it", async () => {
    const c = await loggedIn();
    const error = await failure(c.createSalesOrder(999_999, [{ productId: 1, quantity: 1 }]));
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.message).toMatch(/^The ERP refused sale\.order\.create: The operation cannot be completed/);
    expect(error.details).toMatchObject({ odooFault: 2 });
    expect((await sandboxStats()).operations).toEqual({ 'sale.order.create': 1 });
  });

  it('maps a refused login to UNAUTHENTICATED, once, without the password in the message', async () => {
    const wrong = 'odoo-api-key-wrong-0000-secret';
    const error = await failure(connector({}, { password: wrong }).readProducts([1]));
    expect(error.code).toBe('UNAUTHENTICATED');
    expect(error.message).toMatch(/ERP_PASSWORD/);
    expect(error.message).not.toContain(wrong);
    expect((await sandboxStats()).operations).toEqual({ 'common.authenticate': 1 });
  });

  it('never writes the password to the log', () => {
    expect(logLines.length).toBeGreaterThan(5);
    expect(logLines.join('\n')).not.toContain(PASSWORD);
  });
});

describe('OdooErpConnector against a scripted XML-RPC server', () => {
  let server: Server;
  let serverUrl: string;
  const calls: string[] = [];
  let respond: (method: string, params: XmlRpcValue[]) => string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const call = parseMethodCall(Buffer.concat(chunks).toString('utf8'));
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end(respond(call.methodName, call.params));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    calls.length = 0;
  });

  it('logs in again once when Odoo stops accepting its session, then repeats the call', async () => {
    let logins = 0;
    respond = (method, params) => {
      if (method === 'authenticate') {
        logins++;
        calls.push(`authenticate -> ${logins === 1 ? 7 : 2}`);
        return serializeResponse(logins === 1 ? 7 : 2);
      }
      calls.push(`execute_kw uid ${String(params[1])} ${String(params[3])}.${String(params[4])}`);
      return params[1] === 7 ? serializeFault(3, 'Access Denied') : serializeResponse([{ id: 5, ref: '10000005', name: 'Acme' }]);
    };
    const c = connector({}, { url: serverUrl });
    expect(await c.partnersByRefs(['10000005'])).toEqual([{ id: 5, ref: '10000005', name: 'Acme' }]);
    expect(calls).toEqual(['authenticate -> 7', 'execute_kw uid 7 res.partner.search_read', 'authenticate -> 2', 'execute_kw uid 2 res.partner.search_read']);
    // The new session is kept.
    await c.readPartners([5]);
    expect(calls.at(-1)).toBe('execute_kw uid 2 res.partner.read');
    expect(calls.filter((call) => call.startsWith('authenticate'))).toHaveLength(2);
  });

  it('gives up with UNAUTHENTICATED when the new session is refused too', async () => {
    respond = (method) => {
      calls.push(method);
      return method === 'authenticate' ? serializeResponse(2) : serializeFault(3, 'Access Denied');
    };
    const error = await failure(connector({}, { url: serverUrl }).readProducts([1]));
    expect(error.code).toBe('UNAUTHENTICATED');
    expect(calls).toEqual(['authenticate', 'execute_kw', 'authenticate', 'execute_kw']);
  });

  it('keeps the last line of a traceback and scrubs the password Odoo echoed', async () => {
    const secret = 'odoo-api-key-echoed-9c9c-secret';
    respond = (method) =>
      method === 'authenticate'
        ? serializeResponse(2)
        : serializeFault(
            1,
            `Traceback (most recent call last):\n  File "odoo/service/model.py", line 1, in execute_kw\n    args = ('sandbox', 2, '${secret}')\nValueError: Invalid leaf ('ref', 'bogus', '${secret}')\n`,
          );
    const error = await failure(connector({}, { url: serverUrl, password: secret }).partnersByRefs(['x']));
    expect(error.code).toBe('BACKEND_ERROR');
    expect(error.retryable).toBe(false);
    expect(error.message).toBe("The ERP failed res.partner.search_read: ValueError: Invalid leaf ('ref', 'bogus', '[redacted]')");
    expect(error.details).toMatchObject({ odooFault: 1, odooError: 'ValueError' });
    expect(logLines.join('\n')).not.toContain(secret);
  });

  it('maps MissingError to NOT_FOUND, AccessError to FORBIDDEN, and a body that is not XML-RPC to BACKEND_ERROR', async () => {
    const answers = [
      serializeFault(2, 'Record does not exist or has been deleted.\n(Record: sale.order(9,), User: 2)'),
      serializeFault(4, 'You are not allowed to access Sales Order (sale.order) records.'),
      '<html><body>Odoo is starting</body></html>',
    ];
    respond = (method) => (method === 'authenticate' ? serializeResponse(2) : answers.shift()!);
    const c = connector({ maxAttempts: 1 }, { url: serverUrl });
    expect(await failure(c.readOrders([9]))).toMatchObject({ code: 'NOT_FOUND', details: { odooFault: 2, odooError: 'MissingError' } });
    expect(await failure(c.readOrders([9]))).toMatchObject({ code: 'FORBIDDEN', details: { odooFault: 4 } });
    expect(await failure(c.readOrders([9]))).toMatchObject({ code: 'BACKEND_ERROR', message: expect.stringMatching(/not an XML-RPC response/) });
  });
});
