/**
 * The bad-input corpus, against a running stack: each bad request gets the
 * right HTTP status and a clear error code, costs no backend call, and the gateway then
 * answers the next good request. (The authentication and authorization cases are in
 * test/security.auth.test.ts.) Also here: introspection and the playground are off in
 * production mode, and unexpected errors are masked there.
 */
import { createHash, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_SCOPES } from './helpers/auth.js';
import { abortedPost } from './helpers/rawHttp.js';
import { erpInvoices, type ErpInvoice } from './helpers/erpInvoices.js';
import { graphql, startStack, type Stack } from './helpers/startStack.js';
import { until } from './support.js';

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: { data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> } | undefined;
}

/** A response, its body as text and, when it is JSON, parsed. */
async function answer(response: Response): Promise<Answer> {
  const text = await response.text();
  let json: Answer['json'];
  try {
    json = JSON.parse(text) as Answer['json'];
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

const GOOD_QUERY = '{ customers(first: 2) { nodes { id name } } }';
const CORS_ORIGIN = 'https://app.graph360.example';

describe('the bad-input corpus', () => {
  let stack: Stack;
  let url: string;

  beforeAll(async () => {
    // Caches off: "no backend call" is read from the sandboxes' counters. Rate limiting
    // off: this suite sends many requests from one client (test/security.rateLimit.test.ts tests it).
    // LOG_LEVEL info: the gateway logs every operation, so the end-of-run log scan (helpers/logScan.ts) sees what each case logged.
    stack = await startStack({ gatewayEnv: { ENTITY_CACHE: 'off', RESPONSE_CACHE: 'off', RATE_LIMIT: 'off', CORS_ORIGINS: CORS_ORIGIN, LOG_LEVEL: 'info' } });
    url = stack.gatewayUrl;
    // Warm up (the first request loads what the subgraphs cache), so that each case below starts from a quiet stack.
    expect((await graphql(url, GOOD_QUERY, {}, stack.authHeaders)).status).toBe(200);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const send = async (init: RequestInit & { path?: string }): Promise<Answer> => answer(await fetch(init.path ? new URL(init.path, url) : url, init));

  const post = (body: unknown, headers: Record<string, string> = {}): Promise<Answer> =>
    send({
      method: 'POST',
      headers: { 'content-type': 'application/json', ...stack.authHeaders, ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  const backendCalls = async (): Promise<number> => {
    const stats = await stack.stats();
    return Object.values(stats).reduce((sum, ops) => sum + Object.values(ops).reduce((a, b) => a + b, 0), 0);
  };

  /** Runs a bad request: expects status and code, no backend call, then a good request answered. */
  const expectRejected = async (bad: () => Promise<Answer>, status: number, code: string): Promise<Answer> => {
    await stack.resetStats();
    const answer = await bad();
    expect({ status: answer.status, code: answer.json?.errors?.[0]?.extensions?.code }).toEqual({ status, code });
    expect(answer.json?.errors?.[0]?.message).toEqual(expect.any(String));
    expect(answer.json?.data).toBeUndefined();
    expect(await backendCalls()).toBe(0);
    const good = await graphql<{ customers: { nodes: Array<{ id: string }> } }>(url, GOOD_QUERY, {}, stack.authHeaders);
    expect(good.status).toBe(200);
    expect(good.errors).toBeUndefined();
    expect(good.data?.customers.nodes).toHaveLength(2);
    return answer;
  };

  it('malformed JSON: 400 BAD_REQUEST', async () => {
    await expectRejected(() => post('{"query": "{ customers { nodes { id } } }"'), 400, 'BAD_REQUEST');
  });

  it('a wrong content type: 415 UNSUPPORTED_MEDIA_TYPE, a "simple" one (that a cross-site form can send) included', async () => {
    for (const type of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const answer = await expectRejected(() => post({ query: GOOD_QUERY }, { 'content-type': type }), 415, 'UNSUPPORTED_MEDIA_TYPE');
      expect(answer.json?.errors?.[0]?.message).toBe(`A POST must have Content-Type application/json, not ${type.split(';')[0]}.`);
    }
  });

  it('an empty body: 400 BAD_REQUEST', async () => {
    await expectRejected(() => post(''), 400, 'BAD_REQUEST');
  });

  it('a 10 MB body: 413 PAYLOAD_TOO_LARGE, with or without a Content-Length, answered before the body is read', async () => {
    const tenMegabytes = JSON.stringify({ query: GOOD_QUERY, variables: { padding: 'x'.repeat(10 * 1024 * 1024) } });
    await expectRejected(() => post(tenMegabytes), 413, 'PAYLOAD_TOO_LARGE');
    // Chunked, without Content-Length: refused once 1 MiB has arrived. The client sends
    // 2 MiB and then holds the request open (no end): the 413 must come while the body is
    // still incomplete. A server that waited for the whole body would not answer until
    // the end, which comes only after the wait below (a generous bound, not a timing).
    const answer = await new Promise<{ status: number; body: string; answeredBeforeEnd: boolean }>((resolve, reject) => {
      const target = new URL(url);
      const req = httpRequest({
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...stack.authHeaders },
      });
      let ended = false;
      let holding: NodeJS.Timeout | undefined;
      const finish = (): void => {
        clearTimeout(holding);
        if (!ended) {
          ended = true;
          req.end();
        }
      };
      req.on('response', (response) => {
        const answeredBeforeEnd = !ended;
        finish();
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body, answeredBeforeEnd }));
      });
      req.on('error', reject);
      const chunk = Buffer.alloc(64 * 1024, 'x');
      let sent = 0;
      const pump = (): void => {
        while (sent < 2 * 1024 * 1024) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        holding = setTimeout(finish, 20_000);
      };
      pump();
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ errors: [{ extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });
    expect(answer.answeredBeforeEnd).toBe(true);
  });

  it('a query 200 levels deep: 400 MAX_DEPTH_LIMIT before it is parsed; 21 levels: the same after parsing', async () => {
    // A valid query of any depth: customers > nodes > invoices > nodes, then payments > invoice pairs, then id.
    const nested = (levels: number): string => {
      const pairs = (levels - 5) / 2;
      return `{ customers(first: 1) { nodes { invoices(first: 1) { nodes { ${'payments { invoice { '.repeat(pairs)}id${' } }'.repeat(pairs)} } } } } }`;
    };
    const deep = await expectRejected(() => post({ query: nested(201) }), 400, 'MAX_DEPTH_LIMIT');
    expect(deep.json?.errors?.[0]?.extensions).toMatchObject({ limit: 40, unit: 'brackets' }); // 2 x 15 + 10
    const twenty = await expectRejected(() => post({ query: nested(21) }), 400, 'MAX_DEPTH_LIMIT');
    expect(twenty.json?.errors?.[0]?.extensions).toMatchObject({ limit: 15, measured: 21 });
  });

  it('10,000 aliases: 400 MAX_TOKENS_LIMIT before parsing; 31 aliases: 400 MAX_ALIASES_LIMIT; 21 root fields: 400 MAX_ROOT_FIELDS_LIMIT', async () => {
    const aliases = (n: number): string => `{ ${Array.from({ length: n }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    const tenThousand = await expectRejected(() => post({ query: aliases(10_000) }), 400, 'MAX_TOKENS_LIMIT');
    expect(tenThousand.json?.errors?.[0]?.extensions).toMatchObject({ limit: 5000, measured: 5001 });
    await expectRejected(() => post({ query: aliases(31) }), 400, 'MAX_ALIASES_LIMIT');
    await expectRejected(() => post({ query: `{ ${'__typename '.repeat(21)}}` }), 400, 'MAX_ROOT_FIELDS_LIMIT');
  });

  it('a fragment cycle: 400 GRAPHQL_VALIDATION_FAILED', async () => {
    const query = '{ customers { nodes { ...A } } } fragment A on Customer { id ...B } fragment B on Customer { name ...A }';
    const answer = await expectRejected(() => post({ query }), 400, 'GRAPHQL_VALIDATION_FAILED');
    expect(answer.json?.errors?.[0]?.message).toMatch(/Cannot spread fragment "A" within itself/);
  });

  it('a huge list argument: 400 COST_ESTIMATED_TOO_EXPENSIVE, inline or as a variable', async () => {
    const inline = await expectRejected(
      () => post({ query: '{ customers(first: 1000000) { nodes { id orders { nodes { id } } } } }' }),
      400,
      'COST_ESTIMATED_TOO_EXPENSIVE',
    );
    expect(inline.json?.errors?.[0]?.extensions).toMatchObject({ limit: 25_000, measured: expect.any(Number) });
    const query = 'query Page($first: Int!) { customers(first: $first) { nodes { id orders { nodes { id } } } } }';
    await expectRejected(() => post({ query, variables: { first: 1_000_000 } }), 400, 'COST_ESTIMATED_TOO_EXPENSIVE');
    // Within the cost limit, the subgraph's own bound on a page (100) answers.
    const page = await post({ query, variables: { first: 500 } });
    expect(page.json?.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('invalid variables: 400 BAD_USER_INPUT', async () => {
    const query = 'query Page($first: Int!) { customers(first: $first) { nodes { id } } }';
    await expectRejected(() => post({ query, variables: { first: 'many' } }), 400, 'BAD_USER_INPUT');
    await expectRejected(() => post({ query, variables: {} }), 400, 'BAD_USER_INPUT');
  });

  it('an unknown operation name, or none for a document of several: 400 OPERATION_RESOLUTION_FAILURE', async () => {
    const answer = await expectRejected(
      () => post({ query: 'query A { __typename } query B { __typename }', operationName: 'C' }),
      400,
      'OPERATION_RESOLUTION_FAILURE',
    );
    expect(answer.json?.errors?.[0]?.message).toMatch(/Unknown operation named "C"/);
    await expectRejected(() => post({ query: 'query A { __typename } query B { __typename }' }), 400, 'OPERATION_RESOLUTION_FAILURE');
  });

  it('CSRF: a GET without a preflight-forcing header is refused before it runs (a simple POST is a 415, above)', async () => {
    const query = encodeURIComponent(GOOD_QUERY);
    const csrf = await expectRejected(() => send({ method: 'GET', path: `/graphql?query=${query}`, headers: { ...stack.authHeaders } }), 400, 'BAD_REQUEST');
    expect(csrf.json?.errors?.[0]?.message).toMatch(/Cross-Site Request Forgery/);
    // The same GET with the header a browser can only send after a preflight runs.
    const allowed = await send({ method: 'GET', path: `/graphql?query=${query}`, headers: { 'apollo-require-preflight': 'true', ...stack.authHeaders } });
    expect(allowed.status).toBe(200);
    expect((allowed.json?.data as { customers: { nodes: unknown[] } }).customers.nodes).toHaveLength(2);
  });

  it('an origin not in the CORS list gets no CORS headers (the browser blocks it); a listed one does', async () => {
    for (const method of ['OPTIONS', 'POST'] as const) {
      const init: { method: string; headers: Record<string, string>; body?: string } =
        method === 'OPTIONS'
          ? { method, headers: { 'access-control-request-method': 'POST' } }
          : { method, headers: { 'content-type': 'application/json', ...stack.authHeaders }, body: JSON.stringify({ query: GOOD_QUERY }) };
      const evil = await fetch(url, { ...init, headers: { ...init.headers, origin: 'https://evil.example' } });
      const listed = await fetch(url, { ...init, headers: { ...init.headers, origin: CORS_ORIGIN } });
      await Promise.all([evil.text(), listed.text()]);
      expect(evil.headers.get('access-control-allow-origin')).toBeNull();
      expect(evil.headers.get('access-control-allow-methods')).toBeNull();
      expect(listed.headers.get('access-control-allow-origin')).toBe(CORS_ORIGIN);
      expect(evil.headers.get('vary')).toBe('Origin');
    }
  });

  it('in production mode: introspection is refused, the playground is off, limits hold', async () => {
    const production = await stack.startGateway({ NODE_ENV: 'production', GATEWAY_INVALIDATION_SECRET: 'production-invalidation-secret-for-tests' });
    const introspection = await graphql(production.url, '{ __schema { queryType { name } } }', {}, stack.authHeaders);
    expect(introspection.status).toBe(400);
    expect(introspection.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(introspection.errors?.[0]?.message).toMatch(/introspection is not allowed/i);
    const page = await fetch(production.url, { headers: { accept: 'text/html' } });
    await page.text();
    expect(page.headers.get('content-type') ?? '').not.toMatch(/text\/html/);
    const deep = await graphql(production.url, `{ ${'customers { nodes { '.repeat(100)}id${' } }'.repeat(100)} }`, {}, stack.authHeaders);
    expect({ status: deep.status, code: deep.errors?.[0]?.extensions?.code }).toEqual({ status: 400, code: 'MAX_DEPTH_LIMIT' });
    const good = await graphql<{ customers: { nodes: unknown[] } }>(production.url, GOOD_QUERY, {}, stack.authHeaders);
    expect(good.data?.customers.nodes).toHaveLength(2);
  });

  describe('bounds on what a client can make the gateway keep, log and tell', () => {
    type LogLine = Record<string, unknown> & { level: number; msg: string };
    const gatewayLines = (): LogLine[] =>
      stack.services
        .gateway!.output()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as LogLine);

    it('500 KB operation names: 400 OPERATION_NAME_TOO_LONG before parsing; with 1000 more distinct names, /metrics and every log line stay bounded', async () => {
      const long = 'N'.repeat(500 * 1024);
      for (let i = 0; i < 10; i++) {
        const inDocument = await expectRejected(() => post({ query: `query ${long}${i} { __typename }` }), 400, 'OPERATION_NAME_TOO_LONG');
        expect(inDocument.json?.errors?.[0]?.extensions).toMatchObject({ limit: 128, measured: long.length + 1 });
        await expectRejected(() => post({ query: GOOD_QUERY, operationName: `${long}${i}` }), 400, 'OPERATION_NAME_TOO_LONG');
      }
      // 1000 distinct names a client made up, 10 at a time.
      for (let i = 0; i < 1000; i += 10) {
        const answers = await Promise.all(Array.from({ length: 10 }, (_, j) => post({ query: `query Made${i + j} { __typename }` })));
        for (const answer of answers) expect(answer.status).toBe(200);
      }
      const metrics = await send({ method: 'GET', path: '/metrics' });
      expect(metrics.status).toBe(200);
      const operations = new Set([...metrics.text.matchAll(/^graphql_requests_total\{operation="((?:[^"\\]|\\.)*)"/gm)].map((m) => m[1]!));
      console.log(`/metrics after 20 requests with 500 KB names and 1000 distinct names: ${metrics.text.length} bytes, ${operations.size} operation labels`);
      expect(operations.size).toBeLessThanOrEqual(102); // METRICS_MAX_OPERATION_NAMES (100), (anonymous), (other)
      expect(operations.has('(other)')).toBe(true);
      expect(Math.max(...[...operations].map((name) => name.length))).toBeLessThanOrEqual(128);
      expect(metrics.text.length).toBeLessThan(400 * 1024);
      const lines = stack.services.gateway!.output().split('\n');
      expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(16 * 1024);
      expect(stack.services.gateway!.output()).not.toContain('N'.repeat(4097));
    });

    it('a client that sends half its body and hangs up: one info line without a stack, no error line', async () => {
      const requestId = `corpus-abort-${crypto.randomUUID()}`;
      const body = JSON.stringify({ query: GOOD_QUERY, variables: { padding: 'x'.repeat(4000) } });
      const before = gatewayLines().length;
      await abortedPost(url, body, body.length / 2, { ...stack.authHeaders, 'x-request-id': requestId });
      const line = await until('the abort line', () => gatewayLines().find((l) => l.requestId === requestId));
      // The gateway then answers the next good request, and by then the aborted one has logged all it will.
      const good = await graphql<{ customers: { nodes: unknown[] } }>(url, GOOD_QUERY, {}, stack.authHeaders);
      expect(good.data?.customers.nodes).toHaveLength(2);
      expect(line).toMatchObject({ level: 30, stage: 'request', msg: 'client closed the connection before its request was complete' });
      expect(gatewayLines().filter((l) => l.requestId === requestId)).toEqual([line]);
      expect(
        gatewayLines()
          .slice(before)
          .filter((l) => l.level >= 50),
      ).toEqual([]);
    });

    it('in production, extensions.cacheStatus only for a gateway:debug caller who asks; x-cache for everyone', async () => {
      const production = await stack.startGateway({ NODE_ENV: 'production', GATEWAY_INVALIDATION_SECRET: 'production-invalidation-secret-for-tests' });
      const debugToken = await stack.auth.token({ scope: [...ALL_SCOPES, 'gateway:debug'] });
      const ask = async (headers: Record<string, string>): Promise<{ xCache: string | null; cacheStatus: unknown }> => {
        const response = await fetch(production.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify({ query: GOOD_QUERY }),
        });
        const body = (await response.json()) as { data?: { customers: { nodes: unknown[] } }; extensions?: { cacheStatus?: unknown } };
        expect(body.data?.customers.nodes).toHaveLength(2);
        return { xCache: response.headers.get('x-cache'), cacheStatus: body.extensions?.cacheStatus };
      };
      const plain = await ask({ ...stack.authHeaders, 'x-graph360-debug': 'cache-status' });
      expect(plain).toEqual({ xCache: expect.stringMatching(/^(HIT|PARTIAL|MISS)$/), cacheStatus: undefined });
      const debug = await ask({ authorization: `Bearer ${debugToken}`, 'x-graph360-debug': 'cache-status' });
      expect(debug.cacheStatus).toMatchObject({ status: debug.xCache, subgraphFetches: expect.any(Number) });
    });
  });

  /**
   * Payments the invoice does not allow: each refused with its code (a GraphQL error, HTTP
   * 200, no data), and not one call reaches the payment provider.
   */
  describe('money: payInvoice refusals', () => {
    const PAY = 'mutation($input: PayInvoiceInput!) { payInvoice(input: $input) { payment { id } } }';
    let open: ErpInvoice;
    let other: ErpInvoice;
    let paid: ErpInvoice;
    beforeAll(async () => {
      const unpaid = await erpInvoices(stack.sandboxUrls.erp);
      open = unpaid.find((i) => i.residual >= 1_000)!;
      other = unpaid.find((i) => i.companyId !== open.companyId)!;
      paid = (await erpInvoices(stack.sandboxUrls.erp, ['paid']))[0]!;
    });
    const pay =
      (invoice: () => ErpInvoice, change: (input: Record<string, unknown>) => Record<string, unknown> = (i) => i) =>
      () => {
        const base = {
          customerId: invoice().companyId,
          invoiceId: invoice().invoiceId,
          amount: { amount: 100, currency: invoice().currency },
          idempotencyKey: randomUUID(),
        };
        return change(base);
      };
    const otherCurrency = (currency: string): string => (currency === 'USD' ? 'EUR' : 'USD');
    const cases: Array<[string, () => Record<string, unknown>, string, 'bound'?]> = [
      [
        'more than the residual',
        pay(
          () => open,
          (i) => ({ ...i, amount: { amount: open.residual + 1, currency: open.currency } }),
        ),
        'AMOUNT_EXCEEDS_RESIDUAL',
      ],
      ['an invoice already paid', pay(() => paid), 'INVOICE_NOT_OPEN'],
      [
        'an invoice that does not exist',
        pay(
          () => open,
          (i) => ({ ...i, invoiceId: '987654321' }),
        ),
        'INVOICE_NOT_FOUND',
      ],
      [
        'an invoice id that is no id',
        pay(
          () => open,
          (i) => ({ ...i, invoiceId: "1' OR '1'='1" }),
        ),
        'INVOICE_NOT_FOUND',
      ],
      [
        'another currency than the invoice',
        pay(
          () => open,
          (i) => ({ ...i, amount: { amount: 100, currency: otherCurrency(open.currency) } }),
        ),
        'CURRENCY_MISMATCH',
      ],
      [
        "another customer's invoice",
        pay(
          () => open,
          (i) => ({ ...i, customerId: other.companyId }),
        ),
        'FORBIDDEN',
      ],
      [
        "another customer's invoice, with a token bound to the payer",
        pay(
          () => open,
          (i) => ({ ...i, customerId: other.companyId }),
        ),
        'FORBIDDEN',
        'bound',
      ],
      ['a token bound to one customer paying as another', pay(() => open), 'FORBIDDEN', 'bound'],
      [
        'a zero amount',
        pay(
          () => open,
          (i) => ({ ...i, amount: { amount: 0, currency: open.currency } }),
        ),
        'BAD_USER_INPUT',
      ],
      [
        'a negative amount',
        pay(
          () => open,
          (i) => ({ ...i, amount: { amount: -500, currency: open.currency } }),
        ),
        'BAD_USER_INPUT',
      ],
      [
        'an idempotency key too short to be unique',
        pay(
          () => open,
          (i) => ({ ...i, idempotencyKey: 'k1' }),
        ),
        'BAD_USER_INPUT',
      ],
    ];
    it.each(cases.map(([name, input, code, bound]) => ({ name, input, code, bound })))('$name: $code', async ({ input, code, bound }) => {
      await stack.resetStats();
      const headers = bound ? { authorization: `Bearer ${await stack.auth.token({ customer_id: other.companyId })}` } : stack.authHeaders;
      const res = await graphql(url, PAY, { input: input() }, headers);
      expect({ status: res.status, data: res.data ?? null, code: res.errors?.[0]?.extensions?.code }).toEqual({ status: 200, data: null, code });
      expect((await stack.stats()).payments).toEqual({});
    });
  });
});

/**
 * HTTP request handling: batches (at most LIMIT_MAX_BATCH_SIZE operations, each one a
 * request of the client's budget), JSON nested deeper than LIMIT_MAX_JSON_DEPTH (refused
 * before JSON.parse; a 400,000-level body once overflowed the stack), APQ mistakes (client
 * errors, not masked internal ones), subscriptions (not served), and a table of malformed
 * requests of every other shape: each gets its status and code, and costs no backend call.
 */
describe('the bad-input corpus: request handling (batches, JSON nesting, APQ, subscriptions, request shapes)', () => {
  let stack: Stack;
  let url: string;

  beforeAll(async () => {
    // The response cache stays on: the deep-JSON body overflowed the stack in its key (so a case that
    // must show that nothing ran sends a query no other request sends). Rate limiting is off but for one case, below.
    stack = await startStack({ gatewayEnv: { ENTITY_CACHE: 'off', RATE_LIMIT: 'off', LOG_LEVEL: 'info' } });
    url = stack.gatewayUrl;
    expect((await graphql(url, GOOD_QUERY, {}, stack.authHeaders)).status).toBe(200);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const post = async (body: unknown, headers: Record<string, string> = {}, target = url): Promise<Answer> =>
    answer(
      await fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...stack.authHeaders, ...headers },
        body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
      }),
    );
  const get = async (params: Record<string, string>): Promise<Answer> =>
    answer(await fetch(`${url}?${new URLSearchParams(params).toString()}`, { headers: { 'apollo-require-preflight': 'true', ...stack.authHeaders } }));
  const other = async (method: string): Promise<Answer> =>
    answer(
      await fetch(url, {
        method,
        headers: { 'content-type': 'application/json', ...stack.authHeaders },
        body: method === 'DELETE' ? undefined : JSON.stringify({ query: GOOD_QUERY }),
      }),
    );
  const backendCalls = async (): Promise<number> =>
    Object.values(await stack.stats()).reduce((sum, ops) => sum + Object.values(ops).reduce((a, b) => a + b, 0), 0);
  type BatchItem = { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> };
  const batchOf = (n: number, query = GOOD_QUERY): Array<{ query: string }> => Array.from({ length: n }, () => ({ query }));
  const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
  const deep = (levels: number): string => `${'['.repeat(levels)}${']'.repeat(levels)}`;
  const pageOf = 'query Page($first: Int!) { customers(first: $first) { nodes { id } } }';
  const ordersWith = (status: string): string => `{ customers(first: 1) { nodes { orders(first: 1, status: ${status}) { nodes { id } } } } }`;

  /** Each case: the bad request, the status and code it must get. */
  const REFUSED: Array<{ name: string; send: () => Promise<Answer>; status: number; code: string }> = [
    // The body is JSON, but not a GraphQL request.
    { name: 'a body of null', send: () => post('null'), status: 400, code: 'BAD_REQUEST' },
    { name: 'a body that is a number', send: () => post('1'), status: 400, code: 'BAD_REQUEST' },
    { name: 'a body that is a string', send: () => post('"{ __typename }"'), status: 400, code: 'BAD_REQUEST' },
    { name: 'a body of true', send: () => post('true'), status: 400, code: 'BAD_REQUEST' },
    { name: 'an empty object', send: () => post({}), status: 400, code: 'BAD_REQUEST' },
    { name: 'query null', send: () => post({ query: null }), status: 400, code: 'BAD_REQUEST' },
    { name: 'query a number', send: () => post({ query: 1 }), status: 400, code: 'BAD_REQUEST' },
    { name: 'query an object', send: () => post({ query: { customers: 1 } }), status: 400, code: 'BAD_REQUEST' },
    { name: 'query an array', send: () => post({ query: [GOOD_QUERY] }), status: 400, code: 'BAD_REQUEST' },
    { name: 'query empty', send: () => post({ query: '' }), status: 400, code: 'BAD_REQUEST' },
    { name: 'query only blanks', send: () => post({ query: '   ' }), status: 400, code: 'GRAPHQL_PARSE_FAILED' },
    { name: 'variables an array', send: () => post({ query: GOOD_QUERY, variables: [1] }), status: 400, code: 'BAD_REQUEST' },
    { name: 'variables a JSON-encoded string', send: () => post({ query: GOOD_QUERY, variables: '{}' }), status: 400, code: 'BAD_REQUEST' },
    { name: 'variables a number', send: () => post({ query: GOOD_QUERY, variables: 1 }), status: 400, code: 'BAD_REQUEST' },
    { name: 'operationName a number', send: () => post({ query: GOOD_QUERY, operationName: 1 }), status: 400, code: 'BAD_REQUEST' },
    { name: 'operationName an object', send: () => post({ query: GOOD_QUERY, operationName: {} }), status: 400, code: 'BAD_REQUEST' },
    { name: 'extensions a string', send: () => post({ query: GOOD_QUERY, extensions: '{}' }), status: 400, code: 'BAD_REQUEST' },
    { name: 'extensions an array', send: () => post({ query: GOOD_QUERY, extensions: [1] }), status: 400, code: 'BAD_REQUEST' },
    // Not JSON (RFC 8259), or not UTF-8.
    { name: 'NaN in the JSON', send: () => post('{"query":"{ __typename }","variables":{"a":NaN}}'), status: 400, code: 'BAD_REQUEST' },
    { name: 'Infinity in the JSON', send: () => post('{"query":"{ __typename }","variables":{"a":Infinity}}'), status: 400, code: 'BAD_REQUEST' },
    { name: 'text after the JSON', send: () => post('{"query":"{ __typename }"} x'), status: 400, code: 'BAD_REQUEST' },
    { name: 'two JSON documents', send: () => post('{"query":"{ __typename }"}{"query":"{ __typename }"}'), status: 400, code: 'BAD_REQUEST' },
    { name: 'single-quoted JSON', send: () => post("{'query':'{ __typename }'}"), status: 400, code: 'BAD_REQUEST' },
    { name: 'a trailing comma', send: () => post('{"query":"{ __typename }",}'), status: 400, code: 'BAD_REQUEST' },
    { name: 'a comment in the JSON', send: () => post('{"query":"{ __typename }"} // x'), status: 400, code: 'BAD_REQUEST' },
    {
      name: 'invalid UTF-8',
      send: () => post(Buffer.concat([Buffer.from('{"query":"{ __typename } # '), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')])),
      status: 400,
      code: 'BAD_REQUEST',
    },
    {
      name: 'a byte order mark',
      send: () => post(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify({ query: GOOD_QUERY }))])),
      status: 400,
      code: 'BAD_REQUEST',
    },
    // JSON nested deeper than LIMIT_MAX_JSON_DEPTH (128), refused before it is parsed.
    {
      name: 'variables 400,000 arrays deep (under 1 MB)',
      send: () => post(`{"query":"{ __typename }","variables":{"a":${deep(400_000)}}}`),
      status: 400,
      code: 'JSON_NESTING_TOO_DEEP',
    },
    {
      name: 'a declared variable 400,000 arrays deep',
      send: () => post(`{"query":${JSON.stringify(pageOf)},"variables":{"first":${deep(400_000)}}}`),
      status: 400,
      code: 'JSON_NESTING_TOO_DEEP',
    },
    { name: 'a body 400,000 arrays deep', send: () => post(deep(400_000)), status: 400, code: 'JSON_NESTING_TOO_DEEP' },
    {
      name: 'extensions 400,000 arrays deep',
      send: () => post(`{"query":"{ __typename }","extensions":{"a":${deep(400_000)}}}`),
      status: 400,
      code: 'JSON_NESTING_TOO_DEEP',
    },
    {
      name: 'variables 128 objects deep (129 with the body)',
      send: () => post(`{"query":"{ __typename }","variables":${'{"a":'.repeat(128)}1${'}'.repeat(128)}}`),
      status: 400,
      code: 'JSON_NESTING_TOO_DEEP',
    },
    {
      name: 'a GET with variables 1,000 deep',
      send: () => get({ query: '{ __typename }', variables: `{"a":${deep(1000)}}` }),
      status: 400,
      code: 'JSON_NESTING_TOO_DEEP',
    },
    {
      name: 'a GET with extensions 1,000 deep',
      send: () => get({ query: '{ __typename }', extensions: `{"a":${deep(1000)}}` }),
      status: 400,
      code: 'JSON_NESTING_TOO_DEEP',
    },
    // Media types and methods.
    {
      name: 'a POST without Content-Type',
      send: async () =>
        answer(await fetch(url, { method: 'POST', headers: stack.authHeaders, body: new TextEncoder().encode(JSON.stringify({ query: GOOD_QUERY })) })),
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    {
      name: 'Content-Type application/graphql',
      send: () => post(GOOD_QUERY, { 'content-type': 'application/graphql' }),
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    {
      name: 'an Accept that admits no GraphQL response (refused before the operation runs)',
      send: () => post({ query: '{ customers(first: 3) { nodes { id domain } } }' }, { accept: 'text/html' }),
      status: 406,
      code: 'BAD_REQUEST',
    },
    { name: 'PUT', send: () => other('PUT'), status: 405, code: 'BAD_REQUEST' },
    { name: 'PATCH', send: () => other('PATCH'), status: 405, code: 'BAD_REQUEST' },
    { name: 'DELETE', send: () => other('DELETE'), status: 405, code: 'BAD_REQUEST' },
    { name: 'a mutation over GET', send: () => get({ query: 'mutation { __typename }' }), status: 405, code: 'BAD_REQUEST' },
    { name: 'a subscription over GET', send: () => get({ query: 'subscription { paymentEvents(customerId: "1") { id } }' }), status: 405, code: 'BAD_REQUEST' },
    { name: 'a GET without a query', send: () => get({}), status: 400, code: 'BAD_REQUEST' },
    {
      name: 'a GET with two queries',
      send: async () =>
        answer(
          await fetch(`${url}?query=${encodeURIComponent(GOOD_QUERY)}&query=${encodeURIComponent('{ __typename }')}`, {
            headers: { 'apollo-require-preflight': 'true', ...stack.authHeaders },
          }),
        ),
      status: 400,
      code: 'BAD_REQUEST',
    },
    { name: 'a GET whose variables are not JSON', send: () => get({ query: pageOf, variables: '{first: 1}' }), status: 400, code: 'BAD_REQUEST' },
    // Batches.
    { name: 'a batch of 11 operations (LIMIT_MAX_BATCH_SIZE 10)', send: () => post(batchOf(11)), status: 400, code: 'BATCH_LIMIT_EXCEEDED' },
    { name: 'a batch of 1,000 operations', send: () => post(batchOf(1000)), status: 400, code: 'BATCH_LIMIT_EXCEEDED' },
    { name: 'an empty batch', send: () => post([]), status: 400, code: 'BAD_REQUEST' },
    { name: 'a batch of numbers and strings', send: () => post([1, 'x']), status: 400, code: 'BAD_REQUEST' },
    { name: 'a batch of arrays', send: () => post([[{ query: GOOD_QUERY }]]), status: 400, code: 'BAD_REQUEST' },
    { name: 'a batch with a null', send: () => post([{ query: GOOD_QUERY }, null]), status: 400, code: 'BAD_REQUEST' },
    // APQ: the client's mistakes, with Apollo Router's code for a mismatch.
    {
      name: "an APQ hash that is not the query's",
      send: () => post({ query: GOOD_QUERY, extensions: { persistedQuery: { version: 1, sha256Hash: sha256('{ __typename }') } } }),
      status: 400,
      code: 'PERSISTED_QUERY_HASH_MISMATCH',
    },
    {
      name: 'an APQ hash that is a number',
      send: () => post({ query: GOOD_QUERY, extensions: { persistedQuery: { version: 1, sha256Hash: 12 } } }),
      status: 400,
      code: 'PERSISTED_QUERY_HASH_MISMATCH',
    },
    {
      name: 'APQ version 2',
      send: () => post({ query: GOOD_QUERY, extensions: { persistedQuery: { version: 2, sha256Hash: sha256(GOOD_QUERY) } } }),
      status: 400,
      code: 'PERSISTED_QUERY_VERSION_NOT_SUPPORTED',
    },
    {
      name: 'APQ persistedQuery a string',
      send: () => post({ query: GOOD_QUERY, extensions: { persistedQuery: 'x' } }),
      status: 400,
      code: 'PERSISTED_QUERY_VERSION_NOT_SUPPORTED',
    },
    // Apollo's answer to an unknown hash is a 200 on purpose: the client then registers the query.
    {
      name: 'an unknown APQ hash without a query',
      send: () => post({ extensions: { persistedQuery: { version: 1, sha256Hash: sha256('{ unknown }') } } }),
      status: 200,
      code: 'PERSISTED_QUERY_NOT_FOUND',
    },
    // Subscriptions are served only to clients that take a stream (graphql-ws, or multipart/mixed;subscriptionSpec=1.0).
    {
      name: 'a subscription over plain JSON',
      send: () => post({ query: 'subscription { paymentEvents(customerId: "1") { id } }' }),
      status: 406,
      code: 'SUBSCRIPTION_TRANSPORT_REQUIRED',
    },
    {
      name: 'a subscription named by operationName',
      send: () => post({ query: 'query Q { __typename } subscription S { paymentEvents(customerId: "1") { id } }', operationName: 'S' }),
      status: 406,
      code: 'SUBSCRIPTION_TRANSPORT_REQUIRED',
    },
    {
      name: 'a subscription of an introspection field',
      send: () => post({ query: 'subscription { __typename }' }),
      status: 400,
      code: 'GRAPHQL_VALIDATION_FAILED',
    },
    // Documents that do not parse or validate.
    { name: 'a syntax error', send: () => post({ query: '{ customers { ' }), status: 400, code: 'GRAPHQL_PARSE_FAILED' },
    { name: 'an unterminated string', send: () => post({ query: '{ customer(id: "1) { id } }' }), status: 400, code: 'GRAPHQL_PARSE_FAILED' },
    { name: 'a control character', send: () => post({ query: '{ __typename \u0007 }' }), status: 400, code: 'GRAPHQL_PARSE_FAILED' },
    { name: 'an unknown field', send: () => post({ query: '{ customers(first: 1) { nodes { password } } }' }), status: 400, code: 'GRAPHQL_VALIDATION_FAILED' },
    { name: 'an unknown directive', send: () => post({ query: '{ __typename @admin }' }), status: 400, code: 'GRAPHQL_VALIDATION_FAILED' },
    { name: 'an unknown argument', send: () => post({ query: '{ customers(limit: 1) { nodes { id } } }' }), status: 400, code: 'GRAPHQL_VALIDATION_FAILED' },
    { name: 'a missing required argument', send: () => post({ query: '{ customer { id } }' }), status: 400, code: 'GRAPHQL_VALIDATION_FAILED' },
    {
      name: 'an Int argument past 32 bits',
      send: () => post({ query: '{ customers(first: 99999999999) { nodes { id } } }' }),
      status: 400,
      code: 'GRAPHQL_VALIDATION_FAILED',
    },
    { name: 'a string for an enum', send: () => post({ query: ordersWith('"DRAFT"') }), status: 400, code: 'GRAPHQL_VALIDATION_FAILED' },
    { name: 'an unknown enum value', send: () => post({ query: ordersWith('LOST') }), status: 400, code: 'GRAPHQL_VALIDATION_FAILED' },
    { name: 'an undefined variable', send: () => post({ query: '{ customers(first: $n) { nodes { id } } }' }), status: 400, code: 'GRAPHQL_VALIDATION_FAILED' },
    { name: 'a variable of an unknown type', send: () => post({ query: 'query ($n: Secret) { __typename }' }), status: 400, code: 'GRAPHQL_VALIDATION_FAILED' },
    { name: 'an unused variable', send: () => post({ query: 'query ($n: Int) { __typename }' }), status: 400, code: 'GRAPHQL_VALIDATION_FAILED' },
    {
      name: 'an unused fragment',
      send: () => post({ query: '{ __typename } fragment F on Query { __typename }' }),
      status: 400,
      code: 'GRAPHQL_VALIDATION_FAILED',
    },
    {
      name: 'a fragment on a type it can never be',
      send: () => post({ query: '{ customers(first: 1) { nodes { ...F } } } fragment F on Product { id }' }),
      status: 400,
      code: 'GRAPHQL_VALIDATION_FAILED',
    },
    {
      name: 'a selection 21 deep through a fragment',
      send: () =>
        post({
          query: `{ customers(first: 1) { nodes { invoices(first: 1) { nodes { ...P } } } } } fragment P on Invoice { ${'payments { invoice { '.repeat(8)}id${' } }'.repeat(8)} }`,
        }),
      status: 400,
      code: 'MAX_DEPTH_LIMIT',
    },
    {
      name: 'an operationName that the single operation does not have',
      send: () => post({ query: 'query A { __typename }', operationName: 'B' }),
      status: 400,
      code: 'OPERATION_RESOLUTION_FAILURE',
    },
    // Variables that do not coerce.
    {
      name: 'an Int variable past 32 bits (not a cost)',
      send: () => post({ query: pageOf, variables: { first: 2 ** 31 } }),
      status: 400,
      code: 'BAD_USER_INPUT',
    },
    { name: 'a fraction for an Int variable', send: () => post({ query: pageOf, variables: { first: 1.5 } }), status: 400, code: 'BAD_USER_INPUT' },
    {
      name: 'an unknown enum value in a variable',
      send: () =>
        post({
          query: 'query ($s: OrderStatus) { customers(first: 1) { nodes { orders(first: 1, status: $s) { nodes { id } } } } }',
          variables: { s: 'LOST' },
        }),
      status: 400,
      code: 'BAD_USER_INPUT',
    },
    { name: 'null for a non-null variable', send: () => post({ query: pageOf, variables: { first: null } }), status: 400, code: 'BAD_USER_INPUT' },
  ];

  it('has a distinct name for each case', () => {
    expect(new Set(REFUSED.map((c) => c.name)).size).toBe(REFUSED.length);
  });

  it.each(REFUSED)('$name: $status $code, no backend call', async ({ send, status, code }) => {
    await stack.resetStats();
    const bad = await send();
    expect({ status: bad.status, code: bad.json?.errors?.[0]?.extensions?.code, data: bad.json?.data }).toEqual({ status, code, data: undefined });
    expect(bad.json?.errors?.[0]?.message).toEqual(expect.any(String));
    expect(await backendCalls()).toBe(0);
    const good = await graphql<{ customers: { nodes: unknown[] } }>(url, GOOD_QUERY, {}, stack.authHeaders);
    expect({ status: good.status, errors: good.errors, nodes: good.data?.customers.nodes.length }).toEqual({ status: 200, errors: undefined, nodes: 2 });
  });

  it('a batch of 10 operations (the limit) runs every one', async () => {
    const batch = await post(batchOf(10));
    expect(batch.status).toBe(200);
    const items = JSON.parse(batch.text) as BatchItem[];
    expect(items.map((item) => [(item.data as { customers: { nodes: unknown[] } }).customers.nodes.length, item.errors])).toEqual(
      Array.from({ length: 10 }, () => [2, undefined]),
    );
  });

  it("a batch with an invalid or a subscription operation: that one is refused with its code, the others run (the status is the refusal's: Apollo Server's for a batch)", async () => {
    for (const [bad, code, status] of [
      [{ query: '{ customers(first: 1) { nodes { password } } }' }, 'GRAPHQL_VALIDATION_FAILED', 400],
      [{ query: 'subscription { paymentEvents(customerId: "1") { id } }' }, 'SUBSCRIPTION_TRANSPORT_REQUIRED', 406],
    ] as const) {
      const batch = await post([{ query: GOOD_QUERY }, bad]);
      const items = JSON.parse(batch.text) as BatchItem[];
      expect({
        status: batch.status,
        first: (items[0]?.data as { customers: { nodes: unknown[] } }).customers.nodes.length,
        code: items[1]?.errors?.[0]?.extensions?.code,
        data: items[1]?.data,
      }).toEqual({ status, first: 2, code, data: undefined });
    }
  });

  it('with rate limiting on, a batch takes one request per operation: one the budget cannot cover is refused whole, 429 RATE_LIMITED, no backend call', async () => {
    const limited = await stack.startGateway({ RATE_LIMIT: 'on', RATE_LIMIT_RPS: '0.001', RATE_LIMIT_BURST: '6', RATE_LIMIT_COST_BURST: '1000000' });
    expect((await post(batchOf(5), {}, limited.url)).status).toBe(200);
    await stack.resetStats();
    const refused = await post(batchOf(2), {}, limited.url);
    expect({ status: refused.status, code: refused.json?.errors?.[0]?.extensions?.code, budget: refused.json?.errors?.[0]?.extensions?.budget }).toEqual({
      status: 429,
      code: 'RATE_LIMITED',
      budget: 'requests',
    });
    expect(await backendCalls()).toBe(0);
    expect((await post(batchOf(1), {}, limited.url)).status).toBe(200);
  });

  it('what is not wrong is not refused: unknown body fields are ignored, variables may be null, brackets inside strings are text', async () => {
    for (const body of [
      { query: GOOD_QUERY, foo: 1, queryId: 'x' },
      { query: GOOD_QUERY, variables: null },
      { query: GOOD_QUERY, variables: { note: `${'['.repeat(100_000)}"\\` } },
    ]) {
      const accepted = await post(body);
      expect({
        status: accepted.status,
        errors: accepted.json?.errors,
        nodes: (accepted.json?.data as { customers: { nodes: unknown[] } } | undefined)?.customers.nodes.length,
      }).toEqual({ status: 200, errors: undefined, nodes: 2 });
    }
  });

  it('no case was logged as an error, and no stack overflowed', () => {
    const output = stack.services.gateway!.output();
    expect(output).not.toMatch(/Maximum call stack|RangeError/);
    expect(output.split('\n').filter((line) => /"level":(50|60)/.test(line))).toEqual([]);
  });
});
