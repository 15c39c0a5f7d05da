/**
 * The safelist without a stack: the manifest file is refused at start when missing or
 * invalid (naming the file), reloaded when it changes (an invalid rewrite keeps the
 * previous one), and the plugin's decisions: a manifest id becomes its body with the
 * persistedQuery extension removed, a manifest body passes (compared after normalisation,
 * as Apollo Router compares them), and everything else is
 * swapped for a constant document and refused at didResolveOperation with its code and
 * HTTP status.
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GraphQLRequest } from '@apollo/server';
import type { GraphQLError } from 'graphql';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGatewayLogger } from '../observability/logger.js';
import { PersistedQueryManifest, SafelistManifestError, safelistPlugin } from './index.js';
import { until } from '../../../test/support.js';

const BODY = 'query Names {\n  customers(first: 2) {\n    nodes {\n      name\n    }\n  }\n}';
const manifestOf = (...bodies: Array<[string, string]>) =>
  JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations: bodies.map(([id, body]) => ({ id, name: 'Op', type: 'query', body })) });

describe('PersistedQueryManifest', () => {
  let dir: string;
  let path: string;
  let lines: Array<Record<string, unknown>>;
  const logger = () =>
    createGatewayLogger({ level: 'debug', destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'safelist-'));
    path = join(dir, 'persisted-operations.json');
    lines = [];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a missing or invalid file at start, naming it', () => {
    expect(() => new PersistedQueryManifest({ path, logger: logger(), watch: false })).toThrow(
      new SafelistManifestError(`persisted-operation manifest ${path} does not exist; run \`npm run codegen\``),
    );
    writeFileSync(path, '{"format":"something-else","version":1,"operations":[]}');
    expect(() => new PersistedQueryManifest({ path, logger: logger(), watch: false })).toThrow(/is not an apollo-persisted-query-manifest of version 1/);
    writeFileSync(path, manifestOf(['a', '']));
    expect(() => new PersistedQueryManifest({ path, logger: logger(), watch: false })).toThrow('has an operation without a string id and body (operations[0])');
  });

  it('enforces a rewritten file and keeps the previous one when the rewrite is invalid', async () => {
    writeFileSync(path, manifestOf(['one', BODY]));
    const manifest = new PersistedQueryManifest({ path, logger: logger(), debounceMs: 20 });
    try {
      expect(manifest.byId('one')?.body).toBe(BODY);
      expect(manifest.hasBody(BODY)).toBe(true);
      // Its names are the only operation labels /metrics keeps with the safelist on (metrics.ts).
      expect([manifest.hasOperationName('Op'), manifest.hasOperationName('Other')]).toEqual([true, false]);
      writeFileSync(join(dir, 'next'), manifestOf(['two', BODY.replace('first: 2', 'first: 3')]));
      renameSync(join(dir, 'next'), path);
      await until('the reload', () => manifest.byId('two') !== undefined);
      expect(manifest.byId('one')).toBeUndefined();
      expect(manifest.hasBody(BODY)).toBe(false);
      writeFileSync(path, '{ not json');
      await until('the refusal', () => lines.some((l) => l.msg === 'safelist manifest changed but is invalid; still enforcing the previous one'));
      expect(manifest.byId('two')).toBeDefined();
    } finally {
      await manifest.close();
    }
  });
});

describe('matching a document sent instead of an id', () => {
  const FRAGMENTS = 'fragment A on Customer { id }\nquery Some { customers(first: 2) { nodes { ...A ...B } } }\nfragment B on Customer { name }';
  const manifest = (() => {
    const dir = mkdtempSync(join(tmpdir(), 'safelist-'));
    const path = join(dir, 'persisted-operations.json');
    writeFileSync(path, manifestOf(['one', BODY], ['two', FRAGMENTS], ['bad', '}}}']));
    const loaded = new PersistedQueryManifest({ path, logger: createGatewayLogger({ level: 'silent' }), watch: false });
    rmSync(dir, { recursive: true, force: true });
    return loaded;
  })();

  it('ignores whitespace, commas, comments and the order of definitions, as Apollo Router does', () => {
    expect(manifest.hasBody(BODY)).toBe(true);
    expect(manifest.hasBody('query Names { customers(first: 2) { nodes { name } } }')).toBe(true);
    expect(manifest.hasBody('# a comment\nquery Names {customers(first:2,){nodes{name,}}}')).toBe(true);
    expect(manifest.hasBody('fragment B on Customer { name } fragment A on Customer { id } query Some { customers(first: 2) { nodes { ...A ...B } } }')).toBe(
      true,
    );
  });

  it('refuses any change to what is selected, and matches a document that does not parse only as written', () => {
    expect(manifest.hasBody('query Names { customers(first: 3) { nodes { name } } }')).toBe(false);
    expect(manifest.hasBody('query Names { customers(first: 2) { nodes { name id } } }')).toBe(false);
    expect(manifest.hasBody('query Other { customers(first: 2) { nodes { name } } }')).toBe(false);
    // Fields in another order are another document (the response's key order differs).
    expect(manifest.hasBody('fragment A on Customer { id } query Some { customers(first: 2) { nodes { ...B ...A } } } fragment B on Customer { name }')).toBe(
      false,
    );
    expect(manifest.hasBody('}}}')).toBe(true);
    expect(manifest.hasBody('}}} ')).toBe(false);
  });
});

describe('safelistPlugin', () => {
  const manifest = {
    byId: (id: string) => (id === 'known' ? { id, name: 'Names', type: 'query', body: BODY } : undefined),
    hasBody: (body: string) => body === BODY,
  };
  const refusals: Array<Record<string, unknown>> = [];
  const plugin = safelistPlugin({
    manifest,
    loggerFor: () =>
      createGatewayLogger({ level: 'warn', destination: { write: (line: string) => void refusals.push(JSON.parse(line) as Record<string, unknown>) } }),
  });

  /** Runs requestDidStart and, when it returns hooks, didResolveOperation; the request as Apollo then sees it and the error thrown. */
  async function run(request: GraphQLRequest): Promise<{ request: GraphQLRequest; error?: GraphQLError }> {
    const hooks = await plugin.requestDidStart!({ request, contextValue: {} } as never);
    try {
      await hooks?.didResolveOperation?.({ contextValue: {} } as never);
      return { request };
    } catch (error) {
      return { request, error: error as GraphQLError };
    }
  }
  const statusOf = (error: GraphQLError | undefined) => (error?.extensions.http as { status: number } | undefined)?.status;

  it('runs a manifest id as its body, without the APQ extension, and an exact body as it is', async () => {
    const byId = await run({ operationName: 'Names', extensions: { persistedQuery: { version: 1, sha256Hash: 'known' }, other: 1 } });
    expect(byId).toEqual({ request: { operationName: 'Names', query: BODY, extensions: { other: 1 } } });
    expect(await run({ query: BODY })).toEqual({ request: { query: BODY } });
  });

  it('refuses unknown ids, registrations, mismatches and other documents without letting Apollo see them', async () => {
    const cases: Array<[GraphQLRequest, string, number]> = [
      [{ extensions: { persistedQuery: { version: 1, sha256Hash: 'unknown' } } }, 'PERSISTED_QUERY_NOT_IN_LIST', 404],
      [{ query: '{ a }', extensions: { persistedQuery: { version: 1, sha256Hash: 'unknown' } } }, 'PERSISTED_QUERY_NOT_IN_LIST', 404],
      [{ query: '{ a }', extensions: { persistedQuery: { version: 1, sha256Hash: 'known' } } }, 'PERSISTED_QUERY_HASH_MISMATCH', 400],
      [{ query: `${BODY}\n`, operationName: 'Names' }, 'QUERY_NOT_IN_SAFELIST', 403],
    ];
    for (const [request, code, status] of cases) {
      const { request: seen, error } = await run(structuredClone(request));
      expect(error?.extensions.code).toBe(code);
      expect(statusOf(error)).toBe(status);
      expect(seen.query).toBe('{ __typename }');
      expect(seen.operationName).toBeUndefined();
      expect(seen.extensions?.persistedQuery).toBeUndefined();
    }
    expect(refusals.map((l) => l.code)).toEqual(cases.map(([, code]) => code));
  });
});
