/**
 * Differential test of the executor: the same operations through @apollo/gateway's
 * executor and ours, over the same in-process subgraphs (test/helpers/executorFixtures.ts),
 * must give the same response byte for byte (data, errors with their paths and
 * extensions, key order included: a GraphQL response follows the selection order) and
 * send the same subgraph fetches. Hand-written operations cover each tricky shape;
 * 200 seeded random operations (each with every value of its @include/@skip variables)
 * cover their combinations. The client operations of schema/operations run against the
 * real stack in test/executor.stack.test.ts.
 *
 * Where @apollo/gateway is wrong, the case is listed apart: ours must give the right
 * answer, and the test records that @apollo/gateway's differs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { knownDivergence } from './helpers/apolloDivergences.js';
import { startExecutors, type Answer, type Executors, type Fetch } from './helpers/executorHarness.js';
import { CATALOG } from './helpers/executorFixtures.js';
import { randomOperations } from './helpers/randomOperations.js';

/**
 * The fetches as a sorted list: parallel fetches may start in either order. An `_entities`
 * fetch is compared by its distinct representations, in order of first appearance: ours
 * sends an entity that several objects of the response stand for once (and fans its
 * answer out to each), where @apollo/gateway sends it once per object.
 */
const fetchSet = (answer: Answer) => answer.fetches.map((fetch) => JSON.stringify(withDistinctRepresentations(fetch))).sort();

function withDistinctRepresentations(fetch: Fetch): Fetch {
  const variables = fetch.variables as { representations?: unknown[] } | undefined;
  if (!Array.isArray(variables?.representations)) return fetch;
  const distinct = [...new Map(variables.representations.map((r) => [JSON.stringify(r), r])).values()];
  return { ...fetch, variables: { ...variables, representations: distinct } };
}

const CASES: Array<{ name: string; query: string; variables?: Record<string, unknown> }> = [
  { name: '@requires with an entity error in the list', query: '{ products { id name price inStock shippingEstimate } }' },
  { name: 'nullable list, root error and entity fetch', query: '{ productList { id name fragile inStock } }' },
  {
    name: 'union with type conditions and nested entities',
    query: '{ search { __typename ... on Product { id inStock reviews { body author { name email } } } ... on Article { title } } }',
  },
  { name: 'interface field', query: '{ node(id: "a1") { __typename id ... on Article { title reviews { id rating } } ... on Product { name } } }' },
  { name: 'lists of lists of entities', query: '{ matrix { id name stockHistory inStock } }' },
  {
    name: '@interfaceObject fields and __typename',
    query: '{ media { __typename id title stars reviewsCount ... on Book { size: pages } ... on Movie { size: minutes } } }',
  },
  { name: '@interfaceObject at the root', query: '{ topMedia { __typename id title stars ... on Book { pages } } }' },
  { name: '@provides', query: '{ product(id: "p2") { reviews { author { id name } } } }' },
  {
    name: 'aliases of one field with different arguments',
    query: '{ products { id x: delivery(zone: "eu") y: delivery(zone: "us") delivery r1: reviews(first: 1) { id } r2: reviews(first: 3) { id body } } }',
  },
  { name: 'non-null field nulled in a nested object', query: '{ products { id warehouse { code capacity } } }' },
  { name: 'non-null list element nulls the list up to a nullable parent', query: '{ product(id: "p3") { id reviews { id body } } productList { id } }' },
  { name: 'nullability error bubbles to data', query: '{ users { id name email } __typename }' },
  { name: 'root __typename and missing entity', query: '{ __typename p: product(id: "p3") { __typename id inStock name } q: product(id: "nope") { id } }' },
  {
    name: '@include/@skip with variables and defaults',
    query: 'query($a: Boolean!, $b: Boolean = true) { products { id name @include(if: $a) price @skip(if: $b) ... on Product @include(if: $b) { inStock } } }',
    variables: { a: false },
  },
  {
    name: '@include on fragments whose fields come from another subgraph',
    query: 'query Q($a: Boolean!) { products { id ...Stock @include(if: $a) } } fragment Stock on Product { inStock shippingEstimate }',
    variables: { a: true },
  },
  {
    name: 'the same field in a fragment and outside, merged',
    query:
      '{ search(term: "products") { ... on Product { id reviews { id } } ... on Node { id } } product(id: "p1") { reviews { id } ... on Product { reviews { body } } } }',
  },
  { name: 'introspection beside data', query: '{ __type(name: "Product") { name fields { name } } products { id } }' },
  { name: 'bad variables answer without planning', query: 'query($id: ID!) { product(id: $id) { id } }', variables: {} },
];

