import { describe, expect, it } from 'vitest';
import type { PaymentModel } from './models.js';
import { decodeCursor, encodeCursor, paginate, readFirst } from './pagination.js';

const payment = (id: string): PaymentModel => ({
  id,
  amount: 100,
  currency: 'USD',
  amountRefunded: 0,
  status: 'SUCCEEDED',
  created: 1,
  invoiceId: null,
  companyId: null,
  stripeCustomerId: null,
  paymentMethod: null,
  failureCode: null,
});
const all = ['pi_a', 'pi_b', 'pi_c', 'pi_d', 'pi_e'].map(payment);

describe('pagination', () => {
  it('walks the list in pages with cursors that name the last payment', () => {
    const first = paginate(all, 2, null);
    expect(first.nodes.map((p) => p.id)).toEqual(['pi_a', 'pi_b']);
    expect(first.pageInfo).toEqual({ hasNextPage: true, endCursor: encodeCursor('pi_b') });
    expect(first.totalCount).toBe(5);
    const last = paginate(all, 2, decodeCursor(paginate(all, 2, decodeCursor(first.pageInfo.endCursor!)).pageInfo.endCursor!));
    expect(last.edges).toEqual([{ cursor: encodeCursor('pi_e'), node: all[4] }]);
    expect(last.pageInfo).toEqual({ hasNextPage: false, endCursor: encodeCursor('pi_e') });
    expect(paginate([], 10, null).pageInfo).toEqual({ hasNextPage: false, endCursor: null });
  });

  it('refuses cursors that are not ours or not in the list, and page sizes outside 1..100', () => {
    for (const bad of ['', '!!!', Buffer.from('payment:').toString('base64url'), Buffer.from('offset:3').toString('base64url')]) {
      expect(() => decodeCursor(bad)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }));
    }
    expect(() => paginate(all, 2, 'pi_zzz')).toThrow(/does not point into this list/);
    expect(readFirst(undefined)).toBe(10);
    expect(readFirst(100)).toBe(100);
    for (const bad of [0, 101, -1]) expect(() => readFirst(bad)).toThrow(/first must be from 1 to 100/);
  });
});
