import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { searchFilters } from './customerList.js';
import { decodeCursor, encodeCursor, offsetPage, pageOf } from './pagination.js';
import { companyChanges } from './resolvers/Mutation.js';

function codeOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error instanceof GraphQLError ? error.extensions.code : error;
  }
  return 'no error';
}

describe('cursors', () => {
  it('round-trip and refuse a cursor of another kind or a malformed one', () => {
    const list = encodeCursor({ k: 'l', a: '10000004', s: 2 });
    expect(decodeCursor(list, 'l')).toEqual({ k: 'l', a: '10000004', s: 2 });
    expect(codeOf(() => decodeCursor(list, 's'))).toBe('BAD_USER_INPUT');
    for (const bad of ['', 'zzz', '!!', Buffer.from('{"k":"o","o":-1}').toString('base64url'), Buffer.from('[1]').toString('base64url')]) {
      expect(
        codeOf(() => decodeCursor(bad, 'o')),
        bad,
      ).toBe('BAD_USER_INPUT');
    }
  });

  it('page a list in memory, with first from 1 to 100', () => {
    const items = ['a', 'b', 'c', 'd', 'e'];
    const one = pageOf(items, offsetPage(2, null));
    expect(one.nodes).toEqual(['a', 'b']);
    expect(one.pageInfo.hasNextPage).toBe(true);
    expect(one.totalCount).toBe(5);
    const two = pageOf(items, offsetPage(2, one.pageInfo.endCursor));
    expect(two.nodes).toEqual(['c', 'd']);
    expect(two.edges.map((e) => e.node)).toEqual(['c', 'd']);
    const three = pageOf(items, offsetPage(2, two.pageInfo.endCursor));
    expect(three.nodes).toEqual(['e']);
    expect(three.pageInfo).toEqual({ hasNextPage: false, endCursor: three.edges[0]!.cursor });
    // Starting after the middle edge of a page is exact too.
    expect(pageOf(items, offsetPage(10, one.edges[0]!.cursor)).nodes).toEqual(['b', 'c', 'd', 'e']);
    expect(codeOf(() => offsetPage(0, null))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => offsetPage(101, null))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => offsetPage(10, encodeCursor({ k: 's', o: 1 })))).toBe('BAD_USER_INPUT');
  });
});

describe('customer filter', () => {
  it('becomes HubSpot search filters', () => {
    expect(searchFilters(null)).toEqual([]);
    expect(searchFilters({ nameContains: '  Acme  labs ', lifecycleStage: 'SALES_QUALIFIED_LEAD' })).toEqual([
      { propertyName: 'name', operator: 'CONTAINS_TOKEN', value: 'Acme' },
      { propertyName: 'name', operator: 'CONTAINS_TOKEN', value: 'labs' },
      { propertyName: 'lifecyclestage', operator: 'EQ', value: 'salesqualifiedlead' },
    ]);
    expect(searchFilters({ lifecycleStage: 'OTHER' })).toEqual([
      {
        propertyName: 'lifecyclestage',
        operator: 'NOT_IN',
        values: ['lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'customer', 'evangelist'],
      },
    ]);
    expect(codeOf(() => searchFilters({ nameContains: '   ' }))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => searchFilters({ nameContains: 'a b c d e f' }))).toBe('BAD_USER_INPUT');
  });
});

describe('updateCustomer input', () => {
  it('becomes HubSpot properties, null clearing phone and domain', () => {
    expect(companyChanges({ id: '1', name: ' Acme ', phone: null, domain: 'Acme.Example.com', lifecycleStage: 'CUSTOMER' })).toEqual({
      name: 'Acme',
      phone: '',
      domain: 'acme.example.com',
      lifecyclestage: 'customer',
    });
  });

  it('is refused with every problem named', () => {
    const run = () => companyChanges({ id: '1', name: ' ', domain: 'https://acme.example.com/x', phone: 'call me', lifecycleStage: null });
    expect(codeOf(run)).toBe('BAD_USER_INPUT');
    expect(() => run()).toThrow(/name must not be empty.*phone.*domain.*lifecycleStage/);
    expect(codeOf(() => companyChanges({ id: '1' }))).toBe('BAD_USER_INPUT');
  });
});
