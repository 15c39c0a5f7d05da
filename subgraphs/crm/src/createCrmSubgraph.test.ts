/**
 * The crm subgraph over HTTP against the CRM sandbox. Expected values come from the
 * sandbox itself, read over HubSpot's protocol with the official @hubspot/api-client
 * (other endpoints than the subgraph uses: v3 associations on GET, list paging), never
 * from values copied into the test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@hubspot/api-client';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCrmSandbox, type CrmSandbox } from '../../../sandboxes/crm/src/createCrmSandbox.js';
import { postGraphQLText, sandboxOperator, TEST_GATEWAY_SECRET } from '../../kit/src/testSupport.js';
import { readCrmSubgraphConfig } from './config.js';
import { createCrmSubgraph, type CrmSubgraph } from './createCrmSubgraph.js';

const TOKEN = 'pat-na1-subgraph-test-secret-c0ffee';
const WRONG_TOKEN = 'pat-na1-revoked-secret-dead';
const COMPANY_PROPERTIES = [
  'name',
  'domain',
  'industry',
  'phone',
  'city',
  'country',
  'lifecyclestage',
  'numberofemployees',
  'hubspot_owner_id',
  'company_currency',
];
const DEAL_STAGE: Record<string, string> = {
  appointmentscheduled: 'APPOINTMENT_SCHEDULED',
  qualifiedtobuy: 'QUALIFIED_TO_BUY',
  presentationscheduled: 'PRESENTATION_SCHEDULED',
  decisionmakerboughtin: 'DECISION_MAKER_BOUGHT_IN',
  contractsent: 'CONTRACT_SENT',
  closedwon: 'CLOSED_WON',
  closedlost: 'CLOSED_LOST',
};
const LIFECYCLE: Record<string, string> = {
  lead: 'LEAD',
  marketingqualifiedlead: 'MARKETING_QUALIFIED_LEAD',
  salesqualifiedlead: 'SALES_QUALIFIED_LEAD',
  opportunity: 'OPPORTUNITY',
  customer: 'CUSTOMER',
  evangelist: 'EVANGELIST',
};

interface GraphQLResponse {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
}

const logLines: string[] = [];
const responses: string[] = [];
let dataDir: string;
let sandbox: CrmSandbox;
let subgraph: CrmSubgraph;
let refused: CrmSubgraph;
let url: string;
let refusedUrl: string;
let hubspot: Client;
let companies: Array<{ id: string; properties: Record<string, string | null> }>;

function configFor(token: string) {
  return readCrmSubgraphConfig({
    GATEWAY_SUBGRAPH_SECRET: TEST_GATEWAY_SECRET,
    CRM_API_URL: sandbox.url,
    CRM_API_TOKEN: token,
    CRM_SUBGRAPH_PORT: '0',
    CRM_TIMEOUT_MS: '2000',
    CRM_BREAKER_THRESHOLD: '1000',
  });
}

async function gql(query: string, variables: Record<string, unknown> = {}, target = url): Promise<GraphQLResponse> {
  const { text } = await postGraphQLText(target, query, variables);
  responses.push(text);
  return JSON.parse(text) as GraphQLResponse;
}

/** The sandbox's operator endpoints (faults, stats): the kit's subgraph harness. */
const operator = () => sandboxOperator(sandbox.url);

async function stats(): Promise<Record<string, number>> {
  return (await operator().stats()).operations;
}

const resetStats = () => operator().resetStats();

/** "202000.00" -> 20200000, for the whole-cent amounts the seed holds. */
function cents(decimal: string): number {
  const [whole, fraction = ''] = decimal.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'crm-subgraph-'));
  sandbox = await createCrmSandbox({
    port: 0,
    host: '127.0.0.1',
    seed: { seed: 1, scale: 0.1 },
    dataFile: join(dataDir, 'crm.sqlite'),
    tokens: [TOKEN],
    rateLimit: 0,
  });
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });
  subgraph = await createCrmSubgraph(configFor(TOKEN), { logger });
  url = await subgraph.listen();
  refused = await createCrmSubgraph(configFor(WRONG_TOKEN), { logger });
  refusedUrl = await refused.listen();
  hubspot = new Client({ accessToken: TOKEN, basePath: sandbox.url });
  companies = (await hubspot.crm.companies.getAll(100, undefined, COMPANY_PROPERTIES)).map(({ id, properties }) => ({ id, properties }));
  companies.sort((a, b) => Number(a.id) - Number(b.id));
});