describe('our executor and @apollo/gateway answer alike', () => {
  let executors: Executors;
  beforeAll(async () => {
    executors = await startExecutors(CATALOG);
  });
  afterAll(() => executors?.stop());

  it.each(CASES)('$name', async ({ query, variables }) => {
    const { apollo, graph360 } = await executors.run(query, variables);
    expect(graph360.json).toBe(apollo.json);
    expect(fetchSet(graph360)).toEqual(fetchSet(apollo));
    // Something was answered: not two identical failures.
    expect(graph360.json).not.toContain('INTERNAL_SERVER_ERROR');
  });

  it('answers 200 random operations alike, under every value of their condition variables', async () => {
    const operations = randomOperations(executors.schema, {
      seed: 360,
      count: 200,
      argumentValues: { id: ['"p1"', '"p3"', '"p5"', '"a1"', '"nope"'], term: ['"all"', '"products"'], first: ['1', '2'], zone: ['"eu"', '"us"'] },
    });
    let compared = 0;
    let withErrors = 0;
    const known = { 'key order': 0, 'entity error path': 0 };
    const differences: string[] = [];
    for (const { query, variables } of operations) {
      for (const values of variables) {
        const { apollo, graph360 } = await executors.run(query, values);
        compared++;
        if (apollo.json.includes('"errors"')) withErrors++;
        const explained = graph360.json === apollo.json ? undefined : knownDivergence(query, apollo.json, graph360.json);
        if (explained) known[explained]++;
        if ((graph360.json !== apollo.json && !explained) || JSON.stringify(fetchSet(graph360)) !== JSON.stringify(fetchSet(apollo))) {
          differences.push(`${query} ${JSON.stringify(values)}\n  apollo:   ${apollo.json}\n  graph360: ${graph360.json}`);
        }
      }
    }
    expect(differences.slice(0, 3).join('\n\n')).toBe('');
    expect(compared).toBeGreaterThanOrEqual(200);
    // @apollo/gateway's own mistakes (see below) explain a few answers; byte-equal stays the rule.
    expect(known['key order'] + known['entity error path']).toBeLessThan(compared / 10);
    console.info(
      `compared ${compared} answers of ${operations.length} operations; ${withErrors} with errors; known @apollo/gateway divergences: ${JSON.stringify(known)}`,
    );
    // The random operations reach the failing fields too, not only the happy paths.
    expect(withErrors).toBeGreaterThan(20);
  });
});

describe('where @apollo/gateway is wrong', () => {
  let executors: Executors;
  beforeAll(async () => {
    executors = await startExecutors(CATALOG);
  });
  afterAll(() => executors?.stop());

  it('pins an entity error on the entity it came from, not on a union neighbour that sent no representation', async () => {
    // search(term: "mixed") is [Article a1, Product p1, Product p3]; p3's inStock fails.
    const { apollo, graph360 } = await executors.run('{ search(term: "mixed") { ... on Product { id inStock } ... on Article { title } } }');
    const ours = JSON.parse(graph360.json) as { errors: Array<{ path: unknown[] }>; data: unknown };
    expect(ours.errors.map((e) => e.path)).toEqual([['search', 2, 'inStock']]);
    expect(ours.data).toEqual({ search: [{ title: 'Article 1' }, { id: 'p1', inStock: true }, null] });
    // @apollo/gateway indexes every object at the path, articles included: p1's position.
    expect((JSON.parse(apollo.json) as { errors: Array<{ path: unknown[] }> }).errors[0]!.path).toEqual(['search', 1, 'inStock']);
  });

  it('orders response keys as the selection does when two inline fragments share a type condition', async () => {
    const { apollo, graph360 } = await executors.run('{ ... on Query { a: __typename } b: __typename ... on Query { c: __typename } }');
    expect(graph360.json).toBe('{"data":{"a":"Query","b":"Query","c":"Query"}}');
    // @apollo/gateway merges the two fragments first, so c comes before b.
    expect(apollo.json).toBe('{"data":{"a":"Query","c":"Query","b":"Query"}}');
  });
});
