/**
 * What the limits measure (tokens, nesting, depth, aliases, root fields) and the cost
 * estimate, on hand-written documents and on the real supergraph's API schema, whose
 * customer-360 query sets the default cost limit.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printSchema, Supergraph } from '@apollo/federation-internals';
import { buildSchema, parse, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { RawGraphQLRequest } from '../../../lib/http.js';
import { ANONYMOUS } from '../auth/identity.js';
import {
  estimateCost,
  limitsStep,
  listSizesFromSupergraph,
  maxNestingFor,
  measureDocument,
  measureSource,
  readOperationLimits,
  type OperationLimits,
} from './index.js';

const SUPERGRAPH = readFileSync(fileURLToPath(new URL('../../../schema/supergraph.graphql', import.meta.url)), 'utf8');
let api: GraphQLSchema | undefined;
/** The API schema of the real supergraph (what the gateway validates requests against), built by this module's graphql (vitest loads graphql's ESM build, federation-internals its CJS one). */
const apiSchema = (): GraphQLSchema => (api ??= buildSchema(printSchema(Supergraph.build(SUPERGRAPH, { supportedFeatures: null }).apiSchema())));

/** The limits when no LIMIT_* variable is set. */
const defaultLimits = (): OperationLimits => readOperationLimits({});

/** The customer-360 query of test/customer360.test.ts. */
const CUSTOMERS_360 = /* GraphQL */ `
  query Customers360($first: Int!) {
    customers(first: $first) {
      nodes {
        id name currency
        contacts(first: 5) { totalCount nodes { id email } }
        deals(first: 5) { totalCount nodes { id name amount { amount currency } } }
        orders(first: 3) {
          totalCount
          nodes { id number status total { amount currency } lines { quantity unitPrice { amount } product { id sku name stockOnHand price { amount currency } } } }
        }
        invoices(first: 3) { totalCount nodes { id number status total { amount } amountDue { amount currency } payments { id status amount { amount currency } } } }
        outstandingBalance { amount currency }
        payments(first: 3) { nodes { id status amount { amount } invoice { id } } }
      }
    }
  }
`;

function cost(schemaSdl: string, query: string, variables: Record<string, unknown> = {}, defaultListSize = 10, listSizes = new Map()): number {
  const document = parse(query);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')!;
  return estimateCost({ schema: buildSchema(schemaSdl), document, operation, variables, listSizes, defaultListSize });
}

describe('measureSource', () => {
  it('counts tokens without comments and stops just past the limit', () => {
    expect(measureSource('{ a b # comment\n c }', { maxTokens: 100, maxNesting: 10 })).toEqual({ tokens: 5, nesting: 1, operationName: 0 });
    const huge = `{ ${'a '.repeat(100_000)}}`;
    expect(measureSource(huge, { maxTokens: 1000, maxNesting: 10 }).tokens).toBe(1001);
  });

  it('measures bracket nesting, braces, brackets and parentheses alike, and stops past the limit', () => {
    expect(measureSource('{ a(x: [[1]]) { b { c } } }', { maxTokens: 100, maxNesting: 10 }).nesting).toBe(4);
    const deep = `${'{ a '.repeat(5000)}${'}'.repeat(5000)}`;
    expect(measureSource(deep, { maxTokens: 100_000, maxNesting: 40 }).nesting).toBe(41);
  });

  it('measures the longest operation name, not fields, fragments or variables', () => {
    const limits = { maxTokens: 1000, maxNesting: 10 };
    expect(measureSource('query Short { a } mutation AVeryLongName($query: Int) { b }', limits).operationName).toBe(13);
    expect(measureSource(`subscription ${'S'.repeat(500_000)} { a }`, limits)).toEqual({ tokens: 5, nesting: 1, operationName: 500_000 });
    expect(measureSource(`{ query { ${'f'.repeat(300)} } } fragment ${'F'.repeat(300)} on Query { a }`, limits).operationName).toBe(0);
  });

  it('leaves lexical errors to the parser', () => {
    expect(measureSource('{ a "unterminated', { maxTokens: 100, maxNesting: 10 }).tokens).toBe(2);
  });
});

