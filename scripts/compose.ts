/**
 * `npm run compose`: composes the three subgraph schemas with @apollo/composition into
 * schema/supergraph.graphql, and reports breaking changes against the supergraph that
 * was there before (graphql's findBreakingChanges on the two API schemas). Then every
 * operation of the clients' persisted-operation manifest is validated against the new API
 * schema (operationCheck.ts): a change that breaks a shipped client's operation fails,
 * naming each such operation and what broke in it, and nothing is written.
 *
 *   npm run compose               write schema/supergraph.graphql
 *   npm run compose -- --check    exit 1 if the committed file is not what composition gives,
 *                                 or if a manifest operation does not validate against it
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { composeServices } from '@apollo/composition';
import { ROUTER_SUPPORTED_SUPERGRAPH_FEATURES, Supergraph } from '@apollo/federation-internals';
import { findBreakingChanges, parse, type BreakingChange } from 'graphql';
import { brokenOperations, describeBrokenOperations, gatewayApiSchema, readManifestOperations } from './operationCheck.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const SUPERGRAPH_FILE = `${ROOT}schema/supergraph.graphql`;
/** The clients' persisted-operation manifest (clients/codegen/persistedManifest.ts writes it). */
export const MANIFEST_FILE = `${ROOT}schema/persisted-operations.json`;

/** Subgraph names and the URLs written into the supergraph (the gateway may override them). */
export const SUBGRAPHS = [
  { name: 'crm', url: 'http://127.0.0.1:4001/graphql' },
  { name: 'erp', url: 'http://127.0.0.1:4002/graphql' },
  { name: 'payments', url: 'http://127.0.0.1:4003/graphql' },
] as const;

export class CompositionError extends Error {}

export function composeSupergraph(): string {
  const services = SUBGRAPHS.map(({ name, url }) => ({
    name,
    url,
    typeDefs: parse(readFileSync(`${ROOT}subgraphs/${name}/schema.graphql`, 'utf8')),
  }));
  const result = composeServices(services);
  if (result.errors) {
    throw new CompositionError(`Composition failed:\n${result.errors.map((e) => `- ${e.message}`).join('\n')}`);
  }
  return `${result.supergraphSdl.trimEnd()}\n`;
}

/** The changes from `before` to `after` (both supergraph SDL) that can break a client. */
export function breakingChanges(before: string, after: string): BreakingChange[] {
  // The supergraph links @authenticated and @requiresScopes `for: SECURITY`, which only
  // the Router's feature set knows; the gateway enforces them itself (gateway/src/auth/).
  const api = (sdl: string) => Supergraph.build(sdl, { supportedFeatures: ROUTER_SUPPORTED_SUPERGRAPH_FEATURES }).apiSchema().toGraphQLJSSchema();
  return findBreakingChanges(api(before), api(after));
}

function main(): void {
  const check = process.argv.includes('--check');
  let composed: string;
  try {
    composed = composeSupergraph();
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
  const previous = existsSync(SUPERGRAPH_FILE) ? readFileSync(SUPERGRAPH_FILE, 'utf8') : undefined;
  if (previous !== undefined && previous !== composed) {
    const changes = breakingChanges(previous, composed);
    if (changes.length > 0) {
      console.warn(`Breaking changes against the previous supergraph (${changes.length}):`);
      for (const change of changes) console.warn(`- ${change.type}: ${change.description}`);
    } else {
      console.log('No breaking changes against the previous supergraph.');
    }
  }
  // Only the operations shipped clients send count: what else changed does not fail here.
  const operations = readManifestOperations(MANIFEST_FILE);
  const broken = brokenOperations(operations, gatewayApiSchema(composed));
  if (broken.length > 0) {
    console.error(
      `The new supergraph breaks ${broken.length} of the ${operations.length} operations of the persisted-operation manifest (shipped clients send them):`,
    );
    for (const line of describeBrokenOperations(broken)) console.error(line);
    console.error(
      `${SUPERGRAPH_FILE} not ${check ? 'accepted' : 'written'}: keep what these operations use, or change the clients' operations first (npm run codegen).`,
    );
    process.exit(1);
  }
  console.log(`The ${operations.length} operations of the persisted-operation manifest validate against the new supergraph.`);
  if (check) {
    if (previous !== composed) {
      console.error('schema/supergraph.graphql is stale: run `npm run compose` and commit it.');
      process.exit(1);
    }
    console.log('schema/supergraph.graphql is up to date.');
    return;
  }
  writeFileSync(SUPERGRAPH_FILE, composed);
  console.log(`Wrote ${SUPERGRAPH_FILE}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
