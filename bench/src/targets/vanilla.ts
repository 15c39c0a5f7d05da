/**
 * The "vanilla" peer: @apollo/gateway with @apollo/server's standalone server, default
 * options, over the same supergraph file as every other target:
 *   tsx src/targets/vanilla.ts <supergraph file> <port>
 * The only addition is what graph360's subgraphs require of any gateway: when
 * BENCH_INTERNAL_TOKEN is set, every subgraph request carries it as the
 * x-graph360-gateway header (a static token minted by the bench, in
 * RemoteGraphQLDataSource.willSendRequest).
 */
import { readFileSync } from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

const [supergraphPath, port] = process.argv.slice(2);
if (!supergraphPath) {
  console.error('usage: vanilla.ts <supergraph file> [port]');
  process.exit(2);
}
const internalToken = process.env.BENCH_INTERNAL_TOKEN;

const gateway = new ApolloGateway({
  supergraphSdl: readFileSync(supergraphPath, 'utf8'),
  buildService: ({ url }) =>
    new RemoteGraphQLDataSource({
      url,
      willSendRequest({ request }) {
        if (internalToken) request.http?.headers.set('x-graph360-gateway', internalToken);
      },
    }),
});
const server = new ApolloServer({ gateway });
const { url } = await startStandaloneServer(server, { listen: { port: Number(port ?? 0), host: '127.0.0.1' } });
console.log(`[vanilla] listening on ${url.replace(/\/$/, '')}/graphql`);
const stop = (): void => void server.stop().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
