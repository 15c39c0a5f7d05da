/**
 * The gateway against the GraphQL-over-HTTP spec (https://graphql.github.io/graphql-over-http/draft/),
 * over the whole stack, with the audit suite of `graphql-http` (the spec's reference
 * implementation), one test per audit: every MUST passes; every SHOULD and MAY passes
 * too, except the deliberate deviations listed below, each pinned to the answer the
 * gateway gives instead. Then the spec's MUSTs that the audits do not reach: the
 * gateway's own refusals (before Apollo Server runs) in the media type the client asked
 * for, mutations over GET refused with 405, and 2xx for every response with data.
 */
import { serverAudits, type Audit, type AuditResult } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './helpers/startStack.js';

const MAX_BODY_BYTES = 65_536;
const GRAPHQL_RESPONSE = 'application/graphql-response+json; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';
/** An Accept header for each response media type, and the Content-Type it gets. */
const BOTH_MEDIA_TYPES: ReadonlyArray<readonly [string, string]> = [
  ['application/graphql-response+json', GRAPHQL_RESPONSE],
  ['application/json', JSON_TYPE],
];

/**
 * SHOULD and MAY audits the gateway fails on purpose: the answer it gives instead, and why.
 *
 * Request errors under application/json: the spec says a server SHOULD answer a
 * document that does not parse or validate, or variables that do not coerce, with 200
 * when the response is application/json, and allows 4xx there "for compatibility with
 * legacy servers". The gateway answers them with 400 and the error's code under either
 * media type, as Apollo Server and Apollo Router do; that is its tested contract
 * (test/security.corpus.test.ts: 400 GRAPHQL_VALIDATION_FAILED, 400 BAD_USER_INPUT;
 * the operation log and metrics record the 400). Clients that want spec-defined status
 * codes ask for application/graphql-response+json, under which every audit of these
 * cases passes (556A, 74FF, 86EE, ...).
 *
 * GET requests: CSRF prevention (Apollo Server's, on by default) refuses a GET without a
 * preflight-forcing header (`apollo-require-preflight` or `x-apollo-operation-name`),
 * since a browser sends a cross-site GET without asking; the audits send none. With the
 * header, the same audits pass (the second describe below).
 */
const DELIBERATE: Record<string, { status: number; code: string; why: string }> = {
  '572B': { status: 400, code: 'GRAPHQL_PARSE_FAILED', why: 'a request error is a 400 under application/json too' },
  // The audit's "validation failure" document, `{ 8f31403dfe404bccbb0e835f2629c6a7 }`, does not parse in graphql-js 16 (a name cannot start with a digit).
  FDE2: { status: 400, code: 'GRAPHQL_PARSE_FAILED', why: 'a request error is a 400 under application/json too' },
  // The audit's "coercion failure" document declares a variable it never uses, so it fails validation first.
  '7B9B': { status: 400, code: 'GRAPHQL_VALIDATION_FAILED', why: 'a request error is a 400 under application/json too' },
  '5A70': { status: 400, code: 'BAD_REQUEST', why: 'CSRF prevention: a GET needs a preflight-forcing header' },
  D6D5: { status: 400, code: 'BAD_REQUEST', why: 'CSRF prevention: a GET needs a preflight-forcing header' },
  '6A70': { status: 400, code: 'BAD_REQUEST', why: 'CSRF prevention: a GET needs a preflight-forcing header' },
};

/** The audits that send GETs; run again with the header that CSRF prevention asks for. */
const GET_AUDITS = ['5A70', '9C48', 'D6D5', '6A70'];

async function failureOf(result: AuditResult): Promise<string | undefined> {
  if (result.status === 'ok') return undefined;
  const body = await result.response.text().catch(() => '<unreadable>');
  return `${result.reason}: HTTP ${result.response.status} ${result.response.headers.get('content-type') ?? ''} ${body.slice(0, 500)}`;
}

