/**
 * Safelist mode (SAFELIST=on) over the whole stack: a gateway that runs only the
 * operations of the persisted-operation manifest. A manifest operation runs by id (POST
 * and GET) and by its document (also reformatted), with the same answer; anything else is refused
 * before it reaches a subgraph, with Apollo Router's codes and statuses: an unknown id
 * 404 PERSISTED_QUERY_NOT_IN_LIST, another document 403 QUERY_NOT_IN_SAFELIST, and an
 * APQ registration registers nothing. A manifest rewritten on disk is enforced without a
 * restart. The same refused document runs on a gateway with the safelist off, so the
 * refusals are the safelist's doing.
 */
import { copyFileSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANIFEST_FILE, sha256Hex, type PersistedQueryManifest } from '../clients/codegen/persistedManifest.js';
import { totalCalls } from './helpers/gatewayCalls.js';
import { until } from './support.js';
import { startStack, type GraphQLResponse, type Stack } from './helpers/startStack.js';

interface Answer extends GraphQLResponse<{ customers: { totalCount: number; nodes: Array<{ id: string; name: string }> } }> {
  status: number;
  headers: Headers;
}

describe('gateway safelist mode', () => {
  let stack: Stack;
  let dir: string;
  let manifestPath: string;
  let manifest: PersistedQueryManifest;
  let headers: Record<string, string>;
  let customerList: { id: string; body: string };

  const post = async (url: string, body: Record<string, unknown>): Promise<Answer> => {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    return { status: response.status, headers: response.headers, ...((await response.json()) as GraphQLResponse<Answer['data'] & object>) };
  };
  const byId = (id: string, variables: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
    post(stack.gatewayUrl, { variables, extensions: { persistedQuery: { version: 1, sha256Hash: id } }, ...extra });
  const codeOf = (answer: Answer) => answer.errors?.map((e) => e.extensions?.code);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'graph360-safelist-'));
    manifestPath = join(dir, 'persisted-operations.json');
    copyFileSync(MANIFEST_FILE, manifestPath);
    manifest = JSON.parse(readFileSync(MANIFEST_FILE, 'utf8')) as PersistedQueryManifest;
    customerList = manifest.operations.find((o) => o.name === 'CustomerList')!;
    stack = await startStack({ scale: 0.1, gatewayEnv: { SAFELIST: 'on', SAFELIST_MANIFEST: manifestPath } });
    headers = { authorization: `Bearer ${stack.token}` };
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs a manifest operation by id (POST and GET) and by its exact document, with the same answer', async () => {
    const viaId = await byId(customerList.id, { first: 3 }, { operationName: 'CustomerList' });
    expect(viaId.status).toBe(200);
    expect(viaId.errors).toBeUndefined();
    expect(viaId.data!.customers.nodes).toHaveLength(3);
    expect(viaId.data!.customers.totalCount).toBe(100);

    const viaDocument = await post(stack.gatewayUrl, { query: customerList.body, variables: { first: 3 } });
    expect(viaDocument.status).toBe(200);
    expect(viaDocument.data).toEqual(viaId.data);

    const search = new URLSearchParams({
      operationName: 'CustomerList',
      variables: JSON.stringify({ first: 3 }),
      extensions: JSON.stringify({ persistedQuery: { version: 1, sha256Hash: customerList.id } }),
    });
    const viaGet = await fetch(`${stack.gatewayUrl}?${search}`, { headers: { ...headers, 'apollo-require-preflight': 'true' } });
    expect(viaGet.status).toBe(200);
    expect(((await viaGet.json()) as Answer).data).toEqual(viaId.data);
  });

  it('runs the manifest document reformatted (whitespace, comments), as Apollo Router does', async () => {
    const reformatted = await post(stack.gatewayUrl, {
      query: `# reformatted by another client\n${customerList.body.replace(/\n\s*/g, ' ')}`,
      variables: { first: 3 },
    });
    expect(reformatted.status).toBe(200);
    expect(reformatted.errors).toBeUndefined();
    expect(reformatted.data!.customers.nodes).toHaveLength(3);
  });

  it('refuses any other document with 403 QUERY_NOT_IN_SAFELIST, before any backend call', async () => {
    await stack.resetStats();
    const other = await post(stack.gatewayUrl, { query: '{ customers(first: 1) { nodes { id name } } }' });
    expect(other.status).toBe(403);
    expect(codeOf(other)).toEqual(['QUERY_NOT_IN_SAFELIST']);
    expect(other.data).toBeUndefined();
    expect(other.headers.get('cache-control')).toBe('private, no-store');
    // The manifest's document with one more field selected is another document.
    const widened = await post(stack.gatewayUrl, { query: customerList.body.replace(/\bname\b/, 'name phone'), variables: { first: 3 } });
    expect(widened.status).toBe(403);
    expect(codeOf(widened)).toEqual(['QUERY_NOT_IN_SAFELIST']);
    expect(totalCalls(await stack.stats())).toBe(0);
  });

  it('refuses an unknown id with 404 PERSISTED_QUERY_NOT_IN_LIST and registers no APQ document', async () => {
    const query = '{ customers(first: 2) { nodes { id } } }';
    const hash = sha256Hex(query);
    const unknown = await byId(hash);
    expect(unknown.status).toBe(404);
    expect(codeOf(unknown)).toEqual(['PERSISTED_QUERY_NOT_IN_LIST']);
    expect(unknown.errors![0]!.message).toContain(hash);

    // An APQ registration (hash with its document) is refused, and the hash stays unknown.
    const registration = await byId(hash, {}, { query });
    expect(registration.status).toBe(404);
    expect(codeOf(registration)).toEqual(['PERSISTED_QUERY_NOT_IN_LIST']);
    const again = await byId(hash);
    expect(again.status).toBe(404);
    expect(codeOf(again)).toEqual(['PERSISTED_QUERY_NOT_IN_LIST']);

    // A manifest id sent with a document that is not its body.
    const mismatch = await byId(customerList.id, {}, { query });
    expect(mismatch.status).toBe(400);
    expect(codeOf(mismatch)).toEqual(['PERSISTED_QUERY_HASH_MISMATCH']);
  });

  it('enforces a rewritten manifest without a restart', async () => {
    const extra = {
      id: '',
      name: 'CustomerCount',
      type: 'query',
      body: 'query CustomerCount {\n  customers(first: 1) {\n    totalCount\n    __typename\n  }\n}',
    };
    extra.id = sha256Hex(extra.body);
    expect((await byId(extra.id)).status).toBe(404);
    // Written elsewhere and renamed into place, as codegen tools and editors do.
    const next = join(dir, 'next.json');
    writeFileSync(next, JSON.stringify({ ...manifest, operations: [...manifest.operations, extra] }));
    renameSync(next, manifestPath);
    const answer = await until('the new manifest operation to run', async () => {
      const a = await byId(extra.id);
      return a.status === 200 ? a : undefined;
    });
    expect(answer.data).toEqual({ customers: { totalCount: 100, __typename: 'CustomerConnection' } });
  });

  it('runs the refused document and registers APQ on a gateway with the safelist off', async () => {
    const open = await stack.startGateway({ SAFELIST: 'off' });
    const query = '{ customers(first: 1) { nodes { id name } } }';
    const answer = await post(open.url, { query });
    expect(answer.status).toBe(200);
    expect(answer.data!.customers.nodes).toHaveLength(1);
    const hash = sha256Hex(query);
    const registration = await post(open.url, { query, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });
    expect(registration.status).toBe(200);
    const hashOnly = await post(open.url, { extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });
    expect(hashOnly.status).toBe(200);
    expect(hashOnly.data).toEqual(answer.data);
  });
});
