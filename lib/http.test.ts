/**
 * lib/http.ts: the media type of the GraphQL error responses written before Apollo Server
 * runs follows the Accept header as Apollo's own responses do (GraphQL-over-HTTP, "Body":
 * the server MUST respect Accept), and executeApolloRequest's own refusals use it; JSON
 * nested too deep is refused before it is parsed (lib/jsonNesting.ts), and a body that
 * is not UTF-8 is refused.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptsMultipartDefer, acceptsNoGraphQLResponse, executeApolloRequest, graphqlResponseMediaType, readBody } from './http.js';
import { jsonNestingDepth } from './jsonNesting.js';

const JSON_TYPE = 'application/json; charset=utf-8';
const GRAPHQL_RESPONSE = 'application/graphql-response+json; charset=utf-8';

/** Accept headers, and the media type a GraphQL response to each should have. */
const CASES: Array<[string | undefined, string]> = [
  [undefined, JSON_TYPE],
  ['*/*', JSON_TYPE],
  ['application/*', JSON_TYPE],
  ['application/json', JSON_TYPE],
  ['application/json; charset=UTF-8', JSON_TYPE],
  ['application/graphql-response+json', GRAPHQL_RESPONSE],
  ['application/graphql-response+json; charset=utf-8', GRAPHQL_RESPONSE],
  // Equal q: the first listed wins.
  ['application/graphql-response+json, application/json', GRAPHQL_RESPONSE],
  ['application/json, application/graphql-response+json', JSON_TYPE],
  // Apollo Client 4's default, and the spec's recommended header.
  ['application/graphql-response+json,application/json;q=0.9', GRAPHQL_RESPONSE],
  ['application/graphql-response+json; charset=utf-8, application/json; charset=utf-8', GRAPHQL_RESPONSE],
  ['application/json;q=0.5, application/graphql-response+json;q=0.8', GRAPHQL_RESPONSE],
  ['application/json;q=0.9, application/graphql-response+json;q=0.8', JSON_TYPE],
  // The most specific range decides a type's q.
  ['*/*;q=0.1, application/graphql-response+json', GRAPHQL_RESPONSE],
  ['application/graphql-response+json;q=0, */*', JSON_TYPE],
  ['application/json;q=0, */*', GRAPHQL_RESPONSE],
  ['text/html, application/graphql-response+json;q=0.5', GRAPHQL_RESPONSE],
  ['application/graphql-response+json; charset=iso-8859-1, application/json', JSON_TYPE],
];

describe('acceptsMultipartDefer', () => {
  it("takes @defer's multipart answer only when the client names it with deferSpec=20220824, as Apollo Server decides", () => {
    // Apollo Client 4's header for an operation with @defer, and the short form.
    expect(acceptsMultipartDefer('multipart/mixed;deferSpec=20220824,application/graphql-response+json,application/json;q=0.9')).toBe(true);
    expect(acceptsMultipartDefer('multipart/mixed; deferSpec=20220824')).toBe(true);
    for (const accept of [
      undefined,
      '',
      '*/*',
      'application/json',
      'multipart/mixed',
      'multipart/*',
      'multipart/mixed;deferSpec=20220824;q=0, application/json',
    ]) {
      expect(acceptsMultipartDefer(accept)).toBe(false);
    }
  });
});

describe('graphqlResponseMediaType', () => {
  it.each(CASES)('Accept %s: %s', (accept, expected) => {
    expect(graphqlResponseMediaType(accept)).toBe(expected);
  });

  it('lists of neither type: application/json (the spec lets a server disregard Accept)', () => {
    for (const accept of ['text/html', 'text/plain, image/png', 'application/xml', 'application/json;q=0, application/graphql-response+json;q=0']) {
      expect(graphqlResponseMediaType(accept), accept).toBe(JSON_TYPE);
    }
  });
});