describe('measureDocument', () => {
  it('measures depth, aliases and root fields through fragments', () => {
    const document = parse(`
      query Q { a { b { c } } x: a { ...F } ...R }
      fragment F on A { y: b { z: c { d } } }
      fragment R on Query { e f }
    `);
    expect(measureDocument(document)).toEqual({ depth: 4, aliases: 3, rootFields: 4 });
  });

  it('counts aliases once per use of their fragment, and survives a fragment bomb and a cycle', () => {
    const bomb = parse(`
      query { ...L0 }
      ${Array.from({ length: 40 }, (_, i) => `fragment L${i} on Query { a${i}: f { ...L${i + 1} } b${i}: f { ...L${i + 1} } }`).join('\n')}
      fragment L40 on Query { leaf }
    `);
    const measure = measureDocument(bomb);
    expect(measure.aliases).toBe(2 * (2 ** 40 - 1));
    expect(measure.depth).toBe(41);
    const cycle = parse('query { ...A } fragment A on Query { a { ...B } } fragment B on Query { b { ...A } }');
    expect(measureDocument(cycle)).toEqual({ depth: 2, aliases: 0, rootFields: 1 });
  });
});

const SCHEMA = /* GraphQL */ `
  type Query { customers(first: Int = 20): CustomerConnection! tags: [String!]! products(limit: Int): [Product!]! }
  type Mutation { touch(id: ID!): Product }
  type CustomerConnection { totalCount: Int! nodes: [Customer!]! }
  type Customer { id: ID! name: String! orders(first: Int = 10): OrderConnection! notes: [Note!]! }
  type OrderConnection { nodes: [Order!]! }
  type Order { id: ID! lines: [Line!]! }
  type Line { quantity: Int! }
  type Note { text: String! }
  type Product { id: ID! }
`;

