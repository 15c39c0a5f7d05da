import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printSchema, Supergraph } from '@apollo/federation-internals';
import { buildSchema, parse, print, type GraphQLSchema } from 'graphql';
import { SignJWT } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { Authenticator, readApiKeysFile } from './authenticate.js';
import { applyAuthorization, authorizeOperation, PLACEHOLDER_ALIAS, TYPENAME_ALIAS } from './authorizeOperation.js';
import { ALL_SCOPES, ANONYMOUS, type AuthIdentity } from './identity.js';
import { splitSupergraph } from './policy.js';

const SUPERGRAPH = readFileSync(fileURLToPath(new URL('../../../schema/supergraph.graphql', import.meta.url)), 'utf8');
const { executableSdl, policy } = splitSupergraph(SUPERGRAPH);
// Built by this module's graphql (vitest loads graphql's ESM build, federation-internals its CJS one).
const schema: GraphQLSchema = buildSchema(printSchema(Supergraph.build(executableSdl).apiSchema()));

const user = (scopes: readonly string[], customerId?: string): AuthIdentity => ({
  kind: 'jwt',
  subject: 'u1',
  scopes: [...scopes],
  ...(customerId ? { customerId } : {}),
});
const plan = (query: string, auth: AuthIdentity, variables: Record<string, unknown> = {}) =>
  authorizeOperation({ schema, document: parse(query), queryHash: 'h0', policy, auth, variables });

describe('the supergraph policy', () => {
  it('reads @authenticated and @requiresScopes and hands ApolloGateway a supergraph without them', () => {
    expect(policy.types.get('Customer')).toEqual({ authenticated: true, scopes: [] });
    expect(policy.types.get('Invoice')).toEqual({ authenticated: true, scopes: [['invoices:read']] });
    expect(policy.types.get('Payment')).toEqual({ authenticated: true, scopes: [['payments:read']] });
    expect(policy.fields.get('Query.customers')).toEqual({ authenticated: true, scopes: [] });
    expect(policy.fields.get('Mutation.payInvoice')).toEqual({ authenticated: true, scopes: [['payments:write']] });
    expect(policy.fields.has('Query.products')).toBe(false);
    expect([...policy.allScopes].sort()).toEqual([...ALL_SCOPES].sort());
    expect(executableSdl).not.toMatch(/requiresScopes|@authenticated|specs\.apollo\.dev\/authenticated/);
    // The file as composed is refused by @apollo/gateway's default feature set; the split one is not.
    expect(() => Supergraph.build(SUPERGRAPH)).toThrow(/is for: SECURITY but is unsupported/);
  });

  it('fails a malformed @requiresScopes instead of ignoring it', () => {
    const broken = SUPERGRAPH.replace('@requiresScopes(scopes: [["payments:write"]])', '@requiresScopes(scopes: "payments:write")');
    expect(broken).not.toBe(SUPERGRAPH);
    expect(() => splitSupergraph(broken)).toThrow(/needs scopes/);
  });
});

