/**
 * Schema checks against real operations: every operation of the clients' persisted-operation
 * manifest (schema/persisted-operations.json, what the shipped web and mobile clients send)
 * validated with graphql-js against the API schema of a supergraph, built the way the gateway
 * builds the schema it validates requests with: the authorization directives split off
 * (gateway/src/auth/policy.ts), @apollo/federation-internals' API schema of the rest, with
 * the @defer directive (gateway/src/execution/SupergraphRevision.ts).
 *
 * Only the manifest's operations count: a field that no shipped operation uses may change
 * or go freely, one that a shipped operation uses may not. `npm run compose` (and `--check`)
 * fails naming each broken operation and what broke in it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { Supergraph } from '@apollo/federation-internals';
import { GraphQLError, parse, validate, type GraphQLSchema } from 'graphql';
import { splitSupergraph } from '../gateway/src/auth/policy.js';
import { withDeferDirective } from '../gateway/src/execution/SupergraphRevision.js';

/** The part of a manifest operation (Apollo's persisted-query manifest format) the check reads. */
export interface ManifestOperation {
  name: string;
  body: string;
}

export interface BrokenOperation {
  /** The operation's name in the manifest. */
  operation: string;
  /** What no longer validates, as graphql-js words it (naming the field, argument or type). */
  problems: string[];
}

/** The API schema the gateway validates requests against, for supergraph SDL. */
export function gatewayApiSchema(supergraphSdl: string): GraphQLSchema {
  const { executableSdl } = splitSupergraph(supergraphSdl);
  return withDeferDirective(Supergraph.build(executableSdl, { validateSupergraph: true }).apiSchema());
}

/** The operations of `operations` that do not validate against `schema`, each with its problems. */
export function brokenOperations(operations: readonly ManifestOperation[], schema: GraphQLSchema): BrokenOperation[] {
  const broken: BrokenOperation[] = [];
  for (const { name, body } of operations) {
    let errors: readonly GraphQLError[];
    try {
      errors = validate(schema, parse(body));
    } catch (error) {
      errors = [error instanceof GraphQLError ? error : new GraphQLError((error as Error).message)];
    }
    if (errors.length > 0) broken.push({ operation: name, problems: errors.map((e) => e.message) });
  }
  return broken;
}

/** The operations of a persisted-operation manifest file; none when there is no file. */
export function readManifestOperations(path: string): ManifestOperation[] {
  if (!existsSync(path)) return [];
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as { operations?: ManifestOperation[] };
  return manifest.operations ?? [];
}

/** One line per broken operation and problem, for the terminal. */
export function describeBrokenOperations(broken: readonly BrokenOperation[]): string[] {
  return broken.flatMap(({ operation, problems }) => problems.map((problem) => `- ${operation}: ${problem}`));
}
