import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SandboxStore } from '../../../kit/src/index.js';
import { newStruct, type XmlRpcStruct, type XmlRpcValue } from '../../../../lib/xmlrpc/values.js';
import { OdooError, toFault } from './exceptions.js';
import { callKw } from './methods.js';
import { MODELS } from './models.js';
import { Orm } from './orm.js';
import { Registry } from './Registry.js';
import { fixtures } from './testFixtures.js';

describe('ORM methods through call_kw', () => {
  let store: SandboxStore;
  let registry: Registry;
  let orm: Orm;
  const now = Date.UTC(2026, 6, 1, 8, 30, 0);

  beforeEach(() => {
    store = SandboxStore.open({ file: ':memory:', seedKey: 'orm-test', seed: fixtures });
    registry = new Registry(store, MODELS);
    orm = new Orm(registry, 2, () => now);
  });
  afterEach(() => store.close());

  const kw = (values: Record<string, XmlRpcValue> = {}): XmlRpcStruct => Object.assign(newStruct(), values);
  const call = (model: string, method: string, args: XmlRpcValue[], kwargs: Record<string, XmlRpcValue> = {}): unknown =>
    JSON.parse(
      JSON.stringify(callKw(orm, registry.model(model)!, method, args, kw(kwargs)), (_k, v: unknown) =>
        v && typeof v === 'object' && 'value' in v && Object.keys(v).length === 1 ? (v as { value: unknown }).value : v,
      ),
    );
  const fault = (
    model: string,
    method: string,
    args: XmlRpcValue[],
    kwargs: Record<string, XmlRpcValue> = {},
  ): { faultCode: number | string; last: string } => {
    try {
      callKw(orm, registry.model(model)!, method, args, kw(kwargs));
    } catch (error) {
      if (!(error instanceof OdooError)) throw error;
      const { faultCode, faultString } = toFault(error);
      return {
        faultCode,
        last: faultString
          .trim()
          .split('\n')
          .slice(faultCode === 1 ? -1 : 0)
          .join('\n'),
      };
    }
    throw new Error('expected a fault');
  };

  it('creates an order with command-tuple lines, computing names, prices and amounts', () => {
    const id = call('sale.order', 'create', [
      {
        partner_id: 1,
        order_line: [
          [0, 0, { product_id: 1, product_uom_qty: 3 }],
          [0, 0, { product_id: 2, price_unit: 0.5 }],
        ],
      },
    ]) as number;
    expect(id).toBe(4);
    expect(
      call('sale.order', 'read', [[id], ['name', 'state', 'date_order', 'currency_id', 'amount_untaxed', 'amount_total', 'order_line', 'create_date']]),
    ).toEqual([
      {
        id: 4,
        name: 'S00004',
        state: 'draft',
        date_order: '2026-07-01 08:30:00',
        currency_id: [1, 'USD'],
        amount_untaxed: 32,
        amount_total: 32,
        order_line: [3, 4],
        create_date: '2026-07-01 08:30:00',
      },
    ]);
    expect(
      call('sale.order.line', 'read', [
        [3, 4],
        ['name', 'product_uom_qty', 'price_unit', 'price_subtotal', 'order_id'],
      ]),
    ).toEqual([
      { id: 3, name: '[W-1] Widget', product_uom_qty: 3, price_unit: 10.5, price_subtotal: 31.5, order_id: [4, 'S00004'] },
      { id: 4, name: '[G-1] Gadget', product_uom_qty: 1, price_unit: 0.5, price_subtotal: 0.5, order_id: [4, 'S00004'] },
    ]);
    // A list of dicts creates several records and returns their ids.
    expect(call('res.partner', 'create', [[{ name: 'A' }, { name: 'B' }]])).toEqual([5, 6]);
  });

  it('writes values and line commands, and recomputes amounts', () => {
    expect(
      call('sale.order', 'write', [
        [2],
        {
          state: 'sale',
          order_line: [
            [1, 2, { product_uom_qty: 3 }],
            [0, 0, { product_id: 1 }],
          ],
        },
      ]),
    ).toBe(true);
    expect(call('sale.order', 'read', [[2], ['state', 'amount_total', 'order_line', 'write_date']])).toEqual([
      { id: 2, state: 'sale', amount_total: 13.47, order_line: [2, 3], write_date: '2026-07-01 08:30:00' },
    ]);
    // [4, id] moves an existing line to this order.
    call('sale.order', 'write', [[3], { order_line: [[4, 1]] }]);
    expect(call('sale.order', 'read', [[1, 3], ['order_line']])).toEqual([
      { id: 1, order_line: [] },
      { id: 3, order_line: [1] },
    ]);
    // Computed fields are ignored on write, as in Odoo.
    call('sale.order', 'write', [[3], { amount_total: 1 }]);
    expect(call('sale.order', 'read', [[3], ['amount_total']])).toEqual([{ id: 3, amount_total: 21 }]);
  });

  it('reads only existing ids, many2one with or without names, all fields when none are named', () => {
    expect(call('res.partner', 'read', [[3, 999, 1], ['country_id']])).toEqual([
      { id: 3, country_id: [1, 'France'] },
      { id: 1, country_id: [1, 'France'] },
    ]);
    expect(call('res.partner', 'read', [[2], ['country_id', 'email']], { load: '' })).toEqual([{ id: 2, country_id: false, email: false }]);
    const [all] = call('res.partner', 'read', [[1]]) as Array<Record<string, unknown>>;
    expect(Object.keys(all!)).toEqual(
      expect.arrayContaining(['id', 'name', 'ref', 'display_name', 'create_date', 'write_date', 'sale_order_ids', 'company_type']),
    );
    expect(all!.sale_order_ids).toEqual([1, 3]);
  });

  it('binds positional and keyword arguments as Python does', () => {
    expect(call('res.partner', 'search_read', [[['ref', '=', '100']], ['name']])).toEqual([{ id: 1, name: 'Acme Labs' }]);
    expect(call('res.partner', 'search_read', [], { domain: [['ref', '=', '100']], fields: ['name'] })).toEqual([{ id: 1, name: 'Acme Labs' }]);
    expect(call('res.partner', 'search', [[]], { limit: 2, offset: 1, order: 'name desc' })).toEqual([2, 1]);
    expect(call('res.partner', 'search_count', [[]], { context: { active_test: false } })).toBe(4);
    expect(call('res.partner', 'name_search', ['glob'])).toEqual([[2, 'Globex']]);
    expect(fault('res.partner', 'search', [[]], { count: true })).toEqual({
      faultCode: 1,
      last: "TypeError: BaseModel.search() got an unexpected keyword argument 'count'",
    });
    expect(fault('res.partner', 'search', [[], 0, 1, 'id', 'extra'])).toEqual({
      faultCode: 1,
      last: 'TypeError: BaseModel.search() takes from 2 to 5 positional arguments but 6 were given',
    });
    expect(fault('res.partner', 'search', [])).toEqual({
      faultCode: 1,
      last: "TypeError: BaseModel.search() missing 1 required positional argument: 'domain'",
    });
    expect(fault('res.partner', 'search', [[]], { limit: -1 })).toEqual({
      faultCode: 1,
      last: 'psycopg2.errors.InvalidRowCountInLimitClause: LIMIT must not be negative',
    });
    expect(fault('res.partner', 'read', [])).toEqual({ faultCode: 1, last: 'IndexError: tuple index out of range' });
    expect(fault('res.partner', 'unlink', [[1]]).faultCode).toBe(2);
  });

  it('refuses bad values with Odoo errors and leaves nothing half-written', () => {
    const before = registry.model('sale.order.line')!.size;
    expect(fault('sale.order', 'create', [{ partner_id: 1, order_line: [[0, 0, { product_id: 99 }]] }])).toEqual({
      faultCode: 2,
      last: 'The operation cannot be completed: another model requires the record being deleted. If possible, archive it instead.\n\nModel: Sales Order Line (sale.order.line)\nConstraint: sale_order_line_product_id_fkey',
    });
    expect(registry.model('sale.order')!.size).toBe(3);
    expect(registry.model('sale.order.line')!.size).toBe(before);
    expect(fault('sale.order', 'create', [{ state: 'sale' }]).last).toContain('Field: Customer (partner_id)');
    expect(fault('sale.order', 'create', [{ partner_id: 1, state: 'done' }])).toEqual({
      faultCode: 1,
      last: "ValueError: Wrong value for sale.order.state: 'done'",
    });
    expect(fault('sale.order', 'create', [{ partner_id: 1, date_order: 'yesterday' }])).toEqual({
      faultCode: 1,
      last: "ValueError: time data 'yesterday' does not match format '%Y-%m-%d %H:%M:%S'",
    });
    expect(fault('sale.order', 'create', [{ partner_id: 1, colour: 'red' }])).toEqual({
      faultCode: 1,
      last: "ValueError: Invalid field 'colour' on model 'sale.order'",
    });
    expect(fault('res.partner', 'create', [{ email: 'x@example.com' }])).toEqual({
      faultCode: 2,
      last: 'The operation cannot be completed: Contacts require a name',
    });
    expect(fault('sale.order', 'write', [[1, 77], { state: 'cancel' }])).toEqual({
      faultCode: 2,
      last: 'Record does not exist or has been deleted.\n(Record: sale.order(77,), User: 2)',
    });
    expect(fault('sale.order', 'write', [[1], { order_line: [[2, 1]] }]).last).toMatch(/^NotImplementedError: .*command 2 \(delete\)/);
    expect(call('sale.order', 'read', [[1], ['state']])).toEqual([{ id: 1, state: 'sale' }]);
  });

  it('numbers an invoice when it is posted', () => {
    const id = call('account.move', 'create', [{ move_type: 'out_invoice', partner_id: 1, amount_total: 12.34, invoice_date: '2026-07-01' }]) as number;
    expect(call('account.move', 'read', [[id], ['name', 'state', 'display_name', 'amount_residual', 'payment_state']])).toEqual([
      { id, name: '/', state: 'draft', display_name: `Draft Invoice (* ${id})`, amount_residual: 12.34, payment_state: 'not_paid' },
    ]);
    call('account.move', 'write', [[id], { state: 'posted' }]);
    expect(call('account.move', 'read', [[id], ['name', 'display_name']])).toEqual([{ id, name: `INV/2026/0000${id}`, display_name: `INV/2026/0000${id}` }]);
  });

  it('describes fields with fields_get', () => {
    const fields = call('sale.order', 'fields_get', [], { attributes: ['type', 'relation', 'required'] }) as Record<string, unknown>;
    expect(fields.partner_id).toEqual({ type: 'many2one', relation: 'res.partner', required: true });
    expect(fields.order_line).toEqual({ type: 'one2many', relation: 'sale.order.line', required: false });
    const state = call('sale.order', 'fields_get', [['state']]) as Record<string, { selection: unknown } | undefined>;
    expect(Object.keys(state)).toEqual(['state']);
    expect(state.state?.selection).toContainEqual(['sale', 'Sales Order']);
  });
});