describe('authorizeOperation', () => {
  it('needs no plan for a caller with every scope and no customer binding', () => {
    expect(plan('{ customers(first: 1) { nodes { invoices { nodes { payments { id } } } } } }', user(ALL_SCOPES))).toBeUndefined();
  });

  it('removes what an anonymous caller may not see, keeps the public rest, and plans it under its own hash', () => {
    const result = plan('query Q { customer(id: "1") { name } products(first: 1) { nodes { name } } }', ANONYMOUS)!;
    expect(print(result.document)).not.toContain('customer(');
    expect(print(result.document)).toContain('products(first: 1)');
    expect(result.queryHash).not.toBe('h0');
    expect(result.skipExecution).toBe(false);
    const answer = applyAuthorization(result, { data: { products: { nodes: [{ name: 'Shelf' }] } } });
    expect(answer.data).toEqual({ products: { nodes: [{ name: 'Shelf' }] }, customer: null });
    expect(answer.errors?.map((e) => [e.path, e.extensions.code])).toEqual([[['customer'], 'UNAUTHENTICATED']]);
  });

  it('refuses a field per missing scope with FORBIDDEN at every path, lists expanded, through aliases and fragments', () => {
    const query = `query {
      customers(first: 2) { nodes { id bills: invoices { nodes { id ...Paid } } } }
    }
    fragment Paid on Invoice { payments { id } }`;
    const result = plan(query, user(['invoices:read']))!;
    expect(print(result.document)).not.toContain('payments');
    const answer = applyAuthorization(result, {
      data: {
        customers: {
          nodes: [
            { id: 'c1', bills: { nodes: [{ id: 'i1' }, { id: 'i2' }] } },
            { id: 'c2', bills: null },
          ],
        },
      },
    });
    expect(answer.data).toEqual({
      customers: {
        nodes: [
          {
            id: 'c1',
            bills: {
              nodes: [
                { id: 'i1', payments: null },
                { id: 'i2', payments: null },
              ],
            },
          },
          { id: 'c2', bills: null },
        ],
      },
    });
    expect(answer.errors?.map((e) => [e.path, e.extensions.code])).toEqual([
      [['customers', 'nodes', 0, 'bills', 'nodes', 0, 'payments'], 'FORBIDDEN'],
      [['customers', 'nodes', 0, 'bills', 'nodes', 1, 'payments'], 'FORBIDDEN'],
    ]);
  });

  it('keeps a parent whose every field was refused, with a placeholder stripped from the answer', () => {
    const result = plan('{ customer(id: "1") { invoices { totalCount } } }', user([]))!;
    expect(print(result.document)).toContain(PLACEHOLDER_ALIAS);
    const answer = applyAuthorization(result, { data: { customer: { [PLACEHOLDER_ALIAS]: 'Customer' } } });
    expect(answer.data).toEqual({ customer: { invoices: null } });
  });

  it('nulls the nearest nullable parent of a refused non-null field, and runs nothing when that is the root', () => {
    // payInvoice: PayInvoicePayload! and its payment: Payment! (payments:read): null reaches the root.
    const mutation = plan(
      'mutation { payInvoice(input: { customerId: "1", invoiceId: "2", amount: { amount: 1, currency: USD }, idempotencyKey: "k-123456789" }) { payment { id } } }',
      user(['payments:write']),
    )!;
    expect(mutation.skipExecution).toBe(true);
    const answer = applyAuthorization(mutation, { data: null });
    expect(answer.data).toBeNull();
    expect(answer.errors?.map((e) => [e.path, e.extensions.code])).toEqual([[['payInvoice', 'payment'], 'FORBIDDEN']]);
  });

  it('refuses another customer to a customer-bound caller, from literals and variables alike', () => {
    const bound = user(ALL_SCOPES, '42');
    expect(plan('{ customer(id: "42") { name } }', bound)).toBeUndefined();
    const other = plan('query($id: ID!) { customer(id: $id) { name } }', bound, { id: '43' })!;
    expect(other.removals.map((r) => [r.errorKeys, r.code])).toEqual([[['customer'], 'FORBIDDEN']]);
    const pay = plan(
      'mutation { payInvoice(input: { customerId: "43", invoiceId: "2", amount: { amount: 1, currency: USD }, idempotencyKey: "k-123456789" }) { payment { id } } }',
      bound,
    )!;
    expect(pay.skipExecution).toBe(true);
  });

  it('leaves alone what @skip/@include leave out', () => {
    expect(
      plan('query($no: Boolean!) { customer(id: "1") @include(if: $no) { name } products(first: 1) @skip(if: false) { totalCount } }', ANONYMOUS, {
        no: false,
      }),
    ).toBeUndefined();
  });

  it('refuses a field of one type of an abstract list on the objects of that type only', () => {
    const abstract = buildSchema(`
      interface Node { id: ID! }
      type Invoice implements Node { id: ID! secret: String }
      type Product implements Node { id: ID! name: String }
      type Query { nodes: [Node!]! }
    `);
    const narrowPolicy = {
      fields: new Map([['Invoice.secret', { authenticated: true, scopes: [['invoices:read']] }]]),
      types: new Map(),
      allScopes: new Set(['invoices:read']),
    };
    const result = authorizeOperation({
      schema: abstract,
      document: parse('{ nodes { id ...on Invoice { secret } } }'),
      queryHash: 'h',
      policy: narrowPolicy,
      auth: user([]),
    })!;
    expect(print(result.document)).toContain(`${TYPENAME_ALIAS}: __typename`);
    const answer = applyAuthorization(result, {
      data: {
        nodes: [
          { id: '1', [TYPENAME_ALIAS]: 'Invoice' },
          { id: '2', [TYPENAME_ALIAS]: 'Product' },
          { id: '3', [TYPENAME_ALIAS]: 'Invoice' },
        ],
      },
    });
    expect(answer.data).toEqual({ nodes: [{ id: '1', secret: null }, { id: '2' }, { id: '3', secret: null }] });
    expect(answer.errors.map((e) => e.path)).toEqual([
      ['nodes', 0, 'secret'],
      ['nodes', 2, 'secret'],
    ]);
  });

  it('gives two profiles different plan keys for one query', () => {
    const query = '{ customer(id: "1") { name invoices { totalCount } payments { totalCount } } }';
    const a = plan(query, user(['invoices:read']))!;
    const b = plan(query, user(['payments:read']))!;
    expect(a.queryHash).not.toBe(b.queryHash);
  });
});