describe('estimateCost', () => {
  it('charges one per object, nothing per scalar, and multiplies by list sizes', () => {
    // customers: 1 + nodes 7 x (1 + orders (1 + nodes 2 x (1 + lines 10 x 1)))
    expect(cost(SCHEMA, '{ customers(first: 7) { totalCount nodes { id orders(first: 2) { nodes { id lines { quantity } } } } } }')).toBe(
      1 + 7 * (1 + 1 + 2 * (1 + 10)),
    );
    // The argument's default (20) when it is not given, a variable when it is one, the default list size otherwise.
    expect(cost(SCHEMA, '{ customers { nodes { id } } }')).toBe(1 + 20);
    expect(cost(SCHEMA, 'query ($n: Int) { customers(first: $n) { nodes { id } } }', { n: 1_000_000 })).toBe(1 + 1_000_000);
    // A value no Int holds is no size (the default list size counts): variable coercion refuses it (BAD_USER_INPUT), the cost does not claim it.
    for (const n of [2 ** 31, 1.5, -1, '7']) expect(cost(SCHEMA, 'query ($n: Int) { customers(first: $n) { nodes { id } } }', { n }), String(n)).toBe(1 + 10);
    expect(cost(SCHEMA, 'query ($n: Int) { customers(first: $n) { nodes { id } } }', { n: 2 ** 31 - 1 })).toBe(2 ** 31);
    expect(cost(SCHEMA, '{ customers(first: 2) { nodes { notes { text } } } }', {}, 4)).toBe(1 + 2 * (1 + 4));
    expect(cost(SCHEMA, '{ products(limit: 3) { id } tags }')).toBe(3);
    expect(cost(SCHEMA, 'mutation { touch(id: "1") { id } }')).toBe(11);
    expect(cost(SCHEMA, '{ __schema { types { name fields { name } } } __typename }')).toBe(0);
  });

  it('follows @listSize from the supergraph', () => {
    const sizes = listSizesFromSupergraph(`
      type Customer { notes: [Note!]! @listSize(assumedSize: 3) }
      type Query { customers(first: Int = 20): CustomerConnection! @listSize(slicingArguments: ["first"], sizedFields: ["nodes"]) }
    `);
    expect(sizes.get('Customer.notes')).toEqual({ assumedSize: 3 });
    expect(cost(SCHEMA, '{ customers(first: 2) { nodes { notes { text } } } }', {}, 10, sizes)).toBe(1 + 2 * (1 + 3));
  });

  it('is linear in a fragment bomb', () => {
    const query = `query { ...L0 } ${Array.from({ length: 40 }, (_, i) => `fragment L${i} on Query { a${i}: products(limit: 1) { id } ...L${i + 1} ...L${i + 1} }`).join(' ')} fragment L40 on Query { tags }`;
    expect(cost(SCHEMA, query)).toBe(2 ** 40 - 1);
  });

  it('lets the real customer-360 query through the default limit for 100 customers, and not a huge page', () => {
    const document = parse(CUSTOMERS_360);
    const operation = document.definitions[0] as OperationDefinitionNode;
    const limits = defaultLimits();
    const at = (first: number): number =>
      estimateCost({
        schema: apiSchema(),
        document,
        operation,
        variables: { first },
        listSizes: listSizesFromSupergraph(SUPERGRAPH),
        defaultListSize: limits.defaultListSize,
      });
    expect(at(50)).toBe(11_301);
    expect(at(100)).toBeLessThanOrEqual(limits.maxCost);
    expect(at(1_000_000)).toBeGreaterThan(limits.maxCost);
    expect(measureDocument(document).depth).toBeLessThanOrEqual(limits.maxDepth);
    expect(maxNestingFor(limits.maxDepth)).toBe(40);
  });

  it('lets every client operation in schema/operations through the default limits', () => {
    const folder = fileURLToPath(new URL('../../../schema/operations/', import.meta.url));
    const files = existsSync(folder) ? readdirSync(folder).filter((f) => f.endsWith('.graphql')) : [];
    if (files.length === 0) return;
    const source = files.map((f) => readFileSync(join(folder, f), 'utf8')).join('\n');
    const limits = defaultLimits();
    expect(measureSource(source, { maxTokens: limits.maxTokens, maxNesting: maxNestingFor(limits.maxDepth) }).nesting).toBeLessThanOrEqual(
      maxNestingFor(limits.maxDepth),
    );
    const document = parse(source);
    const measure = measureDocument(document);
    expect(measure.depth).toBeLessThanOrEqual(limits.maxDepth);
    expect(measure.aliases).toBeLessThanOrEqual(limits.maxAliases);
    expect(measure.rootFields).toBeLessThanOrEqual(limits.maxRootFields);
    for (const operation of document.definitions.filter((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')) {
      const estimated = estimateCost({
        schema: apiSchema(),
        document,
        operation,
        variables: {},
        listSizes: listSizesFromSupergraph(SUPERGRAPH),
        defaultListSize: limits.defaultListSize,
      });
      expect(estimated, operation.name?.value).toBeLessThanOrEqual(limits.maxCost);
    }
  });
});

describe('the limits step before parsing (http)', () => {
  const lines: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
  const step = limitsStep({ limits: { ...readOperationLimits({}), maxTokens: 60, maxDepth: 3 }, logger, loggerFor: () => logger });
  const inspect = (request: RawGraphQLRequest, requestId = 'req-1') =>
    step.http!({ request, requestId, req: {} as IncomingMessage, auth: ANONYMOUS, clientIp: '127.0.0.1', malformed: undefined });
  const post = (body: unknown) => inspect({ method: 'POST', body, search: new URLSearchParams() });

  it('checks every operation of a batch, and the query of a GET', () => {
    expect(post({ query: '{ a b c }' })).toBeUndefined();
    expect(post([{ query: '{ a }' }, { query: `{ ${'a '.repeat(70)}}` }])).toMatchObject({
      status: 400,
      code: 'MAX_TOKENS_LIMIT',
      extensions: { limit: 60, measured: 61 },
    });
    // Nesting allowed: 2 x 3 + 10 = 16 brackets.
    expect(post({ query: `${'{ a '.repeat(16)}${'}'.repeat(16)}` })).toBeUndefined();
    expect(post({ query: `${'{ a '.repeat(17)}${'}'.repeat(17)}` })).toMatchObject({
      status: 400,
      code: 'MAX_DEPTH_LIMIT',
      extensions: { limit: 16, measured: 17, unit: 'brackets' },
    });
    expect(inspect({ method: 'GET', body: undefined, search: new URLSearchParams({ query: `{ ${'a '.repeat(70)}}` }) }, 'req-2')).toMatchObject({
      code: 'MAX_TOKENS_LIMIT',
    });
    expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ requestId: 'req-1', code: 'MAX_TOKENS_LIMIT', msg: 'operation over a limit refused' }),
      expect.objectContaining({ requestId: 'req-1', code: 'MAX_DEPTH_LIMIT' }),
      expect.objectContaining({ requestId: 'req-2', code: 'MAX_TOKENS_LIMIT' }),
    ]);
  });

  it('refuses a batch over the batch limit (10) or an empty one', () => {
    const batch = (n: number): unknown[] => Array.from({ length: n }, () => ({ query: '{ a }' }));
    lines.length = 0;
    expect(post(batch(10))).toBeUndefined();
    expect(post(batch(11))).toEqual({
      status: 400,
      code: 'BATCH_LIMIT_EXCEEDED',
      message: 'The batch holds 11 operations; the limit is 10.',
      extensions: { limit: 10, measured: 11 },
    });
    expect(post([])).toEqual({ status: 400, code: 'BAD_REQUEST', message: 'A batch must hold at least one operation.' });
    expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ requestId: 'req-1', code: 'BATCH_LIMIT_EXCEEDED', limit: 10, measured: 11, msg: 'batch refused' }),
      expect.objectContaining({ requestId: 'req-1', code: 'BAD_REQUEST', msg: 'batch refused' }),
    ]);
  });

  it('refuses an operation name over LIMIT_MAX_OPERATION_NAME_LENGTH, sent as operationName or in the document, without logging it', () => {
    lines.length = 0;
    const long = 'N'.repeat(500_000);
    const max = readOperationLimits({}).maxOperationNameLength;
    expect(max).toBe(128);
    expect(post({ query: `query ${'N'.repeat(max)} { a }`, operationName: 'N'.repeat(max) })).toBeUndefined();
    const refused = { status: 400, code: 'OPERATION_NAME_TOO_LONG', extensions: { limit: max, measured: 500_000 } };
    expect(post({ query: `query ${long} { a }` })).toMatchObject(refused);
    expect(post({ query: '{ a }', operationName: long })).toMatchObject(refused);
    expect(post({ extensions: { persistedQuery: { version: 1, sha256Hash: 'abc' } }, operationName: long })).toMatchObject(refused);
    expect(post([{ query: '{ a }' }, { query: `query ${'N'.repeat(max + 1)} { a }` }])).toMatchObject({
      code: 'OPERATION_NAME_TOO_LONG',
      extensions: { measured: max + 1 },
    });
    expect(inspect({ method: 'GET', body: undefined, search: new URLSearchParams({ query: '{ a }', operationName: long }) })).toMatchObject(refused);
    expect(lines).toHaveLength(5);
    for (const line of lines) expect(line.length).toBeLessThan(300);
  });

  it('leaves what is not a query string to Apollo Server (APQ by hash, bad shapes)', () => {
    expect(post({ extensions: { persistedQuery: { version: 1, sha256Hash: 'abc' } } })).toBeUndefined();
    expect(post(undefined)).toBeUndefined();
    expect(post([1, null, { query: 42 }])).toBeUndefined();
  });
});
