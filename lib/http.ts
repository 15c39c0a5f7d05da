/**
 * Serving an Apollo Server on node:http through Apollo's own integration API
 * (executeHTTPGraphQLRequest), shared by the gateway and every subgraph, with a request
 * body size limit, a JSON nesting limit and JSON errors that carry a code.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import Negotiator from 'negotiator';
import { boundedMemo } from './boundedMemo.js';
import { jsonNestingDepth } from './jsonNesting.js';
import { endWithBody } from './responseBody.js';

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
  return responseMediaTypeFor(accept);
}

// Negotiation is a pure function of the header, and clients send the same few headers.
const MEMO = { max: 256, maxKeyLength: 512 };
const responseMediaTypeFor = boundedMemo(
  (accept) => new Negotiator({ headers: { accept } }).mediaType([APPLICATION_JSON, GRAPHQL_RESPONSE_JSON]) ?? APPLICATION_JSON,
  MEMO,
);

/**
 * True when a client takes @defer answers streamed as `multipart/mixed; deferSpec=20220824`
 * (Apollo Client sends it): the test Apollo Server makes, which prefers plain JSON for an
 * Accept that names multipart without the spec or only by wildcard.
 */
export function acceptsMultipartDefer(accept: string | undefined): boolean {
  return accept !== undefined && accept.includes('multipart/mixed') && takesDeferSpec(accept);
}

const MULTIPART_DEFER = 'multipart/mixed; deferSpec=20220824';
const takesDeferSpec = boundedMemo(
  (accept) => new Negotiator({ headers: { accept } }).mediaType(['multipart/mixed', MULTIPART_DEFER]) === MULTIPART_DEFER,
  MEMO,
);

/** Every media type Apollo Server can answer a GraphQL request in (its MEDIA_TYPES): JSON, and multipart for @defer. */
const ANSWERABLE_MEDIA_TYPES = [
  APPLICATION_JSON,
  GRAPHQL_RESPONSE_JSON,
  'multipart/mixed',
  'multipart/mixed; deferSpec=20220824',
  'multipart/mixed; incrementalSpec=v0.2',
];

/**
 * True when an Accept header admits none of the media types a GraphQL response can have.
 * Apollo Server finds that out only once the operation has run, and then answers 406: a
 * mutation sent with `Accept: text/html` would write and report a failure.
 */
export function acceptsNoGraphQLResponse(accept: string | undefined): boolean {
  return accept !== undefined && accept !== '' && admitsNoAnswer(accept) && !acceptsMultipartSubscription(accept);
}

const SUBSCRIPTION_SPEC = /subscriptionspec/i;

/**
 * True when the Accept header takes Apollo's multipart subscription responses
 * (`multipart/mixed;subscriptionSpec=1.0`, quoted or not, other parameters such as
 * Apollo Client's `boundary=graphql` allowed): the gateway's subscriptions/multipart.ts.
 */