describe('Authenticator', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const dir = mkdtempSync(join(tmpdir(), 'graph360-auth-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const keysFile = join(dir, 'keys.json');
  writeFileSync(
    keysFile,
    JSON.stringify([{ id: 'billing', sha256: createHash('sha256').update('sk-good-key').digest('hex'), scopes: ['invoices:read'], customerId: '7' }]),
  );
  const authenticator = new Authenticator({ publicKey: pem, issuer: 'iss-1', audience: 'aud-1', apiKeys: readApiKeysFile(keysFile) });
  const sign = (claims: Record<string, unknown>, options: { exp?: number; iss?: string; aud?: string; key?: typeof privateKey; alg?: string } = {}) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: options.alg ?? 'ES256' })
      .setSubject('alice')
      .setIssuer(options.iss ?? 'iss-1')
      .setAudience(options.aud ?? 'aud-1')
      .setExpirationTime(options.exp ?? Math.floor(Date.now() / 1000) + 600)
      .sign(options.key ?? privateKey);

  it('accepts a good token and reads sub, scope, customer_id and exp', async () => {
    const exp = Math.floor(Date.now() / 1000) + 600;
    const result = await authenticator.authenticate({
      authorization: `Bearer ${await sign({ scope: 'invoices:read payments:read', customer_id: '9' }, { exp })}`,
    });
    expect(result).toEqual({
      ok: true,
      auth: { kind: 'jwt', subject: 'alice', scopes: ['invoices:read', 'payments:read'], customerId: '9', expiresAt: exp * 1000 },
    });
  });

  it.each([
    ['expired', () => sign({}, { exp: Math.floor(Date.now() / 1000) - 3600 }), /expired/],
    ['signed by another key', () => sign({}, { key: other.privateKey }), /signature/],
    ['for another audience', () => sign({}, { aud: 'aud-2' }), /"aud"/],
    ['from another issuer', () => sign({}, { iss: 'iss-2' }), /"iss"/],
  ])('refuses a token %s with 401 UNAUTHENTICATED and WWW-Authenticate', async (_what, token, message) => {
    const result = await authenticator.authenticate({ authorization: `Bearer ${await token()}` });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', headers: { 'www-authenticate': 'Bearer error="invalid_token"' } });
    expect(result.message).toMatch(message);
  });

  it('refuses a token signed with HS256 (algorithm confusion) and a header that is not Bearer', async () => {
    const hs = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('x')
      .setIssuer('iss-1')
      .setAudience('aud-1')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(pem));
    expect((await authenticator.authenticate({ authorization: `Bearer ${hs}` })).ok).toBe(false);
    expect(await authenticator.authenticate({ authorization: 'Basic dXNlcjpwYXNz' })).toMatchObject({
      ok: false,
      headers: { 'www-authenticate': 'Bearer error="invalid_request"' },
    });
  });

  it('accepts an API key by its hash and refuses an unknown one', async () => {
    expect(await authenticator.authenticate({ 'x-api-key': 'sk-good-key' })).toEqual({
      ok: true,
      auth: { kind: 'apiKey', subject: 'apikey:billing', scopes: ['invoices:read'], customerId: '7' },
    });
    expect(await authenticator.authenticate({ 'x-api-key': 'sk-bad-key' })).toMatchObject({ ok: false, status: 401, code: 'UNAUTHENTICATED' });
  });

  it('is anonymous without a credential', async () => {
    expect(await authenticator.authenticate({})).toEqual({ ok: true, auth: ANONYMOUS });
  });

  it('refuses an API keys file that holds a key instead of its hash', () => {
    writeFileSync(keysFile, JSON.stringify([{ id: 'x', sha256: 'sk-plain-key', scopes: [] }]));
    expect(() => readApiKeysFile(keysFile)).toThrow(/^API_KEYS_FILE: .*sha256/);
  });
});

