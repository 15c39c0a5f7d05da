/**
 * What the official client hides: status codes, exact error bodies and headers, checked
 * with plain fetch. Every error body must be HubSpot's: status "error", a message, a UUID
 * correlationId and a category.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateWorld } from '../../kit/src/index.js';
import { startTestSandbox, TEST_SCALE, UUID, type TestSandbox } from './testSandbox.js';

const world = generateWorld({ seed: 1, scale: Number(TEST_SCALE) });
const companyId = world.companies[0]!.crmId;

function expectHubSpotError(body: unknown, category: string): Record<string, unknown> {
  const error = body as Record<string, unknown>;
  expect(error.status).toBe('error');
  expect(typeof error.message).toBe('string');
  expect(error.correlationId).toMatch(UUID);
  expect(error.category).toBe(category);
  return error;
}

describe('CRM sandbox over plain HTTP', () => {
  let t: TestSandbox;
  beforeAll(async () => {
    t = await startTestSandbox();
  });
  afterAll(() => t.stop());

  describe('authentication', () => {
    it('answers a missing token with 401 and HubSpot body, counted as auth.rejected', async () => {
      t.sandbox.resetStats();
      const response = await t.call('GET', `/crm/v3/objects/companies/${companyId}`, undefined, null);
      expect(response.status).toBe(401);
      const error = expectHubSpotError(response.body, 'INVALID_AUTHENTICATION');
      expect(Object.keys(error)).toEqual(['status', 'message', 'correlationId', 'category']);
      expect(error.message).toMatch(/^Authentication credentials not found\./);
      expect(t.sandbox.stats().operations).toEqual({ 'auth.rejected': 1 });
    });

    it('answers an unknown token and a non-bearer scheme with 401', async () => {
      expect((await t.call('GET', '/crm/v3/objects/companies', undefined, 'wrong-token')).status).toBe(401);
      const basic = await fetch(`${t.url}/crm/v3/objects/companies`, { headers: { authorization: 'Basic crm-sandbox-token' } });
      expect(basic.status).toBe(401);
    });
  });

  describe('reads', () => {
    it('sends the rate limit headers on every authenticated response', async () => {
      const response = await t.call('GET', `/crm/v3/objects/companies/${companyId}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('x-hubspot-ratelimit-interval-milliseconds')).toBe('10000');
      expect(response.headers.get('x-hubspot-ratelimit-max')).toBe('190');
      expect(Number(response.headers.get('x-hubspot-ratelimit-remaining'))).toBeLessThan(190);
    });

    it('accepts properties repeated or comma-separated, and ignores unknown ones', async () => {
      const repeated = await t.call('GET', `/crm/v3/objects/companies/${companyId}?properties=name&properties=city&properties=nosuchprop`);
      const commas = await t.call('GET', `/crm/v3/objects/companies/${companyId}?properties=name,city,nosuchprop`);
      const properties = (repeated.body as { properties: Record<string, unknown> }).properties;
      expect(Object.keys(properties)).toEqual(['city', 'createdate', 'hs_lastmodifieddate', 'hs_object_id', 'name']);
      expect(commas.body).toEqual(repeated.body);
    });

    it('resolves object type ids and singular names like the plural', async () => {
      const byName = await t.call('GET', `/crm/v3/objects/companies/${companyId}`);
      expect((await t.call('GET', `/crm/v3/objects/0-2/${companyId}`)).body).toEqual(byName.body);
      expect((await t.call('GET', `/crm/v3/objects/company/${companyId}`)).body).toEqual(byName.body);
    });

    it('caps a list page at 100 records', async () => {
      const response = await t.call('GET', '/crm/v3/objects/contacts?limit=500');
      expect((response.body as { results: unknown[] }).results).toHaveLength(100);
    });

    it('answers an unknown object type with 400 and an unknown path with 404', async () => {
      const type = await t.call('GET', '/crm/v3/objects/widgets/1');
      expect(type.status).toBe(400);
      expect(expectHubSpotError(type.body, 'VALIDATION_ERROR').message).toBe('Unable to infer object type from: widgets');
      const path = await t.call('GET', '/crm/v9/nothing');
      expect(path.status).toBe(404);
      expectHubSpotError(path.body, 'OBJECT_NOT_FOUND');
    });

    it('answers an unknown id with 404 OBJECT_NOT_FOUND', async () => {
      const response = await t.call('GET', '/crm/v3/objects/deals/12345');
      expect(response.status).toBe(404);
      expect(expectHubSpotError(response.body, 'OBJECT_NOT_FOUND').message).toBe('resource not found');
    });
  });

  describe('batch read', () => {
    it('answers 207 with the found records and one OBJECT_NOT_FOUND error for the rest', async () => {
      const response = await t.call('POST', '/crm/v3/objects/companies/batch/read', {
        inputs: [{ id: companyId }, { id: '1' }, { id: '2' }],
        properties: ['name'],
      });
      expect(response.status).toBe(207);
      const body = response.body as Record<string, unknown>;
      expect(body).toMatchObject({
        status: 'COMPLETE',
        results: [{ id: companyId, properties: { name: world.companies[0]!.name } }],
        numErrors: 1,
        errors: [
          {
            status: 'error',
            category: 'OBJECT_NOT_FOUND',
            message: 'Could not get some COMPANY objects, they may be deleted or not exist. Check that ids are valid.',
            context: { ids: ['1', '2'] },
          },
        ],
      });
      expect(Date.parse(body.startedAt as string)).not.toBeNaN();
    });

    it('refuses more than 100 inputs with 400 VALIDATION_ERROR', async () => {
      const inputs = Array.from({ length: 101 }, (_, i) => ({ id: String(10_000_001 + i) }));
      const response = await t.call('POST', '/crm/v3/objects/contacts/batch/read', { inputs, properties: [] });
      expect(response.status).toBe(400);
      expect(expectHubSpotError(response.body, 'VALIDATION_ERROR').message).toContain('maximum number of inputs supported in a batch request is 100');
      const hundred = await t.call('POST', '/crm/v3/objects/contacts/batch/read', { inputs: inputs.slice(0, 100), properties: [] });
      expect(hundred.status).toBe(207);
    });

    it('answers malformed JSON with HubSpot parser error', async () => {
      const response = await t.call('POST', '/crm/v3/objects/companies/batch/read', '{"inputs": [{"id": "1"},]}');
      expect(response.status).toBe(400);
      expect(expectHubSpotError(response.body, 'VALIDATION_ERROR').message).toBe(
        "Invalid input JSON on line 1, column 25: Unexpected character (']' (code 93)): expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')",
      );
      const empty = await t.call('POST', '/crm/v3/objects/companies/batch/read', '');
      expect(expectHubSpotError(empty.body, 'VALIDATION_ERROR').message).toBe('Invalid input JSON on line 1, column 1: No content to map due to end-of-input');
      const missing = await t.call('POST', '/crm/v3/objects/companies/batch/read', { properties: ['name'] });
      expect(expectHubSpotError(missing.body, 'VALIDATION_ERROR').message).toContain('Some required fields were not set: [inputs]');
    });
  });

  describe('search', () => {
    const filter = { propertyName: 'name', operator: 'HAS_PROPERTY' };
    const search = (body: unknown) => t.call('POST', '/crm/v3/objects/companies/search', body);

    it('enforces HubSpot limits: 5 groups, 6 filters per group, 18 filters, 200 per page', async () => {
      const groups = (count: number, size: number) => Array.from({ length: count }, () => ({ filters: Array.from({ length: size }, () => filter) }));
      expect((await search({ filterGroups: groups(5, 3) })).status).toBe(200);
      for (const body of [{ filterGroups: groups(6, 1) }, { filterGroups: groups(1, 7) }, { filterGroups: groups(4, 5) }, { limit: 201 }]) {
        const response = await search(body);
        expect(response.status).toBe(400);
        expectHubSpotError(response.body, 'VALIDATION_ERROR');
      }
      expect((await search({ filterGroups: groups(3, 6) })).status).toBe(200);
      expect((await search({ limit: 200 })).status).toBe(200);
    });

    it('refuses an unknown operator, a filter without its value, and paging past 10,000', async () => {
      for (const body of [
        { filterGroups: [{ filters: [{ propertyName: 'name', operator: 'LIKE', value: 'x' }] }] },
        { filterGroups: [{ filters: [{ propertyName: 'name', operator: 'EQ' }] }] },
        { filterGroups: [{ filters: [{ propertyName: 'numberofemployees', operator: 'BETWEEN', value: '1' }] }] },
        { after: '10000' },
      ]) {
        const response = await search(body);
        expect(response.status).toBe(400);
        expectHubSpotError(response.body, 'VALIDATION_ERROR');
      }
    });

    it('filters by number, datetime, token and emptiness', async () => {
      const total = async (filters: unknown[]) => ((await search({ filterGroups: [{ filters }] })).body as { total: number }).total;
      const big = world.companies.filter((c) => c.numberOfEmployees >= 1000 && c.numberOfEmployees <= 3000).length;
      expect(await total([{ propertyName: 'numberofemployees', operator: 'BETWEEN', value: '1000', highValue: '3000' }])).toBe(big);
      const cutoff = world.companies[10]!.createdAt;
      expect(await total([{ propertyName: 'createdate', operator: 'LT', value: String(cutoff) }])).toBe(
        world.companies.filter((c) => c.createdAt < cutoff).length,
      );
      expect(await total([{ propertyName: 'createdate', operator: 'LT', value: new Date(cutoff).toISOString() }])).toBe(
        world.companies.filter((c) => c.createdAt < cutoff).length,
      );
      const head = world.companies[0]!.name.split(' ')[0]!;
      expect(await total([{ propertyName: 'name', operator: 'CONTAINS_TOKEN', value: head.toLowerCase() }])).toBe(
        world.companies.filter((c) => c.name.split(' ')[0] === head).length,
      );
      expect(await total([{ propertyName: 'description', operator: 'NOT_HAS_PROPERTY' }])).toBe(world.companies.length);
      expect(await total([{ propertyName: 'country', operator: 'IN', values: ['germany', 'france'] }])).toBe(
        world.companies.filter((c) => ['Germany', 'France'].includes(c.country)).length,
      );
    });

    it('pins records by hs_object_id IN, returns them in id order with no paging', async () => {
      const ids = [world.companies[9]!.crmId, world.companies[2]!.crmId, '77'];
      const response = await search({ filterGroups: [{ filters: [{ propertyName: 'hs_object_id', operator: 'IN', values: ids }] }] });
      expect(response.body).toMatchObject({ total: 2, results: [{ id: world.companies[2]!.crmId }, { id: world.companies[9]!.crmId }] });
      expect(response.body).not.toHaveProperty('paging');
    });
  });

  describe('update and create', () => {
    it('refuses unknown and read-only properties with HubSpot PROPERTY_DOESNT_EXIST body', async () => {
      const response = await t.call('PATCH', `/crm/v3/objects/companies/${companyId}`, { properties: { name: 'X', favorite_food: 'pizza' } });
      expect(response.status).toBe(400);
      const error = expectHubSpotError(response.body, 'VALIDATION_ERROR');
      expect(error.message).toBe(
        'Property values were not valid: [{"isValid":false,"message":"Property \\"favorite_food\\" does not exist","error":"PROPERTY_DOESNT_EXIST","name":"favorite_food","localizedErrorMessage":"Property \\"favorite_food\\" does not exist","portalId":4101000}]',
      );
      expect(error.errors).toEqual([
        { message: 'Property "favorite_food" does not exist', code: 'PROPERTY_DOESNT_EXIST', context: { propertyName: ['favorite_food'] } },
      ]);
      // Nothing was written: the valid property in the refused request did not land.
      const after = await t.call('GET', `/crm/v3/objects/companies/${companyId}`);
      expect((after.body as { properties: { name: string } }).properties.name).toBe(world.companies[0]!.name);

      const readOnly = await t.call('PATCH', `/crm/v3/objects/companies/${companyId}`, { properties: { hs_object_id: '1' } });
      expect((readOnly.body as { errors: Array<{ code: string }> }).errors[0]!.code).toBe('READ_ONLY_VALUE');
    });

    it('refuses values of the wrong type or outside an enumeration', async () => {
      const deal = world.deals[0]!.crmId;
      const response = await t.call('PATCH', `/crm/v3/objects/deals/${deal}`, { properties: { amount: 'lots', dealstage: 'won', closedate: 'tomorrow' } });
      expect(response.status).toBe(400);
      expect((response.body as { errors: Array<{ code: string }> }).errors.map((e) => e.code)).toEqual(['INVALID_DECIMAL', 'INVALID_OPTION', 'INVALID_LONG']);
    });

    it('moves a contact to another company by associatedcompanyid, and the associations follow', async () => {
      const contact = world.contacts[0]!;
      const target = world.companies[1]!.crmId;
      const patched = await t.call('PATCH', `/crm/v3/objects/contacts/${contact.crmId}`, { properties: { associatedcompanyid: target } });
      expect(patched.status).toBe(200);
      const links = await t.call('POST', '/crm/v4/associations/companies/contacts/batch/read', { inputs: [{ id: target }] });
      const to = (links.body as { results: Array<{ to: Array<{ toObjectId: number }> }> }).results[0]!.to.map((x) => String(x.toObjectId));
      expect(to).toContain(contact.crmId);
      const search = await t.call('POST', '/crm/v3/objects/contacts/search', {
        filterGroups: [{ filters: [{ propertyName: 'associations.company', operator: 'EQ', value: target }] }],
      });
      expect((search.body as { results: Array<{ id: string }> }).results.map((r) => r.id)).toContain(contact.crmId);
      const nowhere = await t.call('PATCH', `/crm/v3/objects/contacts/${contact.crmId}`, { properties: { associatedcompanyid: '42' } });
      expect(nowhere.status).toBe(400);
    });

    it('keeps contact emails unique with HubSpot 409 CONFLICT', async () => {
      const taken = world.contacts[2]!;
      const duplicate = await t.call('POST', '/crm/v3/objects/contacts', { properties: { email: taken.email.toUpperCase(), firstname: 'Copy' } });
      expect(duplicate.status).toBe(409);
      expect(expectHubSpotError(duplicate.body, 'CONFLICT').message).toBe(`Contact already exists. Existing ID: ${taken.crmId}`);
      const renamed = await t.call('PATCH', `/crm/v3/objects/contacts/${world.contacts[3]!.crmId}`, { properties: { email: taken.email } });
      expect(renamed.status).toBe(409);
      // Its own email again is no conflict.
      expect((await t.call('PATCH', `/crm/v3/objects/contacts/${taken.crmId}`, { properties: { email: taken.email } })).status).toBe(200);
    });

    it('creates with 201 and answers a PATCH of an unknown id with 404', async () => {
      const created = await t.call('POST', '/crm/v3/objects/companies', { properties: { name: 'Brand New', domain: 'brandnew.example.com' } });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ properties: { name: 'Brand New', domain: 'brandnew.example.com' }, archived: false });
      const missing = await t.call('PATCH', '/crm/v3/objects/companies/5', { properties: { name: 'x' } });
      expect(missing.status).toBe(404);
    });
  });

  describe('associations', () => {
    it('answers records without associations with 207 NO_ASSOCIATIONS_FOUND', async () => {
      const response = await t.call('POST', '/crm/v4/associations/contacts/deals/batch/read', { inputs: [{ id: world.contacts[1]!.crmId }] });
      expect(response.status).toBe(207);
      expect(response.body).toMatchObject({
        status: 'COMPLETE',
        results: [],
        numErrors: 1,
        errors: [
          { category: 'OBJECT_NOT_FOUND', subCategory: 'crm.associations.NO_ASSOCIATIONS_FOUND', context: { fromObjectId: [world.contacts[1]!.crmId] } },
        ],
      });
    });
  });
});
