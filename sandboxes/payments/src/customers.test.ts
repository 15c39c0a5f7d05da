import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Stripe from 'stripe';
import { generateWorld } from '../../kit/src/index.js';
import { startSandbox, TEST_SCALE, type TestSandbox } from './testSandbox.js';

const world = generateWorld({ seed: 1, scale: Number(TEST_SCALE) });
let t: TestSandbox;

beforeAll(async () => {
  t = await startSandbox();
});
afterAll(async () => {
  await t.close();
});

describe('customers through the official stripe client', () => {
  it('retrieves a seeded customer with its CRM company id in metadata', async () => {
    const seeded = world.customers[3]!;
    const customer = (await t.stripe.customers.retrieve(seeded.id)) as Stripe.Customer;
    expect(customer).toMatchObject({
      id: seeded.id,
      object: 'customer',
      name: seeded.name,
      email: seeded.email,
      livemode: false,
      created: Math.floor(seeded.created / 1000),
      metadata: { crm_company_id: world.companies[seeded.companyIndex]!.crmId },
      invoice_settings: { default_payment_method: seeded.paymentMethods[0]!.id },
    });
  });

  it('pages the list with limit, starting_after, ending_before and has_more, newest first', async () => {
    const first = await t.stripe.customers.list({ limit: 3 });
    expect(first).toMatchObject({ object: 'list', url: '/v1/customers', has_more: true });
    expect(first.data).toHaveLength(3);
    const createds = first.data.map((c) => c.created);
    expect([...createds].sort((a, b) => b - a)).toEqual(createds);
    const second = await t.stripe.customers.list({ limit: 3, starting_after: first.data[2]!.id });
    expect(second.data.map((c) => c.id)).not.toContain(first.data[2]!.id);
    const back = await t.stripe.customers.list({ limit: 3, ending_before: second.data[0]!.id });
    expect(back.data.map((c) => c.id)).toEqual(first.data.map((c) => c.id));
    expect(back.has_more).toBe(false);

    const all = await t.stripe.customers.list({ limit: 7 }).autoPagingToArray({ limit: 1000 });
    expect(all).toHaveLength(world.customers.length);
    expect(new Set(all.map((c) => c.id)).size).toBe(world.customers.length);
  });

  it('finds a customer by CRM company id with search', async () => {
    const company = world.companies[0]!;
    const result = await t.stripe.customers.search({ query: `metadata['crm_company_id']:'${company.crmId}'`, expand: ['total_count'] });
    expect(result).toMatchObject({ object: 'search_result', url: '/v1/customers/search', has_more: false, next_page: null, total_count: 1 });
    expect(result.data.map((c) => c.id)).toEqual([world.customers[0]!.id]);
    const byEmail = await t.stripe.customers.search({ query: `email~'${company.domain.slice(0, 6)}'` });
    expect(byEmail.data.map((c) => c.id)).toContain(world.customers[0]!.id);
  });

  it('pages search results with next_page through async iteration', async () => {
    const seen: string[] = [];
    for await (const customer of t.stripe.customers.search({ query: 'created>0', limit: 20 })) seen.push(customer.id);
    expect(seen).toHaveLength(world.customers.length);
  });

  it('updates email, name and metadata, removing a key with an empty value', async () => {
    const id = world.customers[5]!.id;
    const updated = await t.stripe.customers.update(id, { email: 'ap@example.com', name: 'Renamed', metadata: { tier: 'gold' } });
    expect(updated).toMatchObject({ email: 'ap@example.com', name: 'Renamed', metadata: { crm_company_id: world.companies[5]!.crmId, tier: 'gold' } });
    const unset = await t.stripe.customers.update(id, { metadata: { tier: '' } });
    expect(unset.metadata).toEqual({ crm_company_id: world.companies[5]!.crmId });
    expect(((await t.stripe.customers.retrieve(id)) as Stripe.Customer).email).toBe('ap@example.com');
  });

  it('creates and deletes a customer, which then retrieves as deleted and leaves the list', async () => {
    const created = await t.stripe.customers.create({ name: 'New Co', email: 'new@example.com', metadata: { crm_company_id: '99999999' } });
    expect(created.id).toMatch(/^cus_[0-9A-Za-z]{14}$/);
    const found = await t.stripe.customers.search({ query: "metadata['crm_company_id']:'99999999'" });
    expect(found.data.map((c) => c.id)).toEqual([created.id]);
    expect(await t.stripe.customers.del(created.id)).toEqual({ id: created.id, object: 'customer', deleted: true });
    expect(await t.stripe.customers.retrieve(created.id)).toMatchObject({ id: created.id, deleted: true });
    const after = await t.stripe.customers.search({ query: "metadata['crm_company_id']:'99999999'" });
    expect(after.data).toEqual([]);
  });

  it("lists a customer's cards both ways, and attaching a test card makes a new PaymentMethod", async () => {
    const seeded = world.customers[7]!;
    const viaCustomer = await t.stripe.customers.listPaymentMethods(seeded.id, { limit: 10 });
    const viaMethods = await t.stripe.paymentMethods.list({ customer: seeded.id, type: 'card' });
    expect(viaCustomer.url).toBe(`/v1/customers/${seeded.id}/payment_methods`);
    expect(viaCustomer.data.map((pm) => pm.id).sort()).toEqual(seeded.paymentMethods.map((pm) => pm.id).sort());
    expect(viaMethods.data.map((pm) => pm.id)).toEqual(viaCustomer.data.map((pm) => pm.id));
    const pm = viaCustomer.data[0]!;
    expect(pm).toMatchObject({ object: 'payment_method', type: 'card', customer: seeded.id });
    expect(pm.card).toMatchObject({ brand: expect.any(String), last4: expect.stringMatching(/^\d{4}$/), exp_month: expect.any(Number) });

    const attached = await t.stripe.paymentMethods.attach('pm_card_mastercard', { customer: seeded.id });
    expect(attached.id).toMatch(/^pm_/);
    expect(attached.id).not.toBe('pm_card_mastercard');
    expect(attached).toMatchObject({ customer: seeded.id, card: { brand: 'mastercard', last4: '4444' } });
    const now = await t.stripe.customers.listPaymentMethods(seeded.id);
    expect(now.data).toHaveLength(seeded.paymentMethods.length + 1);
    expect(now.data[0]!.id).toBe(attached.id);
  });

  it('answers unknown ids with a 404 resource_missing', async () => {
    const error = await t.stripe.customers.retrieve('cus_doesnotexist').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error).toMatchObject({ statusCode: 404, code: 'resource_missing', message: "No such customer: 'cus_doesnotexist'" });
    const listError = await t.stripe.paymentMethods.list({ customer: 'cus_nope' }).catch((e: unknown) => e);
    expect(listError).toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'customer' });
  });
});
