/**
 * Reading and validating a supergraph (from its file, or SDL fetched from a URL:
 * UrlSupergraphManager.ts). A file that is missing, unreadable or not a
 * valid supergraph is refused with a SupergraphError whose message names the file and
 * the problem; the gateway's entry point prints it and exits instead of starting.
 */
import { readFileSync } from 'node:fs';
import { Supergraph } from '@apollo/federation-internals';
import { splitSupergraph, type AuthPolicy } from '../auth/policy.js';
import { internOneByteNames, type NameTable } from './oneByteNames.js';

export class SupergraphError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SupergraphError';
  }
}

export interface SubgraphEndpoint {
  name: string;
  url: string;
}

/** A supergraph as the gateway serves it: the SDL ApolloGateway gets, its authorization policy and its subgraphs. */
export interface ParsedSupergraph {
  /** The supergraph without @authenticated/@requiresScopes (see auth/policy.ts), for ApolloGateway. */
  executableSdl: string;
  policy: AuthPolicy;
  subgraphs: SubgraphEndpoint[];
  /** The supergraph's names as one-byte strings (oneByteNames.ts), held while it is served. */
  names: NameTable;
}

/**
 * Validates supergraph SDL the way ApolloGateway will use it (join metadata and the API
 * schema), so a file that passes here cannot fail half-way through a swap. The
 * authorization directives are read out first (a malformed one fails the file too).
 * `origin` names where the SDL came from in the error (`supergraph file <path>`, or
 * `supergraph at <url>`).
 */
export function parseSupergraph(sdl: string, origin: string): ParsedSupergraph {
  try {
    const { executableSdl, policy } = splitSupergraph(sdl);
    // Before federation-internals builds anything from it (oneByteNames.ts).
    const names = internOneByteNames(executableSdl);
    const supergraph = Supergraph.build(executableSdl, { validateSupergraph: true });
    supergraph.apiSchema().toGraphQLJSSchema();
    return { executableSdl, policy, subgraphs: supergraph.subgraphsMetadata().map(({ name, url }) => ({ name, url })), names };
  } catch (error) {
    throw new SupergraphError(`${origin} is not a valid supergraph: ${(error as Error).message}`);
  }
}

/** Reads and validates the supergraph file, naming the file and the problem when it is unusable. */
export function readSupergraph(path: string): { sdl: string } & ParsedSupergraph {
  let sdl: string;
  try {
    sdl = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const problem = code === 'ENOENT' ? 'does not exist; run `npm run compose`' : `cannot be read (${code ?? (error as Error).message})`;
    throw new SupergraphError(`supergraph file ${path} ${problem}`);
  }
  return { sdl, ...parseSupergraph(sdl, `supergraph file ${path}`) };
}

/** The SDL ApolloGateway can run of a valid supergraph file (without the authorization directives it does not know). */
export function loadSupergraph(path: string): string {
  return readSupergraph(path).executableSdl;
}
