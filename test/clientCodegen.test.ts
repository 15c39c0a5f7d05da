/**
 * The clients' generated code, without a stack:
 * - type safety: components using the generated hooks compile with clients/tsconfig.json,
 *   and each mistake in the fixture (a misspelt field, a missing required variable, an
 *   impossible enum value, a payment without its idempotency key) fails with its code;
 * - the persisted-operation manifest is what the code generates, and its ids are what
 *   the web client's own link sends: every operation goes out by id, hash only, and that
 *   id is the manifest's, whose body hashes to it; a subscription too, asking for Apollo's
 *   multipart subscription protocol.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { Kind, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import {
  buildManifest,
  MANIFEST_FILE,
  operationDocuments,
  sendOnce,
  serializeManifest,
  sha256Hex,
  type PersistedQueryManifest,
} from '../clients/codegen/persistedManifest.js';
import { createWebClient } from '../clients/web/src/apollo.js';

const CLIENTS = join(import.meta.dirname, '..', 'clients');
const FIXTURES = join(CLIENTS, '__fixtures__', 'typeSafety');

/** Compiles one file with the clients' compiler options; its diagnostics as line + code + text. */
function compile(file: string): Array<{ line: number; code: number; text: string }> {
  const { config } = ts.readConfigFile(join(CLIENTS, 'tsconfig.json'), (path) => ts.sys.readFile(path));
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, CLIENTS);
  const program = ts.createProgram([file], { ...options, noEmit: true });
  return ts.getPreEmitDiagnostics(program).map((d) => ({
    line: d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0,
    code: d.code,
    text: `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
  }));
}

describe('generated client types', () => {
  it('compile components that use the hooks as intended', () => {
    expect(compile(join(FIXTURES, 'ValidComponents.tsx'))).toEqual([]);
  }, 60_000);

  it('refuse a wrong field, missing variables, impossible enum values and a payment without idempotency key', () => {
    const file = join(FIXTURES, 'WrongUses.tsx');
    const expected = readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((text, i) => [...text.matchAll(/\/\/ error TS(\d+)/g)].map((m) => ({ line: i + 1, code: Number(m[1]) })));
    expect(expected).toHaveLength(5);
    const diagnostics = compile(file);
    expect(diagnostics.map(({ line, code }) => ({ line, code }))).toEqual(expected);
    expect(diagnostics[0]!.text).toContain("Property 'nmae' does not exist");
    expect(diagnostics[1]!.text).toContain("Property 'id' is missing");
    expect(diagnostics[3]!.text).toContain("Property 'idempotencyKey' is missing");
    expect(diagnostics[4]!.text).toContain('\'"PAYMENT_SUCCEDED"\' have no overlap');
  }, 60_000);
});

describe('the persisted-operation manifest', () => {
  const committed = JSON.parse(readFileSync(MANIFEST_FILE, 'utf8')) as PersistedQueryManifest;

  it('is what the generated documents give, one entry per operation, each id the SHA-256 of its body', async () => {
    expect(readFileSync(MANIFEST_FILE, 'utf8')).toBe(serializeManifest(await buildManifest()));
    expect(committed.format).toBe('apollo-persisted-query-manifest');
    expect(committed.version).toBe(1);
    const names = operationDocuments().map((d) => (d.definitions.find((x) => x.kind === Kind.OPERATION_DEFINITION) as OperationDefinitionNode).name!.value);
    expect(committed.operations.map((o) => o.name)).toEqual([...names].sort());
    expect(committed.operations.map((o) => o.name)).toEqual(
      expect.arrayContaining(['CustomerList', 'CustomerOverview', 'PayInvoice', 'RefundPayment', 'ProductSearch', 'UpdateCustomer', 'InvoicePaymentEvents']),
    );
    for (const operation of committed.operations) expect(operation.id).toBe(sha256Hex(operation.body));
    // The bodies are what Apollo Client sends: __typename added to every selection set.
    expect(committed.operations.find((o) => o.name === 'CustomerList')!.body).toContain('__typename');
  });

  it("holds the id the web client's persisted-queries link sends for every operation, sent without the document", async () => {
    const sent: Array<{ operationName: string; query?: string; hash?: string; accept: string }> = [];
    const recordingFetch = async (_url: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const body = JSON.parse(String(init?.body)) as { operationName: string; query?: string; extensions?: { persistedQuery?: { sha256Hash: string } } };
      sent.push({
        operationName: body.operationName,
        query: body.query,
        hash: body.extensions?.persistedQuery?.sha256Hash,
        accept: new Headers(init?.headers).get('accept') ?? '',
      });
      return new Response(JSON.stringify({ data: null }), { status: 200, headers: { 'content-type': 'application/json' } });
    };
    // The web client as the app builds it (its link, and the @defer handler its overview query needs).
    const client = createWebClient({ uri: 'http://gateway.test/graphql', fetch: recordingFetch as typeof fetch });
    const documents: DocumentNode[] = operationDocuments();
    for (const document of documents) await sendOnce(client, document);
    client.stop();
    const byName = new Map(committed.operations.map((o) => [o.name, o.id]));
    expect(sent).toHaveLength(documents.length);
    for (const request of sent) {
      expect(request.query, request.operationName).toBeUndefined();
      expect(request.hash, request.operationName).toBe(byName.get(request.operationName));
    }
    // Subscriptions too go out by id, over HTTP: HttpLink asks for Apollo's multipart subscription protocol.
    const subscriptions = committed.operations.filter((o) => o.type === 'subscription').map((o) => o.name);
    expect(subscriptions).toContain('InvoicePaymentEvents');
    for (const name of subscriptions)
      expect(sent.find((r) => r.operationName === name)!.accept).toMatch(/^multipart\/mixed;boundary=graphql;subscriptionSpec=1\.0,/);
    expect(sent.find((r) => r.operationName === 'CustomerList')!.accept).not.toContain('subscriptionSpec');
  });
});