describe('GraphQL over HTTP: the gateway', () => {
  let stack: Stack | undefined;
  const gatewayUrl = (): string => {
    if (!stack) throw new Error('the stack did not start');
    return stack.gatewayUrl;
  };

  beforeAll(async () => {
    stack = await startStack({ gatewayEnv: { MAX_BODY_BYTES: String(MAX_BODY_BYTES) } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  describe('graphql-http server audits, as an anonymous client', () => {
    // The audits send their own requests; they ask for `{ __typename }` and introspection, which need no credential.
    const audits: Audit[] = serverAudits({ url: gatewayUrl });
    const byLevel = (level: string): Audit[] => audits.filter((audit) => audit.name.startsWith(`${level} `));

    it('the suite has MUST, SHOULD and MAY audits, and every deviation listed here is one of them', () => {
      expect(byLevel('MUST').length).toBeGreaterThan(0);
      expect(byLevel('SHOULD').length).toBeGreaterThan(0);
      expect(byLevel('MAY').length).toBeGreaterThan(0);
      expect(byLevel('MUST').length + byLevel('SHOULD').length + byLevel('MAY').length).toBe(audits.length);
      for (const id of Object.keys(DELIBERATE)) {
        expect(audits.find((audit) => audit.id === id)?.name, id).toMatch(/^(SHOULD|MAY) /);
      }
    });

    for (const audit of byLevel('MUST')) {
      it(`${audit.id} ${audit.name}`, async () => {
        expect(await failureOf(await audit.fn())).toBeUndefined();
      });
    }

    for (const audit of [...byLevel('SHOULD'), ...byLevel('MAY')]) {
      const deliberate = DELIBERATE[audit.id];
      if (!deliberate) {
        it(`${audit.id} ${audit.name}`, async () => {
          expect(await failureOf(await audit.fn())).toBeUndefined();
        });
        continue;
      }
      it(`${audit.id} ${audit.name}: deliberately not (${deliberate.why}); ${deliberate.status} ${deliberate.code} instead`, async () => {
        const result = await audit.fn();
        expect(result.status).toBe(audit.name.startsWith('SHOULD') ? 'warn' : 'notice');
        if (result.status === 'ok') return;
        const body = (await result.response.json()) as { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> };
        expect({ status: result.response.status, code: body.errors?.[0]?.extensions?.code, data: body.data }).toEqual({
          status: deliberate.status,
          code: deliberate.code,
          data: undefined,
        });
      });
    }
  });

  describe('graphql-http GET audits, with the preflight-forcing header that CSRF prevention asks for', () => {
    const fetchWithPreflightHeader = (input: string | URL | Request, init: RequestInit = {}): Promise<Response> =>
      fetch(input, { ...init, headers: { ...(init.headers as Record<string, string> | undefined), 'apollo-require-preflight': 'true' } });
    const audits = serverAudits({ url: gatewayUrl, fetchFn: fetchWithPreflightHeader }).filter((audit) => GET_AUDITS.includes(audit.id));

    it('runs every GET audit', () => {
      expect(audits.map((audit) => audit.id).sort()).toEqual([...GET_AUDITS].sort());
    });

    for (const audit of audits) {
      it(`${audit.id} ${audit.name}`, async () => {
        expect(await failureOf(await audit.fn())).toBeUndefined();
      });
    }
  });

  describe('MUSTs the audits do not reach', () => {
    const send = async (
      init: RequestInit & { search?: string },
    ): Promise<{ status: number; type: string | null; body: { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> } }> => {
      const response = await fetch(`${gatewayUrl()}${init.search ?? ''}`, init);
      return { status: response.status, type: response.headers.get('content-type'), body: (await response.json()) as never };
    };
    const post = (accept: string, body: string, headers: Record<string, string> = {}): RequestInit => ({
      method: 'POST',
      headers: { 'content-type': 'application/json', accept, ...headers },
      body,
    });

    // "If an Accept header is provided, the server MUST respect the given Accept header and
    // attempt to encode the response in the highest priority media type listed that is
    // supported by the server": the refusals the gateway writes itself, before Apollo Server.
    it.each([
      ['application/graphql-response+json', GRAPHQL_RESPONSE],
      ['application/graphql-response+json, application/json;q=0.9', GRAPHQL_RESPONSE],
      ['application/json', JSON_TYPE],
      ['application/json, application/graphql-response+json', JSON_TYPE],
      ['*/*', JSON_TYPE],
    ])("the gateway's own refusals use the media type the client prefers (Accept %s)", async (accept, type) => {
      const refusals: Array<[RequestInit, number, string]> = [
        [post(accept, '{ "query'), 400, 'BAD_REQUEST'],
        [{ method: 'POST', headers: { 'content-type': 'text/plain', accept }, body: '{}' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
        [post(accept, JSON.stringify({ query: `${'{ a '.repeat(200)}${'}'.repeat(200)}` })), 400, 'MAX_DEPTH_LIMIT'],
        [post(accept, JSON.stringify({ query: '{ __typename }' }), { authorization: 'Bearer not-a-token' }), 401, 'UNAUTHENTICATED'],
        [post(accept, JSON.stringify({ query: `{ __typename } # ${'x'.repeat(MAX_BODY_BYTES)}` })), 413, 'PAYLOAD_TOO_LARGE'],
      ];
      for (const [init, status, code] of refusals) {
        const answer = await send(init);
        expect({ status: answer.status, type: answer.type, code: answer.body.errors?.[0]?.extensions?.code, data: answer.body.data }).toEqual({
          status,
          type,
          code,
          data: undefined,
        });
      }
    });

    it('a mutation over GET is refused with 405 and not run, whatever the Accept', async () => {
      for (const [accept, type] of BOTH_MEDIA_TYPES) {
        const search = `?query=${encodeURIComponent('mutation { __typename }')}`;
        const answer = await send({ method: 'GET', search, headers: { accept, 'apollo-require-preflight': 'true' } });
        expect({ status: answer.status, type: answer.type, data: answer.body.data }).toEqual({ status: 405, type, data: undefined });
      }
    });

    it('a response with data is a 200 under either media type, field errors included', async () => {
      // Anonymous: customers needs a caller and comes back null with UNAUTHENTICATED; the public products come back.
      const query = '{ customers(first: 1) { nodes { id } } products(first: 1) { nodes { id } } }';
      for (const [accept, type] of BOTH_MEDIA_TYPES) {
        const answer = await send(post(accept, JSON.stringify({ query })));
        expect({ status: answer.status, type: answer.type, code: answer.body.errors?.[0]?.extensions?.code }).toEqual({
          status: 200,
          type,
          code: 'UNAUTHENTICATED',
        });
        expect(answer.body.data).toMatchObject({ customers: null, products: { nodes: [{ id: expect.any(String) }] } });
      }
    });
  });
});
