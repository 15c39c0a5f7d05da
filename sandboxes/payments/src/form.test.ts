import { describe, expect, it } from 'vitest';
import { StripeApiError } from './errors.js';
import { canonicalForm, formList, parseForm } from './form.js';

describe('parseForm', () => {
  it('nests bracketed keys the way stripe-node encodes them', () => {
    const form = parseForm(
      'amount=1000&metadata[crm_company_id]=10000001&metadata[erp_invoice_id]=7&expand[0]=latest_charge&expand[1]=customer&automatic_payment_methods[enabled]=true',
    );
    expect(form).toEqual({
      amount: '1000',
      metadata: { crm_company_id: '10000001', erp_invoice_id: '7' },
      expand: { 0: 'latest_charge', 1: 'customer' },
      automatic_payment_methods: { enabled: 'true' },
    });
    expect(formList(form.expand)).toEqual(['latest_charge', 'customer']);
  });

  it('appends `a[]=` items in order and decodes values', () => {
    const form = parseForm('expand[]=a&expand[]=b&query=metadata%5B%27k%27%5D%3A%27v+w%27');
    expect(formList(form.expand)).toEqual(['a', 'b']);
    expect(form.query).toBe("metadata['k']:'v w'");
  });

  it('refuses a key given both as a value and as a hash', () => {
    expect(() => parseForm('metadata=x&metadata[a]=b')).toThrow(StripeApiError);
    expect(() => parseForm('metadata[a]=b&metadata=x')).toThrow(StripeApiError);
  });

  it('keeps __proto__ a plain key', () => {
    const form = parseForm('metadata[__proto__][polluted]=yes');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(form.metadata as object)).toEqual(['__proto__']);
  });

  it('gives the same canonical text whatever the order of the parameters', () => {
    expect(canonicalForm(parseForm('a=1&metadata[x]=1&metadata[y]=2'))).toBe(canonicalForm(parseForm('metadata[y]=2&a=1&metadata[x]=1')));
    expect(canonicalForm(parseForm('a=1'))).not.toBe(canonicalForm(parseForm('a=2')));
  });
});
