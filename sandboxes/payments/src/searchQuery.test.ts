import { describe, expect, it } from 'vitest';
import { StripeApiError } from './errors.js';
import { candidatesFromIndexes, matchesQuery, parseSearchQuery, type FieldKind } from './searchQuery.js';

const FIELDS: Record<string, FieldKind> = { amount: 'numeric', status: 'token', email: 'string' };
const record = { amount: 1500, status: 'succeeded', email: 'Billing@Acme.example.com', metadata: { erp_invoice_id: '123' } as Record<string, string> };
const read = (field: string, key: string | null) => (key !== null ? record.metadata[key] : record[field as 'amount' | 'status' | 'email']);
const matches = (query: string): boolean => matchesQuery(parseSearchQuery(query, FIELDS, 'payment_intents'), read, FIELDS);

describe('Stripe search query language', () => {
  it('parses clauses joined by AND, by spaces, or by OR', () => {
    expect(parseSearchQuery("metadata['erp_invoice_id']:'123' AND status:'succeeded'", FIELDS, 'x')).toEqual({
      joiner: 'AND',
      clauses: [
        { negated: false, field: 'metadata', metadataKey: 'erp_invoice_id', operator: ':', value: '123' },
        { negated: false, field: 'status', metadataKey: null, operator: ':', value: 'succeeded' },
      ],
    });
    expect(parseSearchQuery('status:"a" -amount>10', FIELDS, 'x').joiner).toBe('AND');
    expect(parseSearchQuery("status:'a' or status:'b'", FIELDS, 'x').joiner).toBe('OR');
  });

  it('evaluates exact, negated, numeric, substring and null clauses', () => {
    expect(matches("metadata['erp_invoice_id']:'123' AND status:'succeeded'")).toBe(true);
    expect(matches("metadata['erp_invoice_id']:'124' OR status:'succeeded'")).toBe(true);
    expect(matches("metadata['erp_invoice_id']:'124' OR status:'canceled'")).toBe(false);
    expect(matches("-status:'succeeded'")).toBe(false);
    expect(matches('amount>1000 amount<=1500')).toBe(true);
    expect(matches('amount>1500')).toBe(false);
    expect(matches("email~'acme.EXAMPLE'")).toBe(true);
    expect(matches("email:'billing@acme.example.com'")).toBe(true);
    expect(matches("metadata['missing']:null")).toBe(true);
    expect(matches("-metadata['erp_invoice_id']:null")).toBe(true);
    expect(matches('status:"with \\"quote\\""')).toBe(false);
  });

  it.each([
    ["status:'a' AND status:'b' OR status:'c'", 'cannot combine AND and OR'],
    ["nope:'x'", "Field 'nope' is an unsupported search field"],
    ["status~'suc'", 'does not support substring'],
    ["email~'ab'", 'at least 3 characters'],
    ["amount:'abc'", 'expects a whole number'],
    ["status>'a'", 'does not support numeric comparisons'],
    ["metadata[erp]:'1'", 'must be quoted'],
    ["status:'unterminated", 'Unterminated string'],
    ['', 'empty'],
    [Array.from({ length: 11 }, () => "status:'a'").join(' AND '), 'at most 10 clauses'],
  ])('refuses %j with a 400 on param query', (query, message) => {
    let error: unknown;
    try {
      parseSearchQuery(query, FIELDS, 'payment_intents');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StripeApiError);
    expect((error as StripeApiError).status).toBe(400);
    expect((error as StripeApiError).body).toMatchObject({ type: 'invalid_request_error', param: 'query' });
    expect((error as StripeApiError).message).toContain(message);
  });

  it('uses an index for AND when one positive clause has one, and for OR only when every clause has one', () => {
    const byKey = (key: string) => [{ id: key, created: 1, ord: 1 }];
    const lookup = (clause: { metadataKey: string | null; value: string | null }) => (clause.metadataKey ? byKey(clause.value!) : null);
    const plan = (q: string) => candidatesFromIndexes(parseSearchQuery(q, FIELDS, 'x'), lookup)?.map((e) => e.id) ?? null;
    expect(plan("status:'succeeded' AND metadata['erp_invoice_id']:'9'")).toEqual(['9']);
    expect(plan("-metadata['erp_invoice_id']:'9'")).toBeNull();
    expect(plan("metadata['erp_invoice_id']:'9' OR metadata['erp_invoice_id']:'8'")).toEqual(['9', '8']);
    expect(plan("metadata['erp_invoice_id']:'9' OR status:'succeeded'")).toBeNull();
  });
});
