/**
 * Serving an Apollo Server on node:http through Apollo's own integration API
 * (executeHTTPGraphQLRequest), shared by the gateway and every subgraph, with a request
 * body size limit and JSON errors that carry a code.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import Negotiator from 'negotiator';

export { keepConnectionsAlive } from './keepAlive.js';
export { ClientAbortedError, PayloadTooLargeError, readBody } from './readBody.js';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

const APPLICATION_JSON = 'application/json; charset=utf-8';
const GRAPHQL_RESPONSE_JSON = 'application/graphql-response+json; charset=utf-8';

/**
 * The media type of a GraphQL response to a request with this Accept header, chosen as
 * Apollo Server chooses it for the responses it writes (its
 * chooseContentTypeForSingleResultResponse, with the same `negotiator`): the type the
 * client prefers of `application/json` and `application/graphql-response+json`, and
 * `application/json` without an Accept header or when the header lists neither (the spec
 * then lets the server disregard Accept; a refusal is sent as it is, not turned into a 406).
 */
export function graphqlResponseMediaType(accept: string | undefined): string {
  if (!accept) return APPLICATION_JSON;
  return new Negotiator({ headers: { accept } }).mediaType([APPLICATION_JSON, GRAPHQL_RESPONSE_JSON]) ?? APPLICATION_JSON;
}

/**
 * A GraphQL-over-HTTP error response with a code, for failures before execution. Its
 * media type follows the request's Accept header (graphqlResponseMediaType), as Apollo
 * Server's own error responses do.
 */
export function sendGraphQLError(res: ServerResponse, status: number, code: string, message: string, extensions: Record<string, unknown> = {}, headers: Record<string, string> = {}): void {
  sendJson(res, status, { errors: [{ message, extensions: { code, ...extensions } }] }, { 'content-type': graphqlResponseMediaType(res.req?.headers.accept), ...headers });
}

/** An answer to a request refused before GraphQL handling (see `inspect` below). */
export interface HttpRejection {
  status: number;
  code: string;
  message: string;
  extensions?: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** The GraphQL request as sent: the parsed JSON body of a POST (an object, or an array for a batch), the query string of a GET. */
export interface RawGraphQLRequest {
  method: string;
  body: unknown;
  search: URLSearchParams;
}

/**
 * Runs one GraphQL HTTP request through `apollo`. `body` is the raw request body; a POST
 * whose Content-Type is not JSON gets a 415 (UNSUPPORTED_MEDIA_TYPE, as the
 * GraphQL-over-HTTP spec says; this also refuses the "simple" types that a cross-site
 * form may send), a body that is not JSON a 400 (BAD_REQUEST). `inspect`, when given,
 * sees the request before Apollo Server parses the GraphQL document, and may refuse it.
 */
export async function executeApolloRequest<TContext extends BaseContext>(
  apollo: ApolloServer<TContext>,
  req: IncomingMessage,
  body: Buffer,
  res: ServerResponse,
  context: () => Promise<TContext>,
  inspect?: (request: RawGraphQLRequest) => HttpRejection | undefined,
): Promise<void> {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  let parsed: unknown;
  if (req.method === 'POST') {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') {
      sendGraphQLError(res, 415, 'UNSUPPORTED_MEDIA_TYPE', `A POST must have Content-Type application/json${type ? `, not ${type}` : ''}.`);
      return;
    }
  }
  if (req.method === 'POST' && body.length > 0) {
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      sendGraphQLError(res, 400, 'BAD_REQUEST', 'The request body is not valid JSON.');
      return;
    }
  }
  const search = (req.url ?? '').includes('?') ? (req.url ?? '').slice((req.url ?? '').indexOf('?')) : '';
  const rejection = inspect?.({ method: (req.method ?? 'GET').toUpperCase(), body: parsed, search: new URLSearchParams(search) });
  if (rejection) {
    sendGraphQLError(res, rejection.status, rejection.code, rejection.message, rejection.extensions, rejection.headers);
    return;
  }
  const response = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: (req.method ?? 'GET').toUpperCase(), headers, search, body: parsed },
    context,
  });
  for (const [key, value] of response.headers) res.setHeader(key, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}
