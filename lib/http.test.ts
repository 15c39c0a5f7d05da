/**
 * lib/http.ts: the media type of the GraphQL error responses written before Apollo Server
 * runs follows the Accept header as Apollo's own responses do (GraphQL-over-HTTP, "Body":
 * the server MUST respect Accept), and executeApolloRequest's own refusals use it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeApolloRequest, graphqlResponseMediaType, readBody } from './http.js';

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
      const response = await apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest: { method: 'POST', headers, search: '', body: { query: '{ a }' } }, context: async () => ({}) });
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
