/**
 * Reading and validating a supergraph file. A file that is missing, unreadable or not a
 * valid supergraph is refused with a SupergraphError whose message names the file and
 * the problem; the gateway's entry point prints it and exits instead of starting.
 */
import { readFileSync } from 'node:fs';
import { Supergraph } from '@apollo/federation-internals';

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

/**
 * Validates supergraph SDL the way ApolloGateway will use it (join metadata and the API
 * schema), so a file that passes here cannot fail half-way through a swap.
 */
export function parseSupergraph(sdl: string, path: string): SubgraphEndpoint[] {
  try {
    const supergraph = Supergraph.build(sdl, { validateSupergraph: true });
    supergraph.apiSchema().toGraphQLJSSchema();
    return supergraph.subgraphsMetadata().map(({ name, url }) => ({ name, url }));
  } catch (error) {
    throw new SupergraphError(`supergraph file ${path} is not a valid supergraph: ${(error as Error).message}`);
  }
}

/** Reads and validates the supergraph file, naming the file and the problem when it is unusable. */
export function readSupergraph(path: string): { sdl: string; subgraphs: SubgraphEndpoint[] } {
  let sdl: string;
  try {
    sdl = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const problem = code === 'ENOENT' ? 'does not exist; run `npm run compose`' : `cannot be read (${code ?? (error as Error).message})`;
    throw new SupergraphError(`supergraph file ${path} ${problem}`);
  }
  return { sdl, subgraphs: parseSupergraph(sdl, path) };
}

/** The SDL of a valid supergraph file (readSupergraph without the subgraph list). */
export function loadSupergraph(path: string): string {
  return readSupergraph(path).sdl;
}
