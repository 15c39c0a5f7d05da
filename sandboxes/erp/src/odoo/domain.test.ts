import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SandboxStore } from '../../../kit/src/index.js';
import type { XmlRpcValue } from '../../../../lib/xmlrpc/values.js';
import { OdooError } from './exceptions.js';
import { MODELS } from './models.js';
import { Orm } from './orm.js';
import { Registry } from './Registry.js';
import { fixtures } from './testFixtures.js';

describe('domains', () => {
  let store: SandboxStore;
  let registry: Registry;
  let orm: Orm;

  beforeEach(() => {
    store = SandboxStore.open({ file: ':memory:', seedKey: 'domain-test', seed: fixtures });
    registry = new Registry(store, MODELS);
    orm = new Orm(registry, 2);
  });
  afterEach(() => store.close());

  const search = (model: string, domain: XmlRpcValue, activeTest = true): number[] =>
    orm.search(registry.model(model)!, domain, { offset: 0, limit: null, order: 'id', activeTest });
  const faultOf = (fn: () => unknown): string => {
    try {
      fn();
    } catch (error) {
      if (error instanceof OdooError) return `${error.pythonType}: ${error.message}`;
      throw error;
    }
    throw new Error('expected an OdooError');
  };

  it('combines terms with implicit &, and with |, ! in prefix notation', () => {
    expect(search('res.partner', [])).toEqual([1, 2, 3]);
    expect(
      search('res.partner', [
        ['is_company', '=', true],
        ['city', '=', 'Paris'],
      ]),
    ).toEqual([1]);
    expect(search('res.partner', ['|', ['city', '=', 'Paris'], ['city', '=', 'Lyon']])).toEqual([1, 2]);
    expect(search('res.partner', ['!', ['is_company', '=', true]])).toEqual([3]);
    // (not company) or (Lyon and rank 0)
    expect(search('res.partner', ['|', '!', ['is_company', '=', true], '&', ['city', '=', 'Lyon'], ['customer_rank', '=', 0]])).toEqual([2, 3]);
    // Implicit & in front of an | expression.
    expect(search('res.partner', [['customer_rank', '>', 0], '|', ['city', '=', 'Paris'], ['email', 'ilike', 'JANE']])).toEqual([1, 3]);
    expect(search('res.partner', [[1, '=', 1]])).toEqual([1, 2, 3]);
    expect(search('res.partner', [[0, '=', 1]])).toEqual([]);
  });

  it('compares with each operator, with empty values matching as in SQL', () => {
    expect(search('res.partner', [['customer_rank', '>=', 1]])).toEqual([1, 3]);
    expect(search('res.partner', [['customer_rank', '<', 1]])).toEqual([2]);
    expect(search('res.partner', [['customer_rank', '<=', 1]])).toEqual([2, 3]);
    expect(search('res.partner', [['id', 'in', [3, 1, 99]]])).toEqual([1, 3]);
    expect(search('res.partner', [['id', 'not in', [1]]])).toEqual([2, 3]);
    // != and not in match empty values; = False matches only them.
    expect(search('res.partner', [['email', '!=', 'ap@acme.example']])).toEqual([2, 3]);
    expect(search('res.partner', [['email', '=', false]])).toEqual([2]);
    expect(search('res.partner', [['email', '!=', false]])).toEqual([1, 3]);
    expect(search('res.partner', [['ref', 'in', ['100', false]]])).toEqual([1, 3]);
    expect(search('res.partner', [['ref', 'not in', ['100']]])).toEqual([2, 3]);
    // like is case-sensitive, ilike is not; both wrap the value in %...%.
    expect(search('res.partner', [['name', 'like', 'acme']])).toEqual([]);
    expect(search('res.partner', [['name', 'ilike', 'acme']])).toEqual([1]);
    expect(search('res.partner', [['email', 'not ilike', 'ACME']])).toEqual([2, 3]);
    expect(search('res.partner', [['name', '=like', 'G%']])).toEqual([2]);
    expect(search('res.partner', [['name', '=ilike', 'jane_doe']])).toEqual([3]);
    expect(search('res.partner', [['city', '=?', false]])).toEqual([1, 2, 3]);
    expect(search('res.partner', [['city', '=?', 'Lyon']])).toEqual([2]);
    // ! is pushed into the leaf: not (rank > 0) is rank <= 0.
    expect(search('res.partner', ['!', ['customer_rank', '>', 0]])).toEqual([2]);
  });

  it('filters archived records unless the domain or the context asks for them', () => {
    expect(search('res.partner', [['is_company', '=', true]])).toEqual([1, 2]);
    expect(search('res.partner', [['active', '=', false]])).toEqual([4]);
    expect(search('res.partner', [['is_company', '=', true]], false)).toEqual([1, 2, 4]);
    // An escaped % matches itself.
    expect(search('res.partner', [['name', 'like', '50\\%\\_off']], false)).toEqual([4]);
  });

  it('matches many2one fields by id, by name and through dotted paths', () => {
    expect(search('sale.order', [['partner_id', '=', 1]])).toEqual([1, 3]);
    expect(search('sale.order', [['partner_id', 'in', [2, 3]]])).toEqual([2]);
    expect(search('sale.order', [['partner_id', 'ilike', 'glob']])).toEqual([2]);
    expect(search('sale.order', [['partner_id', '=', 'Acme Labs']])).toEqual([1, 3]);
    expect(search('sale.order', [['partner_id.ref', 'in', ['200', '100']]])).toEqual([1, 2, 3]);
    expect(search('sale.order', [['partner_id.country_id.code', '=', 'FR']])).toEqual([1, 3]);
    expect(search('sale.order', [['partner_id', 'any', [['ref', '=', '200']]]])).toEqual([2]);
    expect(search('sale.order', [['order_line.name', '=', 'Gadget']])).toEqual([2]);
    expect(search('sale.order', [['order_line', '=', false]])).toEqual([3]);
    expect(search('sale.order', [['order_line', 'in', [1]]])).toEqual([1]);
    expect(search('sale.order', [['amount_total', '>', 20]])).toEqual([1]);
    expect(search('sale.order', [['amount_total', '=', 21]])).toEqual([1]);
    expect(search('sale.order', [['date_order', '>=', '2026-02-10']])).toEqual([2, 3]);
  });

  it('answers indexed terms from the indexes, without scanning the model', () => {
    const orders = registry.model('sale.order')!;
    const partners = registry.model('res.partner')!;
    const scanOrders = vi.spyOn(orders, 'all');
    const scanPartners = vi.spyOn(partners, 'all');
    expect(
      search('sale.order', [
        ['partner_id', 'in', [1]],
        ['state', '!=', 'cancel'],
      ]),
    ).toEqual([1]);
    expect(search('sale.order', ['|', ['id', '=', 2], ['name', '=', 'S00003']])).toEqual([2, 3]);
    expect(search('sale.order', [['partner_id.ref', 'in', ['200']]])).toEqual([2]);
    expect(search('res.partner', [['ref', 'in', ['100', '400']]])).toEqual([1]);
    expect(scanOrders).not.toHaveBeenCalled();
    expect(scanPartners).not.toHaveBeenCalled();
    search('sale.order', [['state', '=', 'sale']]);
    expect(scanOrders).toHaveBeenCalledTimes(1);
  });

  it('keeps the indexes right after writes', () => {
    const orders = registry.model('sale.order')!;
    orm.write(orders, [2], { partner_id: 1 });
    expect(search('sale.order', [['partner_id', '=', 1]])).toEqual([1, 2, 3]);
    expect(search('sale.order', [['partner_id', '=', 2]])).toEqual([]);
    const [id] = orm.create(registry.model('res.partner')!, [{ name: 'New', ref: '900' }]);
    expect(search('res.partner', [['ref', '=', '900']])).toEqual([id]);
  });

  it('sorts by the order given, then by the model order', () => {
    const sorted = (order: string): number[] => orm.search(registry.model('sale.order')!, [], { offset: 0, limit: null, order, activeTest: true });
    expect(sorted('date_order desc')).toEqual([3, 2, 1]);
    expect(sorted('partner_id, id desc')).toEqual([3, 1, 2]);
    expect(sorted('client_order_ref desc, id')).toEqual([1, 3, 2]);
    expect(orm.search(registry.model('sale.order')!, [], { offset: 1, limit: 1, order: null, activeTest: true })).toEqual([2]);
  });

  it('rejects malformed domains with Odoo texts', () => {
    expect(faultOf(() => search('res.partner', [['name', 'bogus', 1]]))).toBe("ValueError: Invalid leaf ('name', 'bogus', 1)");
    expect(faultOf(() => search('res.partner', [['name', '=']]))).toBe("ValueError: Invalid leaf ('name', '=')");
    expect(faultOf(() => search('res.partner', ['|', ['name', '=', 'x']]))).toBe("ValueError: Domain ['|', ['name', '=', 'x']] is syntactically not correct.");
    expect(faultOf(() => search('res.partner', ['name']))).toBe('ValueError: Invalid leaf name');
    expect(faultOf(() => search('res.partner', [['nope', '=', 1]]))).toBe("ValueError: Invalid field res.partner.nope in leaf ('nope', '=', 1)");
    expect(faultOf(() => search('res.partner', [['id', 'in', 5]]))).toBe("ValueError: Invalid domain term ('id', 'in', 5)");
    expect(faultOf(() => search('res.partner', [['id', 'not in', 'x']]))).toBe("ValueError: Invalid domain term ('id', 'not in', 'x')");
    expect(faultOf(() => search('res.partner', 'name'))).toMatch(/^AssertionError: Domains to normalize/);
    expect(faultOf(() => search('res.partner', [['customer_rank', '=', 'many']]))).toMatch(
      /^psycopg2.errors.InvalidTextRepresentation: invalid input syntax for type integer: "many"/,
    );
    expect(faultOf(() => orm.search(registry.model('res.partner')!, [], { offset: 0, limit: null, order: 'nope', activeTest: true }))).toBe(
      "ValueError: Invalid field 'nope' on model 'res.partner'",
    );
  });
});
