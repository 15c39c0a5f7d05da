/**
 * One subgraph of the Guild's federation workload as an HTTP service:
 *   tsx src/workload1/serve.ts <accounts|inventory|products|reviews> [port]
 * @apollo/server's standalone server on 127.0.0.1, default options. Prints
 * "listening on <url>" once it accepts requests.
 */
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { SUBGRAPH_NAMES, SUBGRAPHS, type SubgraphName } from './subgraphs.js';

const name = process.argv[2] as SubgraphName;
if (!SUBGRAPH_NAMES.includes(name)) {
  console.error(`usage: serve.ts <${SUBGRAPH_NAMES.join('|')}> [port]`);
  process.exit(2);
}
const { typeDefs, resolvers } = SUBGRAPHS[name];
const server = new ApolloServer({ schema: buildSubgraphSchema([{ typeDefs, resolvers: resolvers as GraphQLResolverMap<unknown> }]) });
const { url } = await startStandaloneServer(server, { listen: { port: Number(process.argv[3] ?? 0), host: '127.0.0.1' } });
console.log(`[${name}] listening on ${url.replace(/\/$/, '')}/graphql`);
const stop = (): void => void server.stop().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