export function acceptsMultipartSubscription(accept: string | undefined): boolean {
  // Every GraphQL request asks: most Accept headers are turned away without being split.
  if (!accept || !SUBSCRIPTION_SPEC.test(accept)) return false;
  return accept.split(',').some((range) => {
    const [type, ...parameters] = range.split(';').map((part) => part.trim().toLowerCase());
    return type === 'multipart/mixed' && parameters.some((parameter) => parameter.replace(/\s+/g, '').replace(/"/g, '') === 'subscriptionspec=1.0');
  });
}

const admitsNoAnswer = boundedMemo((accept) => new Negotiator({ headers: { accept } }).mediaType(ANSWERABLE_MEDIA_TYPES) === undefined, MEMO);

/**
 * A GraphQL-over-HTTP error response with a code, for failures before execution. Its
 * media type follows the request's Accept header (graphqlResponseMediaType), as Apollo
 * Server's own error responses do.
 */
export function sendGraphQLError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  extensions: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): void {
  sendJson(
    res,
    status,
    { errors: [{ message, extensions: { code, ...extensions } }] },
    { 'content-type': graphqlResponseMediaType(res.req?.headers.accept), ...headers },
  );
}

/** An answer to a request refused before GraphQL handling (readGraphQLRequest, the gateway's checks). */
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

/** Sends a refusal as a GraphQL error response with its code. */
export function sendRejection(res: ServerResponse, rejection: HttpRejection): void {
  sendGraphQLError(res, rejection.status, rejection.code, rejection.message, rejection.extensions, rejection.headers);
}

/**
 * Deepest nesting of arrays and objects a request's JSON may have, by default: the
 * recursion limit of serde_json, the parser of Apollo Router. A GraphQL request needs a
 * few levels (a batch, an operation, its variables, their input objects).
 */
export const DEFAULT_MAX_JSON_DEPTH = 128;

export const JSON_NESTING_TOO_DEEP = 'JSON_NESTING_TOO_DEEP';

export interface ReadGraphQLRequestOptions {
  /** Deepest JSON nesting of a POST body and of a GET's `variables` and `extensions`. Default DEFAULT_MAX_JSON_DEPTH. */
  maxJsonDepth?: number;
}

// Fatal: a body that is not UTF-8 is refused rather than read with replacement characters
// (which could turn it into another request). The BOM is kept, so JSON.parse refuses it.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function tooDeep(what: string, limit: number): HttpRejection {
  return { status: 400, code: JSON_NESTING_TOO_DEEP, message: `${what} nests arrays and objects more than ${limit} levels deep.`, extensions: { limit } };
}

/**
 * Reads a GraphQL HTTP request before Apollo Server sees it, or says why it is refused:
 * an Accept header that admits no GraphQL response gets a 406 (acceptsNoGraphQLResponse),
 * a POST whose Content-Type is not JSON a 415 (UNSUPPORTED_MEDIA_TYPE, as the
 * GraphQL-over-HTTP spec says; this also refuses the "simple" types that a cross-site
 * form may send), JSON nested deeper than `maxJsonDepth` (the body of a POST, the
 * `variables` and `extensions` of a GET) a 400 JSON_NESTING_TOO_DEEP, checked before
 * anything parses it, and a body that is not UTF-8, or not JSON, a 400 (BAD_REQUEST).
 */
export function readGraphQLRequest(
  req: IncomingMessage,
  body: Buffer,
  options: ReadGraphQLRequestOptions = {},
): { request: RawGraphQLRequest } | { rejection: HttpRejection } {
  const maxJsonDepth = options.maxJsonDepth ?? DEFAULT_MAX_JSON_DEPTH;
  const method = (req.method ?? 'GET').toUpperCase();
  const url = req.url ?? '';
  const search = new URLSearchParams(url.includes('?') ? url.slice(url.indexOf('?')) : '');
  if (acceptsNoGraphQLResponse(req.headers.accept)) {
    // Apollo Server's answer (406, BAD_REQUEST), given before anything runs.
    return {
      rejection: {
        status: 406,
        code: 'BAD_REQUEST',
        message: `The Accept header admits none of the media types of a GraphQL response (${APPLICATION_JSON}, ${GRAPHQL_RESPONSE_JSON}).`,
      },
    };
  }
  let parsed: unknown;
  if (method === 'POST') {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') {
      return {
        rejection: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: `A POST must have Content-Type application/json${type ? `, not ${type}` : ''}.` },
      };
    }
    if (jsonNestingDepth(body, maxJsonDepth) > maxJsonDepth) return { rejection: tooDeep('The request body', maxJsonDepth) };
    if (body.length > 0) {
      let text: string;
      try {
        text = UTF8.decode(body);
      } catch {
        return { rejection: { status: 400, code: 'BAD_REQUEST', message: 'The request body is not valid UTF-8.' } };
      }
      try {
        parsed = JSON.parse(text);
      } catch {
        return { rejection: { status: 400, code: 'BAD_REQUEST', message: 'The request body is not valid JSON.' } };
      }
    }
  } else {
    for (const name of ['variables', 'extensions']) {
      for (const value of search.getAll(name)) {
        if (jsonNestingDepth(Buffer.from(value), maxJsonDepth) > maxJsonDepth) return { rejection: tooDeep(`The ${name} parameter`, maxJsonDepth) };
      }
    }
  }
  return { request: { method, body: parsed, search } };
}

