/**
 * The persisted-operation manifest that web and mobile clients share and that the
 * gateway's safelist reads: schema/persisted-operations.json, in Apollo's format
 * ({ format: "apollo-persisted-query-manifest", version: 1, operations: [{ id, name,
 * type, body }] }).
 *
 * The body of each operation is what Apollo Client sends for it, not the text of the
 * .graphql file: each client-preset document goes through a real ApolloClient (its
 * InMemoryCache adds __typename to every selection set, client-only directives are
 * removed) to a link that records the operation, and is printed with Apollo's print.
 * The id is the SHA-256 of that body, which is what PersistedQueryLink sends as
 * extensions.persistedQuery.sha256Hash (test/clientCodegen.test.ts checks both with the
 * web client's own link).
 *
 *   npm run codegen                                  (runs this after graphql-codegen)
 *   tsx clients/codegen/persistedManifest.ts --check  exit 1 when the file is stale
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ApolloClient, ApolloLink, InMemoryCache } from '@apollo/client';
import { Defer20220824Handler } from '@apollo/client/incremental';
import { print } from '@apollo/client/utilities';
import { Kind, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import { of } from 'rxjs';
import * as generated from '../__generated__/graphql.js';

export const MANIFEST_FILE = fileURLToPath(new URL('../../schema/persisted-operations.json', import.meta.url));

export interface PersistedOperation {
  /** SHA-256 (hex) of body. */
  id: string;
  name: string;
  type: 'query' | 'mutation' | 'subscription';
  body: string;
}

export interface PersistedQueryManifest {
  format: 'apollo-persisted-query-manifest';
  version: 1;
  operations: PersistedOperation[];
}

export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The operation documents client-preset generated (every export ending in Document). */
export function operationDocuments(): DocumentNode[] {
  return Object.entries(generated)
    .filter(([name]) => name.endsWith('Document'))
    .map(([, document]) => document as DocumentNode);
}

const operationOf = (document: DocumentNode): OperationDefinitionNode => {
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (!operation?.name) throw new Error('every persisted operation needs a name');
  return operation;
};

/**
 * Sends one operation through `client` the way the apps do: client.query, client.mutate,
 * or client.subscribe (until its first result or its end). What the link answers, and
 * what the client makes of it, does not matter: only what reached the link does.
 */
export async function sendOnce(client: ApolloClient, document: DocumentNode): Promise<void> {
  const operation = operationOf(document);
  if (operation.operation === 'mutation') await client.mutate({ mutation: document, variables: {}, fetchPolicy: 'no-cache' }).catch(() => undefined);
  else if (operation.operation === 'subscription') {
    await new Promise<void>((resolve) => {
      const subscription = client.subscribe({ query: document, variables: {}, fetchPolicy: 'no-cache' }).subscribe({
        next: () => {
          subscription.unsubscribe();
          resolve();
        },
        error: () => resolve(),
        complete: () => resolve(),
      });
    });
  } else await client.query({ query: document, variables: {}, fetchPolicy: 'no-cache' }).catch(() => undefined);
}

/** Each document as Apollo Client sends it, through a client whose link records instead of fetching. */
export async function buildManifest(documents: DocumentNode[] = operationDocuments()): Promise<PersistedQueryManifest> {
  const sent = new Map<string, string>();
  const client = new ApolloClient({
    cache: new InMemoryCache(),
    // As the apps' clients: operations with @defer go through (without a handler Apollo Client refuses them).
    incrementalHandler: new Defer20220824Handler(),
    link: new ApolloLink((operation) => {
      sent.set(operation.operationName ?? '', print(operation.query));
      return of({ data: null });
    }),
  });
  for (const document of documents) await sendOnce(client, document);
  client.stop();
  const operations = documents
    .map((document): PersistedOperation => {
      const { name, operation } = operationOf(document);
      const body = sent.get(name!.value);
      if (body === undefined) throw new Error(`operation ${name!.value} never reached the link`);
      return { id: sha256Hex(body), name: name!.value, type: operation, body };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
  return { format: 'apollo-persisted-query-manifest', version: 1, operations };
}

export const serializeManifest = (manifest: PersistedQueryManifest): string => `${JSON.stringify(manifest, null, 2)}\n`;

async function main(): Promise<void> {
  const text = serializeManifest(await buildManifest());
  if (process.argv.includes('--check')) {
    const current = existsSync(MANIFEST_FILE) ? readFileSync(MANIFEST_FILE, 'utf8') : '';
    if (current !== text) {
      console.error(`${MANIFEST_FILE} is stale: run \`npm run codegen\` and commit the result`);
      process.exit(1);
    }
    console.log('persisted-operation manifest is up to date');
    return;
  }
  writeFileSync(MANIFEST_FILE, text);
  console.log(`wrote ${MANIFEST_FILE}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