afterAll(async () => {
  await subgraph?.close();
  await refused?.close();
  await sandbox?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

beforeEach(async () => {
  await operator().clearFaults();
  await resetStats();
});

const CUSTOMER_FIELDS = `id name domain industry phone city country lifecycleStage numberOfEmployees currency ownerId createdAt updatedAt
  contacts(first: 100) { totalCount nodes { id firstName lastName fullName email phone jobTitle } }
  deals(first: 100) { totalCount nodes { id name stage closeDate amount { amount currency formatted } } }`;

describe('crm subgraph against the CRM sandbox', () => {
  it('answers a customer with the CRM data, contacts and deals included', async () => {
    const id = companies[2]!.id;
    const result = await gql(`query($id: ID!) { customer(id: $id) { ${CUSTOMER_FIELDS} } }`, { id });
    expect(result.errors).toBeUndefined();
    const customer = result.data!.customer as Record<string, unknown>;

    const company = await hubspot.crm.companies.basicApi.getById(id, COMPANY_PROPERTIES, undefined, ['contacts', 'deals']);
    const p = company.properties;
    expect(customer).toMatchObject({
      id,
      name: p.name,
      domain: p.domain,
      industry: p.industry,
      phone: p.phone,
      city: p.city,
      country: p.country,
      lifecycleStage: LIFECYCLE[p.lifecyclestage ?? ''] ?? 'OTHER',
      numberOfEmployees: Number(p.numberofemployees),
      currency: p.company_currency,
      ownerId: p.hubspot_owner_id,
      createdAt: company.createdAt.toISOString(),
      updatedAt: company.updatedAt.toISOString(),
    });

    const contactIds = [...new Set(company.associations?.contacts?.results.map((r) => r.id))].sort();
    const contacts = await hubspot.crm.contacts.batchApi.read({
      inputs: contactIds.map((cid) => ({ id: cid })),
      properties: ['firstname', 'lastname', 'email', 'phone', 'jobtitle'],
      propertiesWithHistory: [],
    });
    const expectedContacts = contacts.results
      .sort((a, b) => Number(a.id) - Number(b.id))
      .map((c) => ({
        id: c.id,
        firstName: c.properties.firstname,
        lastName: c.properties.lastname,
        fullName: `${c.properties.firstname} ${c.properties.lastname}`,
        email: c.properties.email,
        phone: c.properties.phone,
        jobTitle: c.properties.jobtitle,
      }));
    expect(customer.contacts).toEqual({ totalCount: expectedContacts.length, nodes: expectedContacts });
    expect(expectedContacts.length).toBeGreaterThan(0);

    const dealIds = [...new Set(company.associations?.deals?.results.map((r) => r.id))];
    const deals = await hubspot.crm.deals.batchApi.read({
      inputs: dealIds.map((did) => ({ id: did })),
      properties: ['dealname', 'amount', 'dealstage', 'closedate'],
      propertiesWithHistory: [],
    });
    const expectedDeals = deals.results
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || Number(a.id) - Number(b.id))
      .map((d) => ({
        id: d.id,
        name: d.properties.dealname,
        stage: DEAL_STAGE[d.properties.dealstage ?? ''] ?? 'OTHER',
        closeDate: new Date(d.properties.closedate!).toISOString(),
        amount: {
          amount: cents(d.properties.amount!),
          currency: p.company_currency,
          formatted: new Intl.NumberFormat('en-US', { style: 'currency', currency: p.company_currency! }).format(d.properties.amount as `${number}`),
        },
      }));
    const dealConnection = customer.deals as { totalCount: number; nodes: Array<Record<string, unknown>> };
    expect(dealConnection.totalCount).toBe(expectedDeals.length);
    expect(dealConnection.nodes).toEqual(expectedDeals);
    expect(expectedDeals.length).toBeGreaterThan(0);
  });

  it('resolves 5 and 50 customers from _entities with the same, constant backend calls', async () => {
    const query = `query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Customer { ${CUSTOMER_FIELDS} } } }`;
    const run = async (n: number) => {
      await resetStats();
      const representations = companies.slice(0, n).map(({ id }) => ({ __typename: 'Customer', id }));
      const result = await gql(query, { representations });
      expect(result.errors).toBeUndefined();
      const entities = result.data!._entities as Array<{ id: string; contacts: { totalCount: number }; deals: { totalCount: number } }>;
      expect(entities.map((e) => e.id)).toEqual(representations.map((r) => r.id));
      return {
        calls: await stats(),
        contacts: entities.reduce((sum, e) => sum + e.contacts.totalCount, 0),
        deals: entities.reduce((sum, e) => sum + e.deals.totalCount, 0),
      };
    };
    const five = await run(5);
    const fifty = await run(50);
    const expected = { 'associations.companies.deals.batchRead': 1, 'companies.batchRead': 1, 'contacts.search': 1, 'deals.batchRead': 1 };
    expect(five.calls).toEqual(expected);
    expect(fifty.calls).toEqual(expected);
    // The 50 really did bring ten times the children: the count is constant, not the work.
    expect(fifty.contacts).toBeGreaterThan(100);
    expect(fifty.deals).toBeGreaterThan(5 * five.deals);
  });

  it('answers null for an unknown customer, in Query.customer and in _entities', async () => {
    const result = await gql(
      `{ a: customer(id: "999") { id } b: customer(id: "not-a-number") { id } _entities(representations: [{ __typename: "Customer", id: "999" }, { __typename: "Customer", id: "${companies[0]!.id}" }]) { ... on Customer { id } } }`,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ a: null, b: null, _entities: [null, { id: companies[0]!.id }] });
    // "not-a-number" is never sent: it cannot be a HubSpot id.
    expect(await stats()).toEqual({ 'companies.batchRead': 1 });
  });

  it('pages through every customer in CRM order, with totalCount only when asked', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const result = await gql(
        `query($after: String) { customers(first: 30, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id name } } }`,
        { after },
      );
      expect(result.errors).toBeUndefined();
      const page = result.data!.customers as { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: Array<{ id: string }> };
      expect(page.totalCount).toBe(companies.length);
      seen.push(...page.nodes.map((n) => n.id));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      pages++;
    } while (after !== null && pages < 10);
    expect(seen).toEqual(companies.map((c) => c.id));
    expect(pages).toBe(Math.ceil(companies.length / 30));

    // A cursor from the middle of a page starts right after that customer.
    const first = await gql(`{ customers(first: 5) { edges { cursor node { id } } } }`);
    const edges = (first.data!.customers as { edges: Array<{ cursor: string; node: { id: string } }> }).edges;
    await resetStats();
    const next = await gql(`query($after: String) { customers(first: 3, after: $after) { nodes { id } } }`, { after: edges[1]!.cursor });
    expect((next.data!.customers as { nodes: Array<{ id: string }> }).nodes.map((n) => n.id)).toEqual(companies.slice(2, 5).map((c) => c.id));
    // Without totalCount no count search is made.
    expect(await stats()).toEqual({ 'companies.list': 1 });
  });

  it('filters customers by a word of the name and a lifecycle stage', async () => {
    const expected = companies.filter((c) => /(^|\s)labs(\s|$)/i.test(c.properties.name ?? '') && c.properties.lifecyclestage === 'customer').map((c) => c.id);
    expect(expected.length).toBeGreaterThan(1);
    const seen: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 10; i++) {
      const result = await gql(
        `query($after: String) { customers(first: 2, after: $after, filter: { nameContains: "LABS", lifecycleStage: CUSTOMER }) { totalCount pageInfo { hasNextPage endCursor } nodes { id lifecycleStage } } }`,
        { after },
      );
      expect(result.errors).toBeUndefined();
      const page = result.data!.customers as {
        totalCount: number;
        pageInfo: { hasNextPage: boolean; endCursor: string };
        nodes: Array<{ id: string; lifecycleStage: string }>;
      };
      expect(page.totalCount).toBe(expected.length);
      expect(page.nodes.every((n) => n.lifecycleStage === 'CUSTOMER')).toBe(true);
      seen.push(...page.nodes.map((n) => n.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(expected);
  });

  it('refuses bad page arguments with BAD_USER_INPUT and no backend call', async () => {
    const bad = await gql(`{ customers(first: 2, after: "bm90LWEtY3Vyc29y") { totalCount } }`);
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', serviceName: 'crm' });
    const tooMany = await gql(`{ customers(first: 101) { totalCount } }`);
    expect(tooMany.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await stats()).toEqual({});

    const nested = await gql(`query($id: ID!) { customer(id: $id) { id contacts(first: 0) { totalCount } } }`, { id: companies[0]!.id });
    expect(nested.errors?.[0]).toMatchObject({ path: ['customer', 'contacts'], extensions: { code: 'BAD_USER_INPUT', serviceName: 'crm' } });
  });

  it('updates a customer in the CRM and returns it as the CRM now holds it', async () => {
    const id = companies[7]!.id;
    const result = await gql(
      `mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { customer { id name phone domain lifecycleStage updatedAt } } }`,
      { input: { id, name: 'Renamed Holdings', phone: '+44 20 7946 0000', domain: 'renamed.example.com', lifecycleStage: 'EVANGELIST' } },
    );
    expect(result.errors).toBeUndefined();
    const stored = await hubspot.crm.companies.basicApi.getById(id, ['name', 'phone', 'domain', 'lifecyclestage']);
    expect(stored.properties).toMatchObject({
      name: 'Renamed Holdings',
      phone: '+44 20 7946 0000',
      domain: 'renamed.example.com',
      lifecyclestage: 'evangelist',
    });
    expect(result.data!.updateCustomer).toEqual({
      customer: {
        id,
        name: 'Renamed Holdings',
        phone: '+44 20 7946 0000',
        domain: 'renamed.example.com',
        lifecycleStage: 'EVANGELIST',
        updatedAt: stored.updatedAt.toISOString(),
      },
    });
    const calls = await stats();
    expect(calls).toMatchObject({ 'companies.update': 1, 'companies.batchRead': 1 });

    // Clearing the phone with an explicit null.
    await gql(`mutation($id: ID!) { updateCustomer(input: { id: $id, phone: null }) { customer { phone } } }`, { id });
    expect((await hubspot.crm.companies.basicApi.getById(id, ['phone'])).properties.phone).toBeNull();
  });

  it('refuses invalid updates before calling the CRM, and reports an unknown customer as NOT_FOUND', async () => {
    const invalid = await gql(`mutation { updateCustomer(input: { id: "${companies[0]!.id}", name: "  " }) { customer { id } } }`);
    expect(invalid.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', serviceName: 'crm' });
    expect(await stats()).toEqual({});
    const unknown = await gql(`mutation { updateCustomer(input: { id: "999", name: "Nobody" }) { customer { id } } }`);
    expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', serviceName: 'crm' });
  });

  it('reports a down backend on the affected field while the rest of the query resolves', async () => {
    await operator().setFaults({ down: true, operations: ['contacts.'] });
    const [a, b] = [companies[3]!, companies[4]!];
    const result = await gql(
      `query($a: ID!, $b: ID!) { a: customer(id: $a) { name contacts { totalCount } } b: customer(id: $b) { name deals { totalCount } } }`,
      { a: a.id, b: b.id },
    );
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]).toMatchObject({ path: ['a', 'contacts'], extensions: { code: 'BACKEND_UNAVAILABLE', serviceName: 'crm' } });
    // contacts is nullable, so only it is lost: customer a keeps its name, customer b is whole.
    expect(result.data!.a).toEqual({ name: a.properties.name, contacts: null });
    expect(result.data!.b).toMatchObject({ name: b.properties.name });
  });

  it('reports a refused token as UNAUTHENTICATED without ever showing a token', async () => {
    const result = await gql(`query($id: ID!) { customer(id: $id) { id } }`, { id: companies[0]!.id }, refusedUrl);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', serviceName: 'crm' });
    const health = (await (await fetch(url.replace('/graphql', '/health'))).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ status: 'ok', service: 'crm', backend: { crm: 'closed' } });

    const everything = [...responses, ...logLines].join('\n');
    expect(logLines.length).toBeGreaterThan(0);
    expect(everything).not.toContain(TOKEN);
    expect(everything).not.toContain(WRONG_TOKEN);
  });
});
