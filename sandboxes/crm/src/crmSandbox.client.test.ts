/**
 * The fidelity proof: HubSpot's official Node client (@hubspot/api-client), pointed at the
 * sandbox by `basePath` only, reads, lists, batch-reads, searches, updates, creates and
 * reads associations, and every answer parses into its models with the seed world's data.
 */
import { AssociationTypes, Client } from '@hubspot/api-client';
import { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/companies/index.js';
import { AssociationSpecAssociationCategoryEnum } from '@hubspot/api-client/lib/codegen/crm/contacts/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateWorld } from '../../kit/src/index.js';
import { formatAmount } from './records.js';
import { startTestSandbox, TEST_SCALE, TEST_TOKEN, type TestSandbox } from './testSandbox.js';

const world = generateWorld({ seed: 1, scale: Number(TEST_SCALE) });
const contactsOf = (index: number): string[] => world.contacts.filter((c) => c.companyIndex === index).map((c) => c.crmId);
const dealsOf = (index: number): string[] => world.deals.filter((d) => d.companyIndex === index).map((d) => d.crmId);
/** A company with several contacts and deals, so that lists and orders mean something. */
const company = world.companies.find((c) => contactsOf(c.index).length >= 2 && dealsOf(c.index).length >= 2)!;
const contactsOfCompany = contactsOf(company.index);
const dealsOfCompany = dealsOf(company.index);

/** The client's ApiException: an Error with the HTTP code and the parsed body. */
function apiError(error: unknown): { code: number; body: Record<string, unknown> } {
  return error as { code: number; body: Record<string, unknown> };
}

describe('CRM sandbox through @hubspot/api-client', () => {
  let t: TestSandbox;
  let client: Client;
  beforeAll(async () => {
    t = await startTestSandbox();
    client = new Client({ accessToken: TEST_TOKEN, basePath: t.url });
  });
  afterAll(() => t.stop());

  it('reads a company by id with the requested properties, values as HubSpot strings', async () => {
    const found = await client.crm.companies.basicApi.getById(company.crmId, ['name', 'domain', 'numberofemployees', 'company_currency']);
    expect(found.id).toBe(company.crmId);
    expect(found.properties).toEqual({
      company_currency: company.currency,
      createdate: new Date(company.createdAt).toISOString(),
      domain: company.domain,
      hs_lastmodifieddate: new Date(company.updatedAt).toISOString(),
      hs_object_id: company.crmId,
      name: company.name,
      numberofemployees: String(company.numberOfEmployees),
    });
    expect(found.createdAt).toEqual(new Date(company.createdAt));
    expect(found.archived).toBe(false);
  });

  it('returns the default property set when none is named', async () => {
    const deal = world.deals[0]!;
    const found = await client.crm.deals.basicApi.getById(deal.crmId);
    expect(Object.keys(found.properties)).toEqual([
      'amount',
      'closedate',
      'createdate',
      'dealname',
      'dealstage',
      'hs_lastmodifieddate',
      'hs_object_id',
      'pipeline',
    ]);
    // Minor units in the seed, a decimal string in currency units on the wire.
    expect(found.properties.amount).toBe(formatAmount(deal.amountMinor));
    expect(found.properties.amount).toMatch(/^\d+\.\d{2}$/);
  });

  it('reads a contact with its company association (v3 shape)', async () => {
    const contact = world.contacts[0]!;
    const owner = world.companies[contact.companyIndex]!;
    const found = await client.crm.contacts.basicApi.getById(contact.crmId, ['email', 'associatedcompanyid'], undefined, ['companies']);
    expect(found.properties.email).toBe(contact.email);
    expect(found.properties.associatedcompanyid).toBe(owner.crmId);
    expect(found.associations?.companies?.results.map((r) => [r.id, r.type])).toEqual([
      [owner.crmId, 'contact_to_company'],
      [owner.crmId, 'contact_to_company_unlabeled'],
    ]);
  });

  it('answers an unknown id with 404 and HubSpot error body', async () => {
    const failure = await client.crm.companies.basicApi.getById('999').catch((error: unknown) => error);
    expect(apiError(failure).code).toBe(404);
    expect(apiError(failure).body).toMatchObject({ status: 'error', message: 'resource not found', category: 'OBJECT_NOT_FOUND' });
  });

  it('pages through every company with `after`, the last page without paging', async () => {
    const ids: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await client.crm.companies.basicApi.getPage(20, after, ['name']);
      pages++;
      ids.push(...page.results.map((r) => r.id));
      after = page.paging?.next?.after;
      if (after) expect(page.paging?.next?.link).toContain(`after=${after}`);
    } while (after);
    expect(ids).toEqual(world.companies.map((c) => c.crmId));
    expect(pages).toBe(Math.ceil(world.companies.length / 20));
  });

  it('batch-reads companies by id', async () => {
    const ids = world.companies.slice(0, 3).map((c) => c.crmId);
    const batch = await client.crm.companies.batchApi.read({ inputs: ids.map((id) => ({ id })), properties: ['name'], propertiesWithHistory: [] });
    expect(batch.status).toBe('COMPLETE');
    expect(batch.results.map((r) => [r.id, r.properties.name])).toEqual(world.companies.slice(0, 3).map((c) => [c.crmId, c.name]));
    expect(batch.startedAt).toBeInstanceOf(Date);
  });

  it('batch-reads contacts by email with idProperty', async () => {
    const contact = world.contacts[7]!;
    const batch = await client.crm.contacts.batchApi.read({
      idProperty: 'email',
      inputs: [{ id: contact.email }],
      properties: ['firstname'],
      propertiesWithHistory: [],
    });
    expect(batch.results.map((r) => [r.id, r.properties.firstname])).toEqual([[contact.crmId, contact.firstName]]);
  });

  it('reports missing ids of a batch read beside the results (207)', async () => {
    const batch = await client.crm.companies.batchApi.read({ inputs: [{ id: company.crmId }, { id: '404' }], properties: [], propertiesWithHistory: [] });
    expect(batch.results.map((r) => r.id)).toEqual([company.crmId]);
    expect('errors' in batch && batch.errors?.map((e) => [e.category, e.context])).toEqual([['OBJECT_NOT_FOUND', { ids: ['404'] }]]);
  });

  it('searches contacts of a company through associations.company', async () => {
    const result = await client.crm.contacts.searchApi.doSearch({
      filterGroups: [{ filters: [{ propertyName: 'associations.company', operator: FilterOperatorEnum.Eq, value: company.crmId }] }],
      properties: ['associatedcompanyid'],
      limit: 100,
    });
    expect(result.total).toBe(contactsOfCompany.length);
    expect(result.results.map((r) => r.id)).toEqual(contactsOfCompany);
    expect(result.results.every((r) => r.properties.associatedcompanyid === company.crmId)).toBe(true);
  });

  it('searches with ORed groups, a sort and offset paging', async () => {
    const stages = ['closedwon', 'closedlost'];
    const expected = world.deals
      .filter((d) => stages.includes(d.stage) || d.amountMinor > 40_000_000)
      .sort((a, b) => b.amountMinor - a.amountMinor || Number(a.crmId) - Number(b.crmId))
      .map((d) => d.crmId);
    const request = {
      filterGroups: [
        { filters: [{ propertyName: 'dealstage', operator: FilterOperatorEnum.In, values: stages }] },
        { filters: [{ propertyName: 'amount', operator: FilterOperatorEnum.Gt, value: '400000' }] },
      ],
      // The SDK types sorts as strings; HubSpot's documented form is this object.
      sorts: [{ propertyName: 'amount', direction: 'DESCENDING' }] as unknown as string[],
      properties: ['amount', 'dealstage'],
      limit: 5,
    };
    const first = await client.crm.deals.searchApi.doSearch(request);
    expect(first.total).toBe(expected.length);
    expect(first.results.map((r) => r.id)).toEqual(expected.slice(0, 5));
    expect(first.paging?.next?.after).toBe('5');
    const second = await client.crm.deals.searchApi.doSearch({ ...request, after: '5' });
    expect(second.results.map((r) => r.id)).toEqual(expected.slice(5, 10));
  });

  it('updates a company, bumps its timestamps, and reads the write back', async () => {
    const target = world.companies[5]!;
    const before = await client.crm.companies.basicApi.getById(target.crmId, ['name']);
    const updated = await client.crm.companies.basicApi.update(target.crmId, { properties: { name: 'Renamed Ltd', numberofemployees: '77' } });
    expect(updated.properties).toMatchObject({ name: 'Renamed Ltd', numberofemployees: '77' });
    expect(updated.updatedAt.getTime()).toBeGreaterThan(before.updatedAt.getTime());
    const after = await client.crm.companies.basicApi.getById(target.crmId, ['name', 'numberofemployees', 'hs_lastmodifieddate']);
    expect(after.properties).toMatchObject({ name: 'Renamed Ltd', numberofemployees: '77', hs_lastmodifieddate: updated.updatedAt.toISOString() });
  });

  it('creates a contact associated with a company, visible through the v4 associations', async () => {
    const created = await client.crm.contacts.basicApi.create({
      properties: { email: 'new.person@example.com', firstname: 'New' },
      associations: [
        {
          to: { id: company.crmId },
          types: [{ associationCategory: AssociationSpecAssociationCategoryEnum.HubspotDefined, associationTypeId: AssociationTypes.primaryContactToCompany }],
        },
      ],
    });
    expect(Number(created.id)).toBeGreaterThan(Number(world.contacts.at(-1)!.crmId));
    const links = await client.crm.associations.v4.batchApi.getPage('companies', 'contacts', { inputs: [{ id: company.crmId }] });
    expect(links.results[0]!.to.map((to) => String(to.toObjectId))).toEqual([...contactsOfCompany, created.id]);
    expect(links.results[0]!.to.at(-1)!.associationTypes.map((type) => type.typeId)).toEqual([
      AssociationTypes.primaryCompanyToContact,
      AssociationTypes.companyToContact,
    ]);
  });

  it('reads associations in both directions with HubSpot type ids', async () => {
    const deals = await client.crm.associations.v4.batchApi.getPage('company', 'deal', { inputs: [{ id: company.crmId }] });
    expect(deals.results).toHaveLength(1);
    expect(deals.results[0]!._from.id).toBe(company.crmId);
    expect(deals.results[0]!.to.map((to) => String(to.toObjectId))).toEqual(dealsOfCompany);
    expect(deals.results[0]!.to[0]!.associationTypes.map((type) => [type.category, type.typeId, type.label])).toEqual([
      ['HUBSPOT_DEFINED', AssociationTypes.primaryCompanyToDeal, 'Primary'],
      ['HUBSPOT_DEFINED', AssociationTypes.companyToDeal, null],
    ]);

    const back = await client.crm.associations.v4.batchApi.getPage('deals', 'companies', { inputs: dealsOfCompany.map((id) => ({ id })) });
    expect(back.results.map((r) => [r._from.id, r.to.map((to) => String(to.toObjectId))])).toEqual(dealsOfCompany.map((id) => [id, [company.crmId]]));
    expect(back.results[0]!.to[0]!.associationTypes.map((type) => type.typeId)).toEqual([
      AssociationTypes.primaryDealToCompany,
      AssociationTypes.dealToCompany,
    ]);

    const contactToCompany = await client.crm.associations.v4.batchApi.getPage('contacts', 'companies', { inputs: [{ id: contactsOfCompany[0]! }] });
    expect(contactToCompany.results[0]!.to[0]!.associationTypes.map((type) => type.typeId)).toEqual([
      AssociationTypes.primaryContactToCompany,
      AssociationTypes.contactToCompany,
    ]);
  });
});
