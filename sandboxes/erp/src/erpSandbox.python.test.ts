/**
 * The proof of fidelity: Python's standard xmlrpc.client, used as Odoo's External API
 * documentation uses it, against the sandbox, unchanged but for the URL.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireOrSkip } from '../../../test/support.js';
import { startSandbox, type RunningSandbox } from './testSupport.js';

const SCRIPT = fileURLToPath(new URL('./odooClientScenario.py', import.meta.url));
const PYTHON = process.env.PYTHON ?? 'python3';
const hasPython = await requireOrSkip('erpSandbox.python.test.ts', 'python3');

interface Fault {
  faultCode: number;
  faultString: string;
}

interface ScenarioOutput {
  version: Record<string, unknown>;
  uid: number;
  bad_login: boolean;
  partners: Array<{ id: number; name: string; ref: string }>;
  partner_count: number;
  partner_read: Array<Record<string, unknown>>;
  partner_ids_by_ref: number[];
  orders_or: Array<{
    id: number;
    name: string;
    partner_id: [number, string];
    amount_total: number;
    currency_id: [number, string];
    order_line: number[];
    date_order: string;
  }>;
  created_id: number;
  write: boolean;
  created: Array<Record<string, unknown>>;
  created_lines: Array<Record<string, unknown>>;
  product_fields: Record<string, Record<string, unknown>>;
  bad_credentials: Fault;
  unknown_model: Fault;
  bad_domain: Fault;
  unknown_field: Fault;
}

describe.runIf(hasPython)('ERP sandbox with Python xmlrpc.client', () => {
  let running: RunningSandbox;
  let out: ScenarioOutput;

  beforeAll(async () => {
    running = await startSandbox();
    const { stdout } = await promisify(execFile)(PYTHON, [SCRIPT, running.url, 'sandbox', 'admin', 'admin'], { timeout: 30_000 });
    out = JSON.parse(stdout) as ScenarioOutput;
  });
  afterAll(async () => {
    await running?.stop();
  });

  it('authenticates through the common endpoint', () => {
    expect(out.version).toEqual({ server_version: '17.0', server_version_info: [17, 0, 0, 'final', 0, ''], server_serie: '17.0', protocol_version: 1 });
    expect(out.uid).toBe(2);
    expect(out.bad_login).toBe(false);
  });

  it('searches, counts and reads partners', () => {
    expect(out.partners).toHaveLength(5);
    for (const partner of out.partners) {
      expect(Object.keys(partner).sort()).toEqual(['id', 'name', 'ref']);
      expect(partner.ref).toMatch(/^1000\d{4}$/);
    }
    // Partners sort by name, as res.partner's _order does.
    expect(out.partners.map((p) => p.name)).toEqual([...out.partners.map((p) => p.name)].sort((a, b) => a.localeCompare(b)));
    expect(out.partner_count).toBe(50);
    expect(out.partner_read).toEqual([
      { id: 1, name: expect.any(String), ref: '10000001', country_id: [expect.any(Number), expect.any(String)] },
      { id: 2, name: expect.any(String), ref: '10000002', country_id: [expect.any(Number), expect.any(String)] },
    ]);
    expect([...out.partner_ids_by_ref].sort((a, b) => a - b)).toEqual(
      out.partners
        .slice(0, 2)
        .map((p) => p.id)
        .sort((a, b) => a - b),
    );
  });

  it('evaluates a domain with | and in', () => {
    const partnerIds = new Set(out.partner_ids_by_ref);
    expect(out.orders_or.length).toBeGreaterThan(0);
    expect(out.orders_or.some((order) => order.name === 'S00001')).toBe(true);
    for (const order of out.orders_or) {
      expect(partnerIds.has(order.partner_id[0]) || order.name === 'S00001').toBe(true);
      expect(order.date_order).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      expect(['USD', 'EUR', 'GBP']).toContain(order.currency_id[1]);
      expect(Number.isInteger(Math.round(order.amount_total * 100))).toBe(true);
    }
    expect(out.orders_or.map((o) => o.id)).toEqual([...out.orders_or.map((o) => o.id)].sort((a, b) => a - b));
  });

  it('creates an order with lines and writes it', () => {
    expect(out.created_id).toBe(501);
    expect(out.write).toBe(true);
    const [order] = out.created;
    expect(order).toMatchObject({
      id: 501,
      name: 'S00501',
      state: 'sale',
      client_order_ref: 'PY-2',
      partner_id: [out.partner_ids_by_ref[0], expect.any(String)],
    });
    const lines = out.created_lines as Array<{ product_id: [number, string]; product_uom_qty: number; price_unit: number; price_subtotal: number }>;
    expect(lines.map((l) => [l.product_id[0], l.product_uom_qty])).toEqual([
      [1, 2],
      [2, 1],
    ]);
    expect(lines[1]!.price_unit).toBe(12.5);
    const total = lines.reduce((sum, l) => sum + Math.round(l.price_subtotal * 100), 0) / 100;
    expect(order!.amount_total).toBe(total);
    expect(order!.order_line).toEqual(lines.map((l) => (l as unknown as { id: number }).id));
  });

  it('describes fields', () => {
    expect(out.product_fields.default_code).toEqual({ string: 'Internal Reference', type: 'char' });
    expect(out.product_fields.categ_id).toEqual({ string: 'Product Category', type: 'many2one', relation: 'product.category' });
  });

  it('raises Odoo faults for bad credentials, unknown models, bad domains and fields', () => {
    expect(out.bad_credentials).toEqual({ faultCode: 3, faultString: 'Access Denied' });
    expect(out.unknown_model).toEqual({ faultCode: 2, faultString: "Object no.such.model doesn't exist" });
    expect(out.bad_domain.faultCode).toBe(1);
    expect(out.bad_domain.faultString).toMatch(/^Traceback \(most recent call last\):\n/);
    expect(out.bad_domain.faultString.trim().split('\n').at(-1)).toBe("ValueError: Invalid leaf ('name', 'bogus', 'x')");
    expect(out.unknown_field.faultString.trim().split('\n').at(-1)).toBe("ValueError: Invalid field 'nope' on model 'res.partner'");
  });
});