describe('Authenticator with a remote JWKS', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'ES256', use: 'sig' };
  // What the key server answers next; `fetches` counts its requests.
  const keyServer = { mode: 'keys' as 'keys' | 'error' | 'garbage', fetches: 0 };
  const server = createServer((_req, res) => {
    keyServer.fetches++;
    if (keyServer.mode === 'error') return void res.writeHead(500).end('upstream trouble');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(keyServer.mode === 'garbage' ? '<html>not json' : JSON.stringify({ keys: [jwk] }));
  });
  const listening = new Promise<string>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`)),
  );
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const token = (key = privateKey, kid = 'k1') =>
    new SignJWT({ scope: 'invoices:read' })
      .setProtectedHeader({ alg: 'ES256', kid })
      .setSubject('bob')
      .setIssuer('iss-1')
      .setAudience('aud-1')
      .setExpirationTime('10m')
      .sign(key);
  const fresh = async () => {
    const failures: unknown[] = [];
    const authenticator = new Authenticator({ jwksUrl: await listening, issuer: 'iss-1', audience: 'aud-1', apiKeys: [] }, (error) => failures.push(error));
    return { authenticator, failures };
  };

  it('verifies a token with the fetched keys, and refuses a token of an unknown key with 401', async () => {
    keyServer.mode = 'keys';
    const { authenticator, failures } = await fresh();
    expect(await authenticator.authenticate({ authorization: `Bearer ${await token()}` })).toMatchObject({
      ok: true,
      auth: { subject: 'bob', scopes: ['invoices:read'] },
    });
    expect(await authenticator.authenticate({ authorization: `Bearer ${await token(stranger.privateKey, 'k9')}` })).toMatchObject({
      ok: false,
      status: 401,
      code: 'UNAUTHENTICATED',
    });
    expect(await authenticator.authenticate({ authorization: 'Bearer not.a.jwt' })).toMatchObject({ ok: false, status: 401, code: 'UNAUTHENTICATED' });
    expect(failures).toEqual([]);
  });

  it.each([
    ['answers 500', 'error'],
    ['answers something that is not a key set', 'garbage'],
  ] as const)('answers 503 AUTHENTICATION_UNAVAILABLE with Retry-After, not 401, when the JWKS %s', async (_what, mode) => {
    keyServer.mode = mode;
    const before = keyServer.fetches;
    const { authenticator, failures } = await fresh();
    const result = await authenticator.authenticate({ authorization: `Bearer ${await token()}` });
    expect(result).toMatchObject({ ok: false, status: 503, code: 'AUTHENTICATION_UNAVAILABLE', headers: { 'retry-after': '5' } });
    expect(keyServer.fetches).toBe(before + 1);
    expect(failures).toHaveLength(1);
    // Once the keys come back, the same token passes: nothing was remembered from the failure.
    keyServer.mode = 'keys';
    expect(await authenticator.authenticate({ authorization: `Bearer ${await token()}` })).toMatchObject({ ok: true });
  });

  it('answers 503 when nothing listens at the JWKS URL', async () => {
    const closed = createServer();
    const url = await new Promise<string>((resolve) =>
      closed.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(closed.address() as AddressInfo).port}/jwks.json`)),
    );
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const failures: unknown[] = [];
    const authenticator = new Authenticator({ jwksUrl: url, issuer: 'iss-1', audience: 'aud-1', apiKeys: [] }, (error) => failures.push(error));
    expect(await authenticator.authenticate({ authorization: `Bearer ${await token()}` })).toMatchObject({
      ok: false,
      status: 503,
      code: 'AUTHENTICATION_UNAVAILABLE',
    });
    expect(failures).toHaveLength(1);
  });
});