describe('executeApolloRequest', () => {
  let apollo: ApolloServer;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    apollo = new ApolloServer({ typeDefs: 'type Query { a: Int }', resolvers: { Query: { a: () => 1 } } });
    await apollo.start();
    server = createServer((req, res) => {
      void readBody(req, 10_000).then((body) => executeApolloRequest(apollo, req, body, res, async () => ({})));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await apollo?.stop();
  });

  it('chooses the media type exactly as Apollo Server does, for every Accept it answers', async () => {
    for (const [accept] of CASES) {
      const headers = new HeaderMap([['content-type', 'application/json']]);
      if (accept !== undefined) headers.set('accept', accept);
      const response = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: 'POST', headers, search: '', body: { query: '{ a }' } },
        context: async () => ({}),
      });
      expect({ accept, type: response.headers.get('content-type') }).toEqual({ accept, type: graphqlResponseMediaType(accept) });
    }
  });

  it('its own refusals (not JSON, a non-JSON content type) follow Accept like the errors Apollo writes', async () => {
    for (const [accept, expected] of CASES) {
      const headers: Record<string, string> = accept === undefined ? {} : { accept };
      const badJson = await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: '{ "query' });
      expect({ accept, status: badJson.status, type: badJson.headers.get('content-type'), body: await badJson.json() }).toEqual({
        accept,
        status: 400,
        type: expected,
        body: { errors: [{ message: 'The request body is not valid JSON.', extensions: { code: 'BAD_REQUEST' } }] },
      });
      const form = await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'text/plain' }, body: '{}' });
      expect({ accept, status: form.status, type: form.headers.get('content-type'), body: await form.json() }).toEqual({
        accept,
        status: 415,
        type: expected,
        body: { errors: [{ message: 'A POST must have Content-Type application/json, not text/plain.', extensions: { code: 'UNSUPPORTED_MEDIA_TYPE' } }] },
      });
      // A request Apollo parses: its error response has the same type.
      const noQuery = await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: '{"x":1}' });
      await noQuery.text();
      expect({ accept, status: noQuery.status, type: noQuery.headers.get('content-type') }).toEqual({ accept, status: 400, type: expected });
    }
  });
});

describe('jsonNestingDepth', () => {
  const depth = (json: string, stopAbove = 1000): number => jsonNestingDepth(Buffer.from(json), stopAbove);

  it('counts arrays and objects, not brackets inside strings, escaped quotes included', () => {
    expect(depth('1')).toBe(0);
    expect(depth('{"a":[1,{"b":[]}],"c":{}}')).toBe(4);
    expect(depth('{"q":"[[[{{{"}')).toBe(1);
    expect(depth('{"q":"a \\" [[[ \\\\"}')).toBe(1); // "a \" [[[ \\": the escaped quote does not end the string
    expect(depth('{"q":"\\\\", "r":[[1]]}')).toBe(3); // an escaped backslash does end it
    expect(depth('{"ü€😀":["[ü€😀"]}')).toBe(2); // multi-byte characters are never brackets or quotes
  });

  it('stops one level past the limit, however deep the text goes', () => {
    expect(depth('['.repeat(400_000) + ']'.repeat(400_000), 128)).toBe(129);
    expect(depth('['.repeat(128) + ']'.repeat(128), 128)).toBe(128);
  });
});

