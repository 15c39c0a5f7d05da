/**
 * Both executors over the same in-process subgraphs: the subgraphs are built with
 * @apollo/subgraph and composed with @apollo/composition; each executor sits in its own
 * Apollo Server (so parsing, validation and result formatting are Apollo Server's, as in
 * the gateway), and each calls its own data sources over the same subgraph schemas.
 * The data sources answer through a JSON round trip, like a subgraph over HTTP, and
 * record every fetch so a test can compare what each executor sent.
 */
import { composeServices } from '@apollo/composition';
import { ApolloGateway, type GraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { InMemoryLRUCache } from '@apollo/utils.keyvaluecache';
import { graphql, parse, type GraphQLSchema } from 'graphql';
import { graph360Gateway, recordServices } from '../../gateway/src/execution/graph360Gateway.js';
import type { PreparedOperation } from '../../gateway/src/execution/PreparedOperation.js';

export interface SubgraphFixture {
  name: string;
  typeDefs: string;
  resolvers: GraphQLResolverMap<unknown>;
}

export interface Fetch {
  subgraph: string;
  query: string;
  variables: unknown;
}

/** A subgraph answering in process, through JSON like over HTTP, recording each request. */
class RecordingDataSource implements GraphQLDataSource {
  constructor(
    private readonly name: string,
    private readonly schema: GraphQLSchema,
    private readonly fetches: Fetch[],
  ) {}

  async process({ request }: GraphQLDataSourceProcessOptions): Promise<Awaited<ReturnType<GraphQLDataSource['process']>>> {
    this.fetches.push({ subgraph: this.name, query: request.query ?? '', variables: request.variables ?? {} });
    const result = await graphql({ schema: this.schema, source: request.query ?? '', variableValues: request.variables, operationName: request.operationName });
    return JSON.parse(JSON.stringify(result)) as Awaited<ReturnType<GraphQLDataSource['process']>>;
  }
}

export interface Executors {
  supergraphSdl: string;
  /** The API schema both servers validate with. */
  schema: GraphQLSchema;
  /** Runs the operation through both executors; each answer is the JSON a client would get, and the fetches it cost. */
  run(query: string, variables?: Record<string, unknown>): Promise<{ apollo: Answer; graph360: Answer }>;
  stop(): Promise<void>;
}

export interface Answer {
  json: string;
  fetches: Fetch[];
}

export async function startExecutors(fixtures: readonly SubgraphFixture[]): Promise<Executors> {
  const composed = composeServices(fixtures.map(({ name, typeDefs }) => ({ name, url: `http://${name}.invalid/graphql`, typeDefs: parse(typeDefs) })));
  if (composed.errors) throw new Error(`composition failed: ${composed.errors.map((e) => e.message).join('; ')}`);
  const supergraphSdl = composed.supergraphSdl;
  const schemas = new Map(fixtures.map(({ name, typeDefs, resolvers }) => [name, buildSubgraphSchema({ typeDefs: parse(typeDefs), resolvers })]));
  const fetches = { apollo: [] as Fetch[], graph360: [] as Fetch[] };
  const sourceFor =
    (into: Fetch[]) =>
    ({ name }: { name: string }) =>
      new RecordingDataSource(name, schemas.get(name)!, into);

  const apollo = new ApolloServer({
    gateway: new ApolloGateway({ supergraphSdl, buildService: sourceFor(fetches.apollo) }),
    includeStacktraceInErrorResponses: false,
  });
  const recorded = recordServices(sourceFor(fetches.graph360));
  const inner = new ApolloGateway({ supergraphSdl, buildService: recorded.buildService });
  const ours = new ApolloServer({
    gateway: graph360Gateway(inner, {
      services: recorded.services,
      plans: new InMemoryLRUCache<PreparedOperation>({ maxSize: 1000, sizeCalculation: () => 1 }),
      logger: console,
    }),
    includeStacktraceInErrorResponses: false,
  });
  await Promise.all([apollo.start(), ours.start()]);
  const schema = inner.schema!;

  const answer = async (server: ApolloServer, into: Fetch[], query: string, variables: Record<string, unknown>): Promise<Answer> => {
    into.length = 0;
    const response = await server.executeOperation({ query, variables });
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return { json: JSON.stringify(response.body.singleResult), fetches: [...into] };
  };
  return {
    supergraphSdl,
    schema,
    async run(query, variables = {}) {
      // One after the other: each records its own fetches.
      const apolloAnswer = await answer(apollo, fetches.apollo, query, variables);
      const graph360Answer = await answer(ours, fetches.graph360, query, variables);
      return { apollo: apolloAnswer, graph360: graph360Answer };
    },
    async stop() {
      await Promise.all([apollo.stop(), ours.stop()]);
    },
  };
}
