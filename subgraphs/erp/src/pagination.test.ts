import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { errorForFault, errorForStatus, faultMessage } from '../../kit/src/odoo/odooErrors.js';
import { parseOdooId } from './loaders.js';
import { decodeCursor, encodeCursor, offsetPage, pageOf } from './pagination.js';
import { productFilter } from './productList.js';
import { orderRequest } from './resolvers/Mutation.js';
import { invoiceStatusOf, orderStatesFor, orderStatusOf } from './statuses.js';

function codeOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error instanceof GraphQLError ? error.extensions.code : error;
  }
  return 'no error';
}

describe('cursors and pages', () => {
  it('round-trip, and refuse a cursor of another list or a malformed one', () => {
    expect(decodeCursor(encodeCursor({ k: 'p', o: 40 }), 'p')).toBe(40);
    expect(codeOf(() => decodeCursor(encodeCursor({ k: 'p', o: 40 }), 'o'))).toBe('BAD_USER_INPUT');
    for (const bad of ['', 'zzz', '!!', Buffer.from('{"k":"o","o":-1}').toString('base64url'), Buffer.from('{"k":"o","o":1.5}').toString('base64url')]) {
      expect(
        codeOf(() => decodeCursor(bad, 'o')),
        bad,
      ).toBe('BAD_USER_INPUT');
    }
  });

  it('page a list in memory, with first from 1 to 100', () => {
    const items = ['a', 'b', 'c', 'd', 'e'];
    const one = pageOf(items, offsetPage(2, null));
    expect(one).toMatchObject({ nodes: ['a', 'b'], pageInfo: { hasNextPage: true }, totalCount: 5 });
    const two = pageOf(items, offsetPage(2, one.pageInfo.endCursor));
    expect(two.nodes).toEqual(['c', 'd']);
    const three = pageOf(items, offsetPage(2, two.pageInfo.endCursor));
    expect(three.pageInfo).toEqual({ hasNextPage: false, endCursor: three.edges[0]!.cursor });
    expect(pageOf(items, offsetPage(10, one.edges[0]!.cursor)).nodes).toEqual(['b', 'c', 'd', 'e']);
    expect(pageOf([], offsetPage(10, null))).toEqual({ edges: [], nodes: [], pageInfo: { hasNextPage: false, endCursor: null }, totalCount: 0 });
    for (const first of [0, 101, -1]) expect(codeOf(() => offsetPage(first, null))).toBe('BAD_USER_INPUT');
  });
});

describe('ids and filters', () => {
  it('accept only what can be an Odoo id', () => {
    expect(parseOdooId('42')).toBe(42);
    expect(parseOdooId(42)).toBe(42);
    expect(parseOdooId('2147483647')).toBe(2 ** 31 - 1);
    for (const bad of ['0', '-1', '042', '1.5', 'abc', '', '2147483648', ' 4']) expect(parseOdooId(bad), bad).toBeNull();
  });

  it('turn product search arguments into an Odoo filter', () => {
    expect(productFilter({ search: '  wrench ', inStockOnly: true })).toEqual({ search: 'wrench', inStockOnly: true });
    expect(productFilter({ search: '   ' })).toEqual({ search: null, inStockOnly: false });
    expect(codeOf(() => productFilter({ search: 'x'.repeat(101) }))).toBe('BAD_USER_INPUT');
  });
});

describe('statuses', () => {
  const invoice = { paymentState: 'not_paid', amountResidual: 1000, invoiceDate: '2026-06-01', invoiceDateDue: '2026-07-01' };
  it('derive an invoice status from its payment state and due date', () => {
    expect(invoiceStatusOf(invoice, '2026-07-01')).toBe('OPEN');
    expect(invoiceStatusOf(invoice, '2026-07-02')).toBe('OVERDUE');
    expect(invoiceStatusOf({ ...invoice, paymentState: 'partial' }, '2026-06-15')).toBe('PARTIALLY_PAID');
    expect(invoiceStatusOf({ ...invoice, paymentState: 'partial' }, '2026-07-02')).toBe('OVERDUE');
    for (const paid of ['paid', 'in_payment', 'reversed'])
      expect(invoiceStatusOf({ ...invoice, paymentState: paid, amountResidual: 0 }, '2027-01-01')).toBe('PAID');
    expect(invoiceStatusOf({ ...invoice, invoiceDateDue: null }, '2026-06-02')).toBe('OVERDUE');
  });

  it('map order states both ways, and refuse one the graph does not know', () => {
    expect(orderStatusOf({ id: 1, state: 'done' })).toBe('CONFIRMED');
    expect(orderStatesFor('CONFIRMED')).toEqual(['sale', 'done']);
    expect(orderStatesFor('DRAFT')).toEqual(['draft']);
    expect(() => orderStatusOf({ id: 1, state: 'frozen' })).toThrow(expect.objectContaining({ code: 'BACKEND_ERROR' }));
  });
});

describe('createSalesOrder input', () => {
  it('becomes order lines, with product ids that cannot exist set aside', () => {
    expect(
      orderRequest({
        customerId: ' 10000001 ',
        lines: [
          { productId: '3', quantity: 2 },
          { productId: 'x', quantity: 1 },
        ],
      }),
    ).toEqual({
      customerId: '10000001',
      lines: [{ productId: 3, quantity: 2 }],
      invalidProductIds: ['x'],
    });
  });

  it('is refused with every problem named', () => {
    const run = () => orderRequest({ customerId: ' ', lines: [{ productId: '1', quantity: 0 }] });
    expect(codeOf(run)).toBe('BAD_USER_INPUT');
    expect(run).toThrow(/customerId must not be empty; lines\[0\]\.quantity must be from 1 to 10000, got 0/);
    expect(codeOf(() => orderRequest({ customerId: '1', lines: [] }))).toBe('BAD_USER_INPUT');
  });
});

describe('Odoo failures', () => {
  it('become the right codes, and only network-level ones may be retried', () => {
    expect(errorForFault(3, 'Access Denied', 'sale.order.read', [])).toMatchObject({ code: 'UNAUTHENTICATED', retryable: false });
    expect(errorForFault(2, 'The operation cannot be completed: Contacts require a name', 'res.partner.create', [])).toMatchObject({
      code: 'BAD_USER_INPUT',
      retryable: false,
    });
    expect(errorForFault(2, 'Record does not exist or has been deleted.\n(Record: sale.order(9,), User: 2)', 'sale.order.write', [])).toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(errorForFault(1, 'Traceback (most recent call last):\n  File "x"\nKeyError: 3\n', 'sale.order.read', [])).toMatchObject({
      code: 'BACKEND_ERROR',
      retryable: false,
      details: { odooError: 'KeyError' },
    });
    expect(errorForStatus(503, {}, 'sale.order.read')).toMatchObject({ code: 'BACKEND_UNAVAILABLE', retryable: true });
    expect(errorForStatus(429, { 'retry-after': '2' }, 'sale.order.read')).toMatchObject({ code: 'RATE_LIMITED', retryable: true, retryAfterMs: 2000 });
    expect(errorForStatus(404, {}, 'common.authenticate')).toMatchObject({
      code: 'BACKEND_ERROR',
      retryable: false,
      message: expect.stringMatching(/ERP_URL/),
    });
  });

  it('are cut to their last line, scrubbed and shortened', () => {
    expect(faultMessage('Traceback (most recent call last):\n  File "a", line 1\n    x = "pw-123"\nValueError: bad pw-123\n', ['pw-123'])).toBe(
      'ValueError: bad [redacted]',
    );
    expect(faultMessage('a'.repeat(400), [])).toHaveLength(301);
  });
});
