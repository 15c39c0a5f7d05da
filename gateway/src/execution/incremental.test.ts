/**
 * The executor's streamed @defer (incremental.ts) over two small in-process subgraphs:
 * one item per list element with its index; no item for an object the primary part
 * nulled; a null in a non-null field of a deferred fragment nulls that item alone; the
 * fetches of a deferred fragment start only after the primary part; without a streaming
 * channel the same plan answers whole.
 */
import { composeServices } from '@apollo/composition';
import type { GraphQLDataSource } from '@apollo/gateway';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { graphql, parse, type GraphQLSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { executeOperation } from './executeOperation.js';
import { IncrementalDelivery, type SubsequentPayload } from './incremental.js';
import { PreparedOperation } from './PreparedOperation.js';
import { SupergraphRevision, withDeferDirective } from './SupergraphRevision.js';

const ITEMS = [
  { id: '1', name: 'one', price: 10 },
  { id: '2', name: 'two', price: null },
  { id: '3', name: null, price: 30 },
];

const catalog = buildSubgraphSchema({
  typeDefs: parse(`
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
    type Query { items: [Item]! }
    type Item @key(fields: "id") { id: ID! name: String! }
  `),
  resolvers: { Query: { items: () => ITEMS.map(({ id, name }) => ({ id, name })) } },
});
const prices = buildSubgraphSchema({
  typeDefs: parse(`
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
    type Item @key(fields: "id") { id: ID! price: Int! }
  `),
  resolvers: { Item: { __resolveReference: ({ id }: { id: string }) => ITEMS.find((item) => item.id === id) } },
});

const composed = composeServices([
  {
    name: 'catalog',
    typeDefs: parse(
      `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"]) type Query { items: [Item]! } type Item @key(fields: "id") { id: ID! name: String! }`,
    ),
    url: 'http://catalog',
  },
  {
    name: 'prices',
    typeDefs: parse(
      `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"]) type Item @key(fields: "id") { id: ID! price: Int! }`,
    ),
    url: 'http://prices',
  },
]);
if (!composed.supergraphSdl) throw new Error(`composition failed: ${composed.errors?.map((e) => e.message).join('; ')}`);
const revision = new SupergraphRevision(composed.supergraphSdl, withDeferDirective, { incrementalDelivery: { enableDefer: true } });

/** The subgraphs in process; the prices subgraph answers only once `pricesGate` resolves. */
function services(log: string[], pricesGate: Promise<void>): (name: string) => GraphQLDataSource {
  const schemas: Record<string, GraphQLSchema> = { catalog, prices };
  return (name) => ({
    async process({ request }) {
      log.push(name);
      if (name === 'prices') await pricesGate;
      const result = await graphql({ schema: schemas[name]!, source: request.query ?? '', variableValues: request.variables });
      return JSON.parse(JSON.stringify(result)) as Awaited<ReturnType<GraphQLDataSource['process']>>;
    },
  });
}

async function execute(
  query: string,
  stream: boolean,
): Promise<{ initial: unknown; parts: SubsequentPayload[]; fetches: string[]; pricesAnsweredAtInitial: boolean }> {
  const document = parse(query);
  const prepared = new PreparedOperation(revision, document, undefined);
  const delivery = stream ? new IncrementalDelivery() : undefined;
  const requestContext = {
    request: { query, variables: {} },
    context: { incremental: delivery },
    metrics: {},
    document,
  } as unknown as GatewayGraphQLRequestContext;
  const fetches: string[] = [];
  let pricesAnswered = false;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve)).then(() => void (pricesAnswered = true));
  // Answered whole, the result waits for the prices: the gate opens at once then.
  if (!stream) release();
  const result = await executeOperation(prepared, requestContext, services(fetches, gate));
  const pricesAnsweredAtInitial = pricesAnswered;
  release();
  const parts: SubsequentPayload[] = [];
  if (delivery?.rest) for await (const part of delivery.rest) parts.push(part);
  // Errors as a client sees their message and path.
  return { initial: JSON.parse(JSON.stringify(result)), parts: JSON.parse(JSON.stringify(parts)) as SubsequentPayload[], fetches, pricesAnsweredAtInitial };
}

const QUERY = '{ items { id name ... @defer(label: "price") { price } } }';

describe('streamed @defer', () => {
  it('sends the primary part first, then one item per list element that the primary part did not null', async () => {
    const { initial, parts, fetches, pricesAnsweredAtInitial } = await execute(QUERY, true);
    // Item 3 has no name, a non-null field: the catalog nulls it, with its error.
    expect(initial).toEqual({
      data: { items: [{ id: '1', name: 'one' }, { id: '2', name: 'two' }, null] },
      errors: [expect.objectContaining({ path: ['items', 2, 'name'], extensions: expect.objectContaining({ serviceName: 'catalog' }) })],
    });
    // The primary part was ready while the prices subgraph had not answered.
    expect(pricesAnsweredAtInitial).toBe(false);
    expect(fetches).toEqual(['catalog', 'prices']);
    expect(parts).toHaveLength(1);
    expect(parts[0]!.hasNext).toBe(false);
    // Item 2's price is null where Int! is required: its fragment is null, item 1's is not.
    expect(parts[0]!.incremental).toEqual([
      { data: { price: 10 }, path: ['items', 0], label: 'price' },
      expect.objectContaining({ data: null, path: ['items', 1], label: 'price' }),
    ]);
  });

  it('answers the same plan whole without a streaming channel', async () => {
    const { initial, parts } = await execute(QUERY, false);
    expect(parts).toEqual([]);
    expect(initial).toMatchObject({ data: { items: [{ id: '1', name: 'one', price: 10 }, null, null] } });
  });
});
