/**
 * Authentication and authorization over the whole stack (the auth contract):
 * tokens the gateway refuses (401 UNAUTHENTICATED), JWKS and API keys, fields refused one
 * by one before any subgraph is asked for them (null plus an error at the path, the rest
 * answered), customer binding, subgraphs that answer only the gateway, and caches and
 * plans that never carry one caller's answer to another. Backend and subgraph calls are
 * counted from the sandboxes' stats and the gateway's /metrics.
 */
import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestAuth, type TestAuth } from './helpers/auth.js';
import { ask, metric, totalCalls } from './helpers/gatewayCalls.js';
import { graphql, startStack, type GraphQLResponse, type Stack } from './helpers/startStack.js';

const API_KEY = 'sk-graph360-test-billing-0123456789';
const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
const codes = (response: GraphQLResponse<unknown>): Array<[unknown, unknown]> => (response.errors ?? []).map((e) => [e.path, e.extensions?.code]);

interface Ids {
  /** A customer, one of its invoices, and a second customer with an invoice. */
  mine: string;
  other: string;
  otherInvoice: string;
}

describe('authentication and authorization through the gateway', () => {
  let stack: Stack;
  let auth: TestAuth;
  let dir: string;
  let ids: Ids;

  /** Fetches each subgraph answered for the gateway since it started (its /metrics). */
  const fetches = async (url = stack.gatewayUrl) => ({
    crm: await metric(url, 'subgraph_fetch_duration_seconds_count', { subgraph: 'crm' }),
    erp: await metric(url, 'subgraph_fetch_duration_seconds_count', { subgraph: 'erp' }),
    payments: await metric(url, 'subgraph_fetch_duration_seconds_count', { subgraph: 'payments' }),
  });

  const good = async (url = stack.gatewayUrl): Promise<void> => {
    const next = await graphql<{ customer: { id: string } }>(url, 'query Good($id: ID!) { customer(id: $id) { id } }', { id: ids.mine }, stack.authHeaders);
    expect(next.status).toBe(200);
    expect(next.errors).toBeUndefined();
    expect(next.data).toEqual({ customer: { id: ids.mine } });
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'graph360-auth-'));
    const keysFile = join(dir, 'api-keys.json');
    // Hashes only: the file never holds the key.
    writeFileSync(keysFile, JSON.stringify([{ id: 'billing-job', sha256: createHash('sha256').update(API_KEY).digest('hex'), scopes: ['invoices:read'] }]));
    auth = createTestAuth();
    stack = await startStack({ scale: 0.05, auth, gatewayEnv: { API_KEYS_FILE: keysFile } });
    const list = await graphql<{ customers: { nodes: Array<{ id: string; invoices: { nodes: Array<{ id: string }> } }> } }>(
      stack.gatewayUrl,
      '{ customers(first: 20) { nodes { id invoices(first: 1) { nodes { id } } } } }',
      {},
      stack.authHeaders,
    );
    expect(list.errors).toBeUndefined();
    const withInvoices = list.data!.customers.nodes.filter((c) => c.invoices.nodes.length > 0);
    expect(withInvoices.length).toBeGreaterThanOrEqual(2);
    ids = { mine: withInvoices[0]!.id, other: withInvoices[1]!.id, otherInvoice: withInvoices[1]!.invoices.nodes[0]!.id };
  });

  afterAll(async () => {
    await stack?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe('credentials the gateway refuses: 401 UNAUTHENTICATED, and the next good request is served', () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    it.each([
      ['an expired token', () => auth.token({ expiresIn: -3600 }), /expired/],
      ['a token with a bad signature', () => auth.token({ key: other.privateKey }), /signature/],
      ['a token for another audience', () => auth.token({ aud: 'someone-else' }), /"aud"/],
      ['a token from another issuer', () => auth.token({ iss: 'https://evil.example' }), /"iss"/],
      ['a token that is not a JWT', async () => 'not-a-jwt', /not a valid JWT/],
    ])('%s', async (_what, token, message) => {
      const before = await fetches();
      const response = await fetch(stack.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(await token()) },
        body: JSON.stringify({ query: '{ products(first: 1) { nodes { name } } }' }),
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
      const body = (await response.json()) as GraphQLResponse;
      expect(body.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
      expect(body.errors?.[0]?.message).toMatch(message);
      expect(body.data).toBeUndefined();
      // Refused before anything ran: not even the public field was fetched.
      expect(await fetches()).toEqual(before);
      await good();
    });

    it('an API key it does not know; one it knows (stored hashed) gets its own scopes', async () => {
      const bad = await graphql(stack.gatewayUrl, '{ products(first: 1) { nodes { name } } }', {}, { 'x-api-key': 'sk-not-a-key' });
      expect(bad.status).toBe(401);
      expect(codes(bad)).toEqual([[undefined, 'UNAUTHENTICATED']]);
      await good();
      const keyed = await graphql<{ customer: { invoices: { totalCount: number } | null; payments: unknown } }>(
        stack.gatewayUrl,
        'query($id: ID!) { customer(id: $id) { invoices { totalCount } payments { totalCount } } }',
        { id: ids.mine },
        { 'x-api-key': API_KEY },
      );
      expect(keyed.status).toBe(200);
      expect(keyed.data!.customer.invoices!.totalCount).toBeGreaterThan(0);
      expect(keyed.data!.customer.payments).toBeNull();
      expect(codes(keyed)).toEqual([[['customer', 'payments'], 'FORBIDDEN']]);
    });
  });

  describe('fields refused one by one, before planning', () => {
    it('gives an anonymous caller the public fields, null and UNAUTHENTICATED for the rest, and asks no subgraph for them', async () => {
      await stack.resetStats();
      const before = await fetches();
      const answer = await graphql<{ customer: unknown; products: { nodes: Array<{ name: string }> } }>(
        stack.gatewayUrl,
        'query Anonymous($id: ID!) { customer(id: $id) { name invoices { totalCount } } products(first: 2) { nodes { name } } }',
        { id: ids.mine },
      );
      expect(answer.status).toBe(200);
      expect(answer.data!.products.nodes).toHaveLength(2);
      expect(answer.data!.customer).toBeNull();
      expect(codes(answer)).toEqual([[['customer'], 'UNAUTHENTICATED']]);
      const after = await fetches();
      expect(after.crm).toBe(before.crm);
      expect(after.payments).toBe(before.payments);
      const stats = await stack.stats();
      expect(totalCalls(stats, 'crm')).toBe(0);
      expect(totalCalls(stats, 'payments')).toBe(0);
      await good();
    });

    it('nulls a field whose scope the token lacks, with FORBIDDEN at its path, runs the rest, and never calls its subgraph', async () => {
      const token = await auth.token({ sub: 'reader', scope: ['invoices:read'] });
      const before = await fetches();
      await stack.resetStats();
      const answer = await graphql<{ customer: { name: string; invoices: { totalCount: number }; payments: unknown; outstandingBalance: unknown } }>(
        stack.gatewayUrl,
        'query Scoped($id: ID!) { customer(id: $id) { name invoices { totalCount } payments { totalCount } outstandingBalance { amount } } }',
        { id: ids.mine },
        bearer(token),
      );
      expect(answer.status).toBe(200);
      expect(answer.data!.customer.name).toEqual(expect.any(String));
      expect(answer.data!.customer.invoices.totalCount).toBeGreaterThan(0);
      expect(answer.data!.customer.outstandingBalance).not.toBeNull();
      expect(answer.data!.customer.payments).toBeNull();
      expect(codes(answer)).toEqual([[['customer', 'payments'], 'FORBIDDEN']]);
      expect((await fetches()).payments).toBe(before.payments);
      expect(totalCalls(await stack.stats(), 'payments')).toBe(0);
    });

    it('refuses a mutation without its write scope and runs nothing (data null: the payload is non-null)', async () => {
      const token = await auth.token({ sub: 'reader', scope: ['invoices:read', 'payments:read'] });
      await stack.resetStats();
      const before = await fetches();
      const answer = await graphql(
        stack.gatewayUrl,
        'mutation Pay($input: PayInvoiceInput!) { payInvoice(input: $input) { payment { id } } }',
        { input: { customerId: ids.mine, invoiceId: '1', amount: { amount: 100, currency: 'USD' }, idempotencyKey: 'auth-test-key-0001' } },
        bearer(token),
      );
      expect(answer.status).toBe(200);
      expect(answer.data).toBeNull();
      expect(codes(answer)).toEqual([[['payInvoice'], 'FORBIDDEN']]);
      expect(await fetches()).toEqual(before);
      expect(totalCalls(await stack.stats())).toBe(0);
    });
  });

  describe('a token bound to one customer', () => {
    let bound: Record<string, string>;
    beforeAll(async () => {
      bound = bearer(await auth.token({ sub: 'customer-user', customer_id: ids.mine }));
    });

    it('sees its own customer', async () => {
      const own = await graphql<{ customer: { id: string; invoices: { totalCount: number } } }>(
        stack.gatewayUrl,
        'query($id: ID!) { customer(id: $id) { id invoices { totalCount } } }',
        { id: ids.mine },
        bound,
      );
      expect(own.errors).toBeUndefined();
      expect(own.data!.customer.id).toBe(ids.mine);
    });

    it("gets FORBIDDEN for another customer's invoices at the gateway, before any fetch", async () => {
      const before = await fetches();
      const answer = await graphql(
        stack.gatewayUrl,
        'query($id: ID!) { customer(id: $id) { id invoices { nodes { id amountDue { amount } } } } }',
        { id: ids.other },
        bound,
      );
      expect(answer.status).toBe(200);
      expect(answer.data).toEqual({ customer: null });
      expect(codes(answer)).toEqual([[['customer'], 'FORBIDDEN']]);
      expect(await fetches()).toEqual(before);
    });

    it("gets FORBIDDEN from the subgraph for another customer's invoice by id, and only itself in the customer list", async () => {
      const invoice = await graphql(stack.gatewayUrl, 'query($id: ID!) { invoice(id: $id) { id amountDue { amount } } }', { id: ids.otherInvoice }, bound);
      expect(invoice.data).toEqual({ invoice: null });
      expect(invoice.errors?.map((e) => [e.path, e.extensions?.code, e.extensions?.serviceName])).toEqual([[['invoice'], 'FORBIDDEN', 'erp']]);
      expect(JSON.stringify(invoice)).not.toContain('amountDue');
      const list = await graphql<{ customers: { totalCount: number; nodes: Array<{ id: string }> } }>(
        stack.gatewayUrl,
        '{ customers(first: 20) { totalCount nodes { id } } }',
        {},
        bound,
      );
      expect(list.errors).toBeUndefined();
      expect(list.data!.customers).toEqual({ totalCount: 1, nodes: [{ id: ids.mine }] });
    });

    it("cannot pay another customer's invoice: refused before the mutation runs", async () => {
      await stack.resetStats();
      const answer = await graphql(
        stack.gatewayUrl,
        'mutation Pay($input: PayInvoiceInput!) { payInvoice(input: $input) { payment { id } } }',
        { input: { customerId: ids.other, invoiceId: ids.otherInvoice, amount: { amount: 100, currency: 'USD' }, idempotencyKey: 'auth-test-key-0002' } },
        bound,
      );
      expect(answer.data).toBeNull();
      expect(codes(answer)).toEqual([[['payInvoice'], 'FORBIDDEN']]);
      expect(totalCalls(await stack.stats())).toBe(0);
    });
  });

  describe('subgraphs answer only the gateway', () => {
    const post = async (url: string, headers: Record<string, string>) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query: '{ _service { sdl } }' }),
      });
      return { status: response.status, body: (await response.json()) as GraphQLResponse };
    };

    it.each(['crm', 'erp', 'payments'] as const)(
      '%s: 401 without the gateway token, 401 with one signed by another secret, 200 with the real one',
      async (name) => {
        const url = stack.subgraphUrls[name];
        const bare = await post(url, {});
        expect(bare.status).toBe(401);
        expect(bare.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
        // A client's own bearer token is no way in either.
        expect((await post(url, stack.authHeaders)).status).toBe(401);
        const forged = await post(url, { 'x-graph360-gateway': await auth.internalToken({ secret: 'a-forged-secret-of-the-right-length-000' }) });
        expect(forged.status).toBe(401);
        const real = await post(url, { 'x-graph360-gateway': await auth.internalToken() });
        expect(real.status).toBe(200);
        expect(real.body.errors).toBeUndefined();
      },
    );
  });

  describe('caches and plans are per access profile', () => {
    const QUERY = 'query Shared($id: ID!) { customer(id: $id) { name invoices(first: 2) { totalCount } } }';

    it('never serves one caller what another may see: same query, other scopes, other answer', async () => {
      const full = await ask<{ customer: { name: string; invoices: { totalCount: number } } }>(
        stack.gatewayUrl,
        QUERY,
        { id: ids.mine },
        { headers: stack.authHeaders },
      );
      expect(full.errors).toBeUndefined();
      const again = await ask(stack.gatewayUrl, QUERY, { id: ids.mine }, { headers: stack.authHeaders });
      expect(again.cacheStatus.response).toBe('HIT');
      expect(again.data).toEqual(full.data);

      const plansBefore = await metric(stack.gatewayUrl, 'gateway_cache_requests_total', { layer: 'plan', result: 'miss' });
      const limited = await ask<{ customer: { name: string; invoices: unknown } }>(
        stack.gatewayUrl,
        QUERY,
        { id: ids.mine },
        { headers: bearer(await auth.token({ sub: 'limited', scope: [] })) },
      );
      expect(limited.cacheStatus.response).not.toBe('HIT');
      expect(limited.data).toEqual({ customer: { name: full.data!.customer.name, invoices: null } });
      expect(codes(limited)).toEqual([[['customer', 'invoices'], 'FORBIDDEN']]);
      // Its filtered document was planned on its own, not served the full one's plan.
      expect(await metric(stack.gatewayUrl, 'gateway_cache_requests_total', { layer: 'plan', result: 'miss' })).toBe(plansBefore + 1);

      const anonymous = await ask(stack.gatewayUrl, QUERY, { id: ids.mine });
      expect(anonymous.cacheStatus.response).not.toBe('HIT');
      expect(anonymous.data).toEqual({ customer: null });
      expect(codes(anonymous)).toEqual([[['customer'], 'UNAUTHENTICATED']]);

      // And the full answer is still the full one.
      const last = await ask(stack.gatewayUrl, QUERY, { id: ids.mine }, { headers: stack.authHeaders });
      expect(last.data).toEqual(full.data);
      expect(last.errors).toBeUndefined();
    });

    it('keeps a customer-bound caller out of the shared customer list another caller cached', async () => {
      const LIST = '{ customers(first: 5) { nodes { id } } }';
      const everyone = await ask<{ customers: { nodes: Array<{ id: string }> } }>(stack.gatewayUrl, LIST, {}, { headers: stack.authHeaders });
      expect(everyone.data!.customers.nodes.length).toBe(5);
      const bound = await ask<{ customers: { nodes: Array<{ id: string }> } }>(
        stack.gatewayUrl,
        LIST,
        {},
        { headers: bearer(await auth.token({ sub: 'bound-2', customer_id: ids.other })) },
      );
      expect(bound.errors).toBeUndefined();
      expect(bound.data!.customers.nodes).toEqual([{ id: ids.other }]);
    });
  });

  describe('JWKS mode (AUTH_JWKS_URL)', () => {
    let jwks: Server;
    let gatewayUrl: string;
    let served = 0;

    beforeAll(async () => {
      const jwk = { ...(await exportJWK(createPublicKey(auth.publicKeyPem))), kid: 'test-key-1', alg: 'ES256', use: 'sig' };
      jwks = createServer((_req, res) => {
        served++;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ keys: [jwk] }));
      });
      await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
      gatewayUrl = (
        await stack.startGateway({ AUTH_PUBLIC_KEY: '', AUTH_JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json` })
      ).url;
    });
    afterAll(async () => {
      await new Promise((resolve) => jwks?.close(resolve));
    });

    it('verifies tokens against the keys the JWKS serves, and refuses one signed by a key it does not hold', async () => {
      const ok = await graphql(gatewayUrl, 'query($id: ID!) { customer(id: $id) { id } }', { id: ids.mine }, bearer(await auth.token({ kid: 'test-key-1' })));
      expect(ok.errors).toBeUndefined();
      expect(ok.data).toEqual({ customer: { id: ids.mine } });
      expect(served).toBeGreaterThanOrEqual(1);
      const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const refused = await graphql(gatewayUrl, '{ __typename }', {}, bearer(await auth.token({ kid: 'test-key-1', key: stranger.privateKey })));
      expect(refused.status).toBe(401);
      expect(codes(refused)).toEqual([[undefined, 'UNAUTHENTICATED']]);
      const unknownKid = await graphql(gatewayUrl, '{ __typename }', {}, bearer(await auth.token({ kid: 'rotated-away' })));
      expect(unknownKid.status).toBe(401);
      await good(gatewayUrl);
    });
  });
});
