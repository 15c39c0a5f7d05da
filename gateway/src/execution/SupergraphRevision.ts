/**
 * One revision of the supergraph, as the executor needs it: the query planner, the API
 * schema Apollo Server validates against, and type questions about the supergraph asked
 * while building entity representations. Everything planned and precomputed belongs to
 * exactly one revision; a reload builds a new one and nothing is shared between them, so
 * an operation validated against the old schema finishes with the old plan.
 *
 * ApolloGateway builds its own Supergraph and QueryPlanner from the same SDL; we build
 * ours from the SDL it hands its listeners (onSchemaLoadOrUpdate) rather than reaching
 * into its private fields. That costs one more parse per reload, never per request.
 */
import { isInterfaceType, isObjectType, isSubtype, isUnionType, Supergraph, type Schema } from '@apollo/federation-internals';
import { QueryPlanner, type QueryPlannerConfig } from '@apollo/query-planner';
import { createHash } from 'node:crypto';
import type { GraphQLSchema } from 'graphql';

export class SupergraphRevision {
  /** Short hash of the SDL: part of every prepared-operation key. */
  readonly id: string;
  readonly supergraph: Supergraph;
  /** The API schema in federation-internals' model (what operations are planned against). */
  readonly apiSchema: Schema;
  /** The same API schema as graphql-js, the one Apollo Server validated the request with. */
  readonly schema: GraphQLSchema;
  readonly planner: QueryPlanner;
  /** Per type condition of a `requires` selection, the typenames that satisfy it (built on demand). */
  private readonly satisfying = new Map<string, ReadonlySet<string>>();

  /**
   * `schema` is the graphql-js API schema requests are validated against, or how to build
   * it from the federation-internals one (withDeferDirective).
   */
  constructor(supergraphSdl: string, schema: GraphQLSchema | ((apiSchema: Schema) => GraphQLSchema), plannerConfig: QueryPlannerConfig = {}) {
    this.id = createHash('sha256').update(supergraphSdl).digest('hex').slice(0, 16);
    // ApolloGateway validated this SDL a moment ago (onSchemaLoadOrUpdate runs after it).
    this.supergraph = Supergraph.build(supergraphSdl, { validateSupergraph: false });
    this.apiSchema = this.supergraph.apiSchema();
    this.schema = typeof schema === 'function' ? schema(this.apiSchema) : schema;
    this.planner = new QueryPlanner(this.supergraph, plannerConfig);
  }

  /**
   * Whether an object whose `__typename` is `typename` falls under `... on condition` in
   * the supergraph (not the API schema: `requires` may name @inaccessible types, and the
   * subgraphs know them). The type itself, or any object or interface type below an
   * abstract condition. Without a typename the answer is `whenUnknown`.
   */
  satisfies(typename: unknown, condition: string, whenUnknown: boolean): boolean {
    if (typeof typename !== 'string' || typename === '') return whenUnknown;
    if (typename === condition) return true;
    let names = this.satisfying.get(condition);
    if (!names) {
      names = this.subtypesOf(this.supergraph.schema, condition);
      this.satisfying.set(condition, names);
    }
    return names.has(typename);
  }

  private subtypesOf(schema: Schema, condition: string): ReadonlySet<string> {
    const names = new Set<string>();
    const abstract = schema.type(condition);
    if (!abstract || !(isInterfaceType(abstract) || isUnionType(abstract))) return names;
    for (const type of schema.types()) {
      if ((isObjectType(type) || isInterfaceType(type)) && isSubtype(abstract, type)) names.add(type.name);
    }
    return names;
  }
}

/** The API schema as graphql-js, with the @defer directive (ApolloGateway builds it without). */
export function withDeferDirective(apiSchema: Schema): GraphQLSchema {
  return apiSchema.toGraphQLJSSchema({ includeDefer: true });
}