describe('executeApolloRequest: the request before Apollo Server', () => {
  let apollo: ApolloServer;
  let server: Server;
  let url: string;
  let runs = 0;

  beforeAll(async () => {
    apollo = new ApolloServer({
      typeDefs: 'type Query { a(v: [Int]): Int } type Mutation { m: Int }',
      resolvers: { Query: { a: () => 1 }, Mutation: { m: () => ++runs } },
    });
    await apollo.start();
    server = createServer((req, res) => {
      void readBody(req, 10_000_000).then((body) => executeApolloRequest(apollo, req, body, res, async () => ({}), { maxJsonDepth: 16 }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await apollo?.stop();
  });

  const post = async (body: string | Buffer): Promise<{ status: number; body: unknown }> => {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    return { status: response.status, body: await response.json() };
  };
  const refusal = (status: number, code: string, message: string, extensions: Record<string, unknown> = {}): { status: number; body: unknown } => ({
    status,
    body: { errors: [{ message, extensions: { code, ...extensions } }] },
  });

  it('refuses JSON nested deeper than the limit, 400,000 levels included, before parsing it', async () => {
    const deep = (levels: number): string => '['.repeat(levels) + ']'.repeat(levels);
    const tooDeep = refusal(400, 'JSON_NESTING_TOO_DEEP', 'The request body nests arrays and objects more than 16 levels deep.', { limit: 16 });
    expect(await post(`{"query":"{ a }","variables":{"v":${deep(400_000)}}}`)).toEqual(tooDeep);
    expect(await post(deep(400_000))).toEqual(tooDeep);
    expect(await post(`{"query":"{ a }","extensions":{"x":${'{"x":'.repeat(20)}1${'}'.repeat(20)}}}`)).toEqual(tooDeep);
    // 16 levels: the object, variables, then 14 arrays.
    expect(await post(`{"query":"query($v: [Int]) { a(v: $v) }","variables":{"v":${deep(14)}}}`)).toMatchObject({
      status: 400,
      body: { errors: [{ extensions: { code: 'BAD_USER_INPUT' } }] },
    });
    // Brackets inside a string are text.
    expect(await post(JSON.stringify({ query: `{ a } # ${'['.repeat(10_000)}` }))).toEqual({ status: 200, body: { data: { a: 1 } } });
  });

  it('refuses a GET whose variables or extensions nest too deep', async () => {
    for (const name of ['variables', 'extensions']) {
      const response = await fetch(
        `${url}?query=${encodeURIComponent('{ a }')}&${name}=${encodeURIComponent(`{"v":${'['.repeat(1000)}${']'.repeat(1000)}}`)}`,
        { headers: { 'apollo-require-preflight': 'true' } },
      );
      expect({ status: response.status, body: await response.json() }).toEqual(
        refusal(400, 'JSON_NESTING_TOO_DEEP', `The ${name} parameter nests arrays and objects more than 16 levels deep.`, { limit: 16 }),
      );
    }
  });

  it('answers an Accept that admits no GraphQL response with 406 before anything runs (Apollo Server would run a mutation first)', async () => {
    const before = runs;
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/html' },
      body: JSON.stringify({ query: 'mutation { m }' }),
    });
    expect({
      status: response.status,
      code: ((await response.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code,
    }).toEqual({ status: 406, code: 'BAD_REQUEST' });
    expect(runs).toBe(before);
    expect(await post(JSON.stringify({ query: 'mutation { m }' }))).toEqual({ status: 200, body: { data: { m: before + 1 } } });
  });

  it('refuses a body that is not UTF-8, or starts with a byte order mark', async () => {
    expect(await post(Buffer.concat([Buffer.from('{"query":"{ a } # '), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]))).toEqual(
      refusal(400, 'BAD_REQUEST', 'The request body is not valid UTF-8.'),
    );
    expect(await post(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"query":"{ a }"}')]))).toEqual(
      refusal(400, 'BAD_REQUEST', 'The request body is not valid JSON.'),
    );
    expect(await post(Buffer.from('{"query":"{ a } # ü€😀"}'))).toEqual({ status: 200, body: { data: { a: 1 } } });
  });
});

describe('acceptsNoGraphQLResponse', () => {
  it("is false for every Accept a GraphQL response can answer, @defer's multipart included, and for none", () => {
    for (const [accept] of CASES) expect(acceptsNoGraphQLResponse(accept), accept).toBe(false);
    for (const accept of ['multipart/mixed; deferSpec=20220824, application/json', 'multipart/mixed; incrementalSpec=v0.2', 'text/html, */*;q=0.1', ''])
      expect(acceptsNoGraphQLResponse(accept), accept).toBe(false);
  });

  it('is true when Accept lists only other types', () => {
    for (const accept of [
      'text/html',
      'text/plain, image/png',
      'application/xml',
      'application/json;q=0, application/graphql-response+json;q=0',
      'application/json; charset=iso-8859-1',
    ]) {
      expect(acceptsNoGraphQLResponse(accept), accept).toBe(true);
    }
  });
});