/** A response as runApolloRequest sent it, whole (not an incremental one). */
export interface SentResponse {
  status: number;
  headers: Array<[string, string]>;
  body: string;
}

/**
 * Runs a GraphQL HTTP request that readGraphQLRequest has read through `apollo`, and
 * writes its response; returns what was sent when it was sent whole.
 */
export async function runApolloRequest<TContext extends BaseContext>(
  apollo: ApolloServer<TContext>,
  req: IncomingMessage,
  request: RawGraphQLRequest,
  res: ServerResponse,
  context: () => Promise<TContext>,
  options: RunApolloRequestOptions = {},
): Promise<SentResponse | undefined> {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  if (options.accept !== undefined) headers.set('accept', options.accept);
  const url = req.url ?? '';
  const response = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: request.method, headers, search: url.includes('?') ? url.slice(url.indexOf('?')) : '', body: request.body },
    context,
  });
  const streamed = response.body.kind === 'complete' ? options.streamed?.(response.body.string) : undefined;
  if (streamed) {
    await writeStreamed(res, response.headers, response.status ?? 200, streamed);
    return undefined;
  }
  for (const [key, value] of response.headers) res.setHeader(key, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    // Encoded once, here (given the string, node:http would measure its UTF-8 length for
    // Content-Length and then encode it again), into reused memory: lib/responseBody.ts.
    endWithBody(res, response.body.string);
    return { status: res.statusCode, headers: [...response.headers], body: response.body.string };
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
  return undefined;
}

export interface RunApolloRequestOptions {
  /** The Accept header Apollo Server sees, instead of the request's (a subscription's refusal is answered in JSON). */
  accept?: string;
  /**
   * Called with the body Apollo Server formatted: a streamed answer that starts with it
   * (its content type and chunks), or undefined to send that body as it is.
   */
  streamed?(body: string): { contentType: string; chunks: AsyncIterable<string> } | undefined;
}

/** Writes a streamed answer chunk by chunk, waiting when the client reads slowly; stops when it goes away. */
async function writeStreamed(
  res: ServerResponse,
  headers: Map<string, string>,
  status: number,
  streamed: { contentType: string; chunks: AsyncIterable<string> },
): Promise<void> {
  for (const [key, value] of headers) if (key !== 'content-type' && key !== 'content-length' && key !== 'cache-control') res.setHeader(key, value);
  res.setHeader('content-type', streamed.contentType);
  // Apollo Server's Cache-Control is the first part's policy; the later parts are not in it.
  res.setHeader('cache-control', 'no-store');
  res.statusCode = status;
  for await (const chunk of streamed.chunks) {
    if (res.destroyed) break;
    if (!res.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
    }
  }
  if (!res.destroyed) res.end();
}

/**
 * Runs one GraphQL HTTP request through `apollo`: readGraphQLRequest, then
 * runApolloRequest. `body` is the raw request body.
 */
export async function executeApolloRequest<TContext extends BaseContext>(
  apollo: ApolloServer<TContext>,
  req: IncomingMessage,
  body: Buffer,
  res: ServerResponse,
  context: () => Promise<TContext>,
  options: ReadGraphQLRequestOptions = {},
): Promise<void> {
  const read = readGraphQLRequest(req, body, options);
  if ('rejection' in read) return sendRejection(res, read.rejection);
  await runApolloRequest(apollo, req, read.request, res, context);
}
