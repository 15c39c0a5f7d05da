/**
 * The executor's parts on their own: data rewrites, representations, merging, the
 * refusal of plan nodes it does not run yet, and plans tied to the supergraph revision
 * (a reload moves a field to another subgraph; the next request fetches it there).
 * Whole responses are compared with @apollo/gateway's in test/executor.differential.test.ts.
 */
import { composeServices } from '@apollo/composition';
import { ApolloGateway, type GraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { InMemoryLRUCache } from '@apollo/utils.keyvaluecache';
import { buildSchema, graphql, parse, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { DataRewrites } from './DataRewrites.js';
import { PlanRun } from './executePlan.js';
import { graph360Gateway, recordServices } from './graph360Gateway.js';
import { mergeInto } from './mergeInto.js';
import type { PreparedOperation } from './PreparedOperation.js';
import { RepresentationBuilder } from './Representations.js';
import { SelectionShape } from './ResponseShape.js';
import { ResponseShaper } from './shapeResponse.js';
import { SupergraphRevision } from './SupergraphRevision.js';

const FED = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable"])';
const subgraph = (name: string, typeDefs: string) => ({ name, url: `http://${name}.invalid`, typeDefs: parse(`${FED}\n${typeDefs}`) });

function compose(...subgraphs: Array<ReturnType<typeof subgraph>>): string {
  const result = composeServices(subgraphs);
  if (result.errors) throw new Error(result.errors.map((e) => e.message).join('; '));
  return result.supergraphSdl;
}

const SUPERGRAPH = compose(
  subgraph(
    'a',
    'type Query { items: [Item] } interface Thing { id: ID! } type Item implements Thing @key(fields: "id") { id: ID! name: String } type Other implements Thing @key(fields: "id") { id: ID! }',
  ),
  subgraph('b', 'type Item @key(fields: "id") { id: ID! price: Int }'),
);
const revision = new SupergraphRevision(SUPERGRAPH, buildSchema('type Query { x: Int }'));

describe('DataRewrites', () => {
  it('sets a value on objects of the type, through lists, leaving others alone', () => {
    const rewrites = new DataRewrites([{ kind: 'ValueSetter', path: ['... on Item', '__typename'], setValueTo: 'Thing' }]);
    const data = [{ __typename: 'Item', id: '1' }, { __typename: 'Other', id: '2' }, [{ __typename: 'Item' }]];
    rewrites.apply(revision, data);
    expect(data).toEqual([{ __typename: 'Thing', id: '1' }, { __typename: 'Other', id: '2' }, [{ __typename: 'Thing' }]]);
  });

  it('renames a key back to its response name, and a __proto__ key stays an own property', () => {
    const rewrites = new DataRewrites([
      { kind: 'KeyRenamer', path: ['items', 'name__alias_0'], renameKeyTo: 'name' },
      { kind: 'KeyRenamer', path: ['items', 'evil'], renameKeyTo: '__proto__' },
    ]);
    const data = JSON.parse('{"items":[{"name__alias_0":"a","evil":{"polluted":true}},null]}') as { items: Array<Record<string, unknown>> };
    rewrites.apply(revision, data);
    expect(data.items[0]!.name).toBe('a');
    expect(data.items[0]!.name__alias_0).toBeUndefined();
    expect(Object.getPrototypeOf(data.items[0]!)).toBe(Object.prototype);
    expect(Object.hasOwn(data.items[0]!, '__proto__')).toBe(true);
  });
});

describe('RepresentationBuilder', () => {
  const builder = new RepresentationBuilder(
    [
      {
        kind: 'InlineFragment',
        typeCondition: 'Thing',
        selections: [
          { kind: 'Field', name: '__typename' },
          { kind: 'Field', name: 'id' },
          { kind: 'Field', name: 'tags', selections: [{ kind: 'Field', name: 'name' }] },
        ],
      },
    ],
    revision,
  );

  it('copies the required fields of an object under the type condition (abstract, per the supergraph)', () => {
    const tags = [{ name: 'x', extra: 1 }, null];
    expect(builder.build({ __typename: 'Item', id: '1', name: 'not sent', tags })).toEqual({ __typename: 'Item', id: '1', tags: [{ name: 'x' }, null] });
  });

  it('sends nothing for an object missing a key, of another type, or without __typename', () => {
    expect(builder.build({ __typename: 'Item', tags: [] })).toBeUndefined();
    expect(builder.build({ __typename: 'Query', id: '1', tags: [] })).toBeUndefined();
    expect(builder.build({ id: '1', tags: [] })).toBeUndefined();
  });

  it('nulls a nested selection whose field is missing', () => {
    expect(builder.build({ __typename: 'Item', id: '1', tags: [{ other: 1 }] })).toEqual({ __typename: 'Item', id: '1', tags: [null] });
  });

  it('builds flat requires (leaf fields only) on its short path with the same rules: every field in order, or nothing', () => {
    const field = (name: string) => ({ kind: 'Field' as const, name });
    const flat = new RepresentationBuilder(
      [{ kind: 'InlineFragment', typeCondition: 'Thing', selections: [field('id'), field('__typename'), field('name')] }],
      revision,
    );
    const key = new RepresentationBuilder([{ kind: 'InlineFragment', typeCondition: 'Item', selections: [field('__typename'), field('id')] }], revision);
    expect(flat.flat).toEqual({ type: 'Thing', fields: ['id', '__typename', 'name'], key: undefined });
    expect(key.flat).toEqual({ type: 'Item', fields: ['__typename', 'id'], key: 'id' });
    expect(builder.flat).toBeUndefined();
    const built = flat.build({ name: null, __typename: 'Item', id: '1', extra: 2 });
    expect(built).toEqual({ id: '1', __typename: 'Item', name: null });
    expect(Object.keys(built!)).toEqual(['id', '__typename', 'name']);
    expect(flat.build({ __typename: 'Item', id: '1' })).toBeUndefined();
    expect(flat.build({ __typename: 'Query', id: '1', name: 'x' })).toBeUndefined();
    expect(flat.build({ id: '1', name: 'x' })).toBeUndefined();
    // An inherited name is never read as a required field.
    expect(
      new RepresentationBuilder([{ kind: 'InlineFragment', typeCondition: 'Item', selections: [field('__typename'), field('constructor')] }], revision).build({
        __typename: 'Item',
      }),
    ).toBeUndefined();
    expect(key.build({ __typename: 'Item', id: 7 })).toEqual({ __typename: 'Item', id: 7 });
  });

  it('tells flat representations apart by a key string: equal for equal ones, never for different ones', () => {
    const field = (name: string) => ({ kind: 'Field' as const, name });
    const flat = new RepresentationBuilder(
      [{ kind: 'InlineFragment', typeCondition: 'Item', selections: [field('__typename'), field('id'), field('name')] }],
      revision,
    );
    const keyOf = (id: unknown, name: unknown) => flat.flatKey!({ __typename: 'Item', id, name });
    expect(keyOf('1', 'a')).toBe(keyOf('1', 'a'));
    const distinct = [
      keyOf('1', 'a'),
      keyOf('1', 'b'),
      keyOf(1, 'a'),
      keyOf('1', null),
      keyOf('1', 'null'),
      keyOf(true, 'a'),
      keyOf('true', 'a'),
      keyOf('1\u00011:a', ''),
      keyOf('1', '\u00011:a'),
    ];
    expect(new Set(distinct).size).toBe(distinct.length);
    expect(keyOf('1', { nested: true })).toBeUndefined();
  });
});

describe('mergeInto', () => {
  it('merges objects and same-length lists in place, replaces the rest, skips undefined', () => {
    const target = { a: { x: 1 }, list: [{ id: 1 }, { id: 2 }], other: [1], kept: 1 };
    mergeInto(target, { a: { y: 2 }, list: [{ v: 'a' }, { v: 'b' }], other: [1, 2], kept: undefined, added: 'new' });
    expect(target).toEqual({
      a: { x: 1, y: 2 },
      list: [
        { id: 1, v: 'a' },
        { id: 2, v: 'b' },
      ],
      other: [1, 2],
      kept: 1,
      added: 'new',
    });
  });

  it('never sets a prototype from a subgraph answer', () => {
    const target: Record<string, unknown> = {};
    mergeInto(target, JSON.parse('{"__proto__":{"polluted":true}}') as Record<string, unknown>);
    expect(Object.getPrototypeOf(target)).toBe(Object.prototype);
    expect((target as { polluted?: boolean }).polluted).toBeUndefined();
  });
});

describe('shaping names that objects inherit', () => {
  it('never answers a field from Object.prototype, and keeps a `__proto__` alias an own key', () => {
    const schema = buildSchema('type Query { constructor: String, a: Item } type Item { toString: String, x: Int }');
    const operation = parse('{ constructor __proto__: constructor a { toString x } }').definitions[0] as OperationDefinitionNode;
    const shape = new SelectionShape({ schema, operation, fragments: {}, conditions: new Map() }, schema.getQueryType()!, [operation.selectionSet]);
    // The gathered data has neither field of its own: both are null, whatever Object.prototype holds.
    const { data, errors } = new ResponseShaper(schema, {}).shape(shape, JSON.parse('{"a":{"x":1}}') as Record<string, unknown>);
    expect(errors).toEqual([]);
    expect(JSON.stringify(data)).toBe('{"constructor":null,"__proto__":null,"a":{"toString":null,"x":1}}');
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
  });
});

describe('shaping leaf values', () => {
  const schema = buildSchema('type Query { i: Int, s: String, id: ID, f: Float, b: Boolean, n: Int! }');
  const shapeOf = (query: string) => {
    const operation = parse(query).definitions[0] as OperationDefinitionNode;
    return new SelectionShape({ schema, operation, fragments: {}, conditions: new Map() }, schema.getQueryType()!, [operation.selectionSet]);
  };

  it('passes values of the scalar kind through, and nulls any other with an error at its path', () => {
    const shape = shapeOf('{ i s id f b }');
    const valid = new ResponseShaper(schema, {}).shape(shape, { i: 7, s: 'a', id: 9, f: 1.5, b: false });
    expect(valid).toEqual({ data: { i: 7, s: 'a', id: 9, f: 1.5, b: false }, errors: [] });
    const invalid = new ResponseShaper(schema, {}).shape(shape, { i: 1.5, s: 3, id: 2.5, f: 2, b: 'x' });
    expect(invalid.data).toEqual({ i: null, s: null, id: null, f: 2, b: null });
    expect(invalid.errors.map((error) => error.path)).toEqual([['i'], ['s'], ['id'], ['b']]);
  });

  it('propagates a missing non-null leaf to the parent', () => {
    const { data, errors } = new ResponseShaper(schema, {}).shape(shapeOf('{ i n }'), { i: 1 });
    expect(data).toBeNull();
    expect(errors.map((error) => error.path)).toEqual([['n']]);
  });
});

describe('answers the executor cannot use', () => {
  it('records an error for _entities that is not a list of objects, and leaves the entities alone', async () => {
    const supergraph = compose(
      subgraph('a', 'type Query { items: [Item] } type Item @key(fields: "id") { id: ID! }'),
      subgraph('b', 'type Item @key(fields: "id") { id: ID! price: Int }'),
    );
    const rev = new SupergraphRevision(supergraph, buildSchema('type Query { x: Int }'));
    const { compilePlan } = await import('./compilePlan.js');
    const { operationFromDocument } = await import('@apollo/federation-internals');
    const plan = rev.planner.buildQueryPlan(operationFromDocument(rev.apiSchema, parse('{ items { id price } }')));
    for (const entities of ['not a list', ['n']]) {
      const source = (name: string): GraphQLDataSource => ({
        process: async () => ({ data: name === 'a' ? { items: [{ __typename: 'Item', id: '1' }] } : { _entities: entities } }),
      });
      const run = new PlanRun(rev, source, { request: {}, metrics: {} } as GatewayGraphQLRequestContext, {});
      await run.run(compilePlan(plan, rev)!, [run.data]);
      expect(run.errors.map((e) => e.message)).toEqual([
        Array.isArray(entities) ? 'Expected "data._entities" to contain objects, got string at 0' : 'Expected "data._entities" in response to be an array',
      ]);
      expect(run.data).toEqual({ items: [{ __typename: 'Item', id: '1' }] });
    }
  });
});

describe('identical representations', () => {
  it('sends an entity once however many objects stand for it, and gives each its answer and its errors', async () => {
    const supergraph = compose(
      subgraph('a', 'type Query { items: [Item] } type Item @key(fields: "id") { id: ID! }'),
      subgraph('b', 'type Item @key(fields: "id") { id: ID! price: Int detail: Detail } type Detail { note: String }'),
    );
    const rev = new SupergraphRevision(supergraph, buildSchema('type Query { x: Int }'));
    const { compilePlan } = await import('./compilePlan.js');
    const { operationFromDocument } = await import('@apollo/federation-internals');
    const plan = rev.planner.buildQueryPlan(operationFromDocument(rev.apiSchema, parse('{ items { id price detail { note } } }')));
    const sent: unknown[] = [];
    const source = (name: string): GraphQLDataSource => ({
      process: async ({ request }) => {
        if (name === 'a') return { data: { items: ['1', '2', '1', '3', '1'].map((id) => ({ __typename: 'Item', id })) } };
        const representations = request.variables!.representations as Array<{ id: string }>;
        sent.push(representations);
        return {
          data: { _entities: representations.map(({ id }) => (id === '3' ? null : { price: Number(id), detail: { note: `n${id}` } })) },
          // Item 3 fails: as if each object had been sent, each gets the error.
          errors: representations.flatMap(({ id }, i) => (id === '3' ? [{ message: 'no price', path: ['_entities', i, 'price'] }] : [])),
        };
      },
    });
    const run = new PlanRun(rev, source, { request: {}, metrics: {} } as GatewayGraphQLRequestContext, {});
    await run.run(compilePlan(plan, rev)!, [run.data]);
    expect(sent).toEqual([
      [
        { __typename: 'Item', id: '1' },
        { __typename: 'Item', id: '2' },
        { __typename: 'Item', id: '3' },
      ],
    ]);
    const item = (id: string) => ({ __typename: 'Item', id, price: Number(id), detail: { note: `n${id}` } });
    expect(run.data).toEqual({ items: [item('1'), item('2'), item('1'), { __typename: 'Item', id: '3' }, item('1')] });
    expect(run.errors.map((e) => [e.message, (e as { path?: unknown }).path])).toEqual([['no price', ['items', 3, 'price']]]);
  });

  it('fans an error of a shared representation out to every object it stands for, in their order', async () => {
    const supergraph = compose(
      subgraph('a', 'type Query { items: [Item] } type Item @key(fields: "id") { id: ID! }'),
      subgraph('b', 'type Item @key(fields: "id") { id: ID! price: Int }'),
    );
    const rev = new SupergraphRevision(supergraph, buildSchema('type Query { x: Int }'));
    const { compilePlan } = await import('./compilePlan.js');
    const { operationFromDocument } = await import('@apollo/federation-internals');
    const plan = rev.planner.buildQueryPlan(operationFromDocument(rev.apiSchema, parse('{ items { id price } }')));
    const source = (name: string): GraphQLDataSource => ({
      process: async ({ request }) => {
        if (name === 'a') return { data: { items: ['9', '1', '9'].map((id) => ({ __typename: 'Item', id })) } };
        const representations = request.variables!.representations as Array<{ id: string }>;
        return {
          data: { _entities: representations.map(() => null) },
          errors: representations.map(({ id }, i) => ({ message: `no ${id}`, path: ['_entities', i, 'price'] })),
        };
      },
    });
    const run = new PlanRun(rev, source, { request: {}, metrics: {} } as GatewayGraphQLRequestContext, {});
    await run.run(compilePlan(plan, rev)!, [run.data]);
    expect(run.errors.map((e) => [e.message, (e as { path?: unknown }).path])).toEqual([
      ['no 9', ['items', 0, 'price']],
      ['no 1', ['items', 1, 'price']],
      ['no 9', ['items', 2, 'price']],
    ]);
  });
});

describe('plans and the supergraph revision', () => {
  it('plans again after a reload: a field that moved is fetched from its new subgraph', async () => {
    const schemas = {
      a: buildSubgraphSchema({
        typeDefs: parse(`${FED}\ntype Query { item: Item } type Item @key(fields: "id") { id: ID! name: String @shareable }`),
        resolvers: { Query: { item: () => ({ id: '1', name: 'from a' }) } },
      }),
      b: buildSubgraphSchema({
        typeDefs: parse(`${FED}\ntype Item @key(fields: "id") { id: ID! name: String @shareable price: Int }`),
        resolvers: { Item: { __resolveReference: (ref: { id: string }) => ({ id: ref.id, name: 'from b', price: 5 }) } },
      }),
    };
    const before = compose(
      subgraph('a', 'type Query { item: Item } type Item @key(fields: "id") { id: ID! name: String @shareable }'),
      subgraph('b', 'type Item @key(fields: "id") { id: ID! price: Int }'),
    );
    // After: `a` no longer has name; only `b` does.
    const after = compose(
      subgraph('a', 'type Query { item: Item } type Item @key(fields: "id") { id: ID! }'),
      subgraph('b', 'type Item @key(fields: "id") { id: ID! name: String price: Int }'),
    );
    const fetched: string[] = [];
    const recorded = recordServices(({ name }) => {
      const schema = schemas[name as 'a' | 'b'];
      const source: GraphQLDataSource = {
        process: async ({ request }) => {
          fetched.push(name);
          return graphql({ schema, source: request.query!, variableValues: request.variables });
        },
      };
      return source;
    });
    let update: (sdl: string) => void = () => undefined;
    const inner = new ApolloGateway({
      supergraphSdl: async (options) => {
        update = options.update;
        return { supergraphSdl: before };
      },
      buildService: recorded.buildService,
    });
    const plans = new InMemoryLRUCache<PreparedOperation>({ maxSize: 100, sizeCalculation: () => 1 });
    const server = new ApolloServer({ gateway: graph360Gateway(inner, { services: recorded.services, plans, logger: console }) });
    await server.start();
    try {
      const ask = async () => {
        fetched.length = 0;
        const response = await server.executeOperation({ query: '{ item { id name } }' });
        return response.body.kind === 'single' ? response.body.singleResult : undefined;
      };
      expect(await ask()).toEqual({ data: { item: { id: '1', name: 'from a' } } });
      expect(fetched).toEqual(['a']);
      update(after);
      expect(await ask()).toEqual({ data: { item: { id: '1', name: 'from b' } } });
      expect(fetched).toEqual(['a', 'b']);
    } finally {
      await server.stop();
    }
  });
});
