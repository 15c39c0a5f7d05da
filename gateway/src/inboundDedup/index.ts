/**
 * Inbound deduplication: identical read operations in flight at the same time share one
 * execution. The first one runs (the leader); each identical one that arrives while it
 * runs (a follower) waits for its result instead of planning and fetching again.
 *
 * It wraps the executor, inside authorization (auth/authorizingGateway.ts): by the time an
 * operation gets here, every request has been accepted on its own (authentication, rate
 * limits, safelist, limits and its cost charged, authorization filtering, response cache
 * lookup), and what is shared is exactly the part that is the same for all of them.
 *
 * Identical means: the same supergraph revision (the API schema validated against), the
 * same authorized document (the query hash authorization gave it, which already reflects
 * what this caller may see), the same operation name and variables, and the same caller
 * (auth/identity's identityKey: kind, subject, scopes and customer binding; all anonymous
 * callers are one caller, since the subgraphs are told nothing about them). Keying on
 * the subject, not only on the access profile, is deliberate: whether an answer holds
 * PRIVATE data is known only from the subgraphs' cache hints, that is after the fetches
 * the sharing decision must come before; guessing "public" from earlier answers would
 * hand one user's data to another on the first dynamic hint. Callers with the same
 * profile still share subgraph fetches (dataSource/InflightFetches) and the entity, root
 * and response caches wherever answers are PUBLIC.
 *
 * Mutations and subscriptions are never shared: each one must run. Nor is an answer
 * streamed in parts (@defer, execution/incremental.ts): a follower then runs on its own.
 *
 * What a follower gets: the leader's result, its data copied (the steps after execution,
 * like authorization's nulls, change it in place), the same cache policy (so its
 * Cache-Control header and response-cache decision are the leader's), and whatever else
 * the `shareRequestState` option copies (the caches' per-request state). The copy is made
 * once, when the result arrives and before the leader's own code goes on with it; the
 * entry is removed at that moment, so nobody joins an execution whose copy was made.
 */
import type { GatewayExecutor, GatewayExecutionResult, GatewayGraphQLRequestContext, GatewayInterface } from '@apollo/server-gateway-interface';
import type { GraphQLSchema } from 'graphql';
import { authOf, identityKey } from '../auth/identity.js';
import { incrementalDeliveryOf } from '../execution/incremental.js';

export type InboundDedupOutcome = 'leader' | 'shared';

export interface InboundDedupOptions {
  /** Counts each operation that could be shared: `leader` if it ran, `shared` if it joined one in flight. */
  counted?(outcome: InboundDedupOutcome): void;
  /** Copies per-request state another step keeps about an execution (cache statistics) from the leader's context to a follower's. */
  shareRequestState?(from: object, to: object): void;
}

type CachePolicySnapshot = { maxAge?: number | undefined; scope?: 'PUBLIC' | 'PRIVATE' | undefined };
/** Apollo Server's CachePolicy, which the gateway interface types as `any`. */
type CachePolicy = CachePolicySnapshot & { restrict(hint: CachePolicySnapshot): void };
const cachePolicyOf = (requestContext: GatewayGraphQLRequestContext): CachePolicy => requestContext.overallCachePolicy as CachePolicy;

interface Entry {
  /** Contexts of the followers waiting, for shareRequestState. */
  followers: GatewayGraphQLRequestContext[];
  /** `streamed`: the leader answered with @defer's primary part only; followers run on their own. */
  copy: Promise<{ result: GatewayExecutionResult; data: string | undefined; policy: CachePolicySnapshot } | 'streamed'>;
}

/** Executions in flight by key; one table per gateway. */
export class InboundDedup {
  private readonly inflight = new Map<string, Entry>();
  private readonly revisions = new WeakMap<GraphQLSchema, number>();
  private nextRevision = 0;

  constructor(private readonly options: InboundDedupOptions = {}) {}

  /** The key of an operation that may be shared, undefined for one that must run on its own. */
  keyOf(requestContext: GatewayGraphQLRequestContext): string | undefined {
    if (requestContext.operation.operation !== 'query') return undefined;
    let revision = this.revisions.get(requestContext.schema);
    if (revision === undefined) {
      revision = this.nextRevision++;
      this.revisions.set(requestContext.schema, revision);
    }
    const { request } = requestContext;
    // Plain JSON, neither hashed nor canonicalised: the key lives in this map only while the
    // execution runs, and variables in another key order only miss a chance to share.
    return JSON.stringify([
      revision,
      requestContext.queryHash,
      request.operationName ?? '',
      identityKey(authOf(requestContext.context)) ?? '',
      request.variables ?? {},
    ]);
  }

  /** Runs `execute` for this operation, or joins the identical one in flight. */
  async run(requestContext: GatewayGraphQLRequestContext, execute: () => Promise<GatewayExecutionResult>): Promise<GatewayExecutionResult> {
    const key = this.keyOf(requestContext);
    if (key === undefined) return execute();
    const existing = this.inflight.get(key);
    if (existing) {
      this.options.counted?.('shared');
      existing.followers.push(requestContext);
      const copy = await existing.copy;
      if (copy === 'streamed') return execute();
      const { result, data, policy } = copy;
      cachePolicyOf(requestContext).restrict(policy);
      return { ...result, ...(data === undefined ? {} : { data: JSON.parse(data) as GatewayExecutionResult['data'] }) };
    }
    this.options.counted?.('leader');
    const pending = execute();
    const entry: Entry = {
      followers: [],
      // Registered before the leader awaits `pending`, so it runs first.
      copy: pending.then(
        (result) => {
          this.inflight.delete(key);
          if (incrementalDeliveryOf(requestContext.context)?.rest) return 'streamed';
          if (entry.followers.length === 0) return { result, data: undefined, policy: {} };
          for (const follower of entry.followers) this.options.shareRequestState?.(requestContext.context, follower.context);
          const { maxAge, scope } = cachePolicyOf(requestContext);
          const extensions = result.extensions ? { extensions: { ...result.extensions } } : {};
          const errors = result.errors ? { errors: [...result.errors] } : {};
          return {
            result: { ...result, ...extensions, ...errors },
            data: result.data == null ? undefined : JSON.stringify(result.data),
            policy: { maxAge, scope },
          };
        },
        (error: unknown) => {
          this.inflight.delete(key);
          throw error;
        },
      ),
    };
    // Followers read `copy`; with none, its rejection must not go unhandled.
    entry.copy.catch(() => undefined);
    this.inflight.set(key, entry);
    return pending;
  }

  get size(): number {
    return this.inflight.size;
  }
}

/** A gateway whose executor shares identical operations in flight through `dedup`. */
export function inboundDedupGateway(inner: GatewayInterface, dedup: InboundDedup): GatewayInterface {
  const wrap =
    (executor: GatewayExecutor): GatewayExecutor =>
    (requestContext) =>
      dedup.run(requestContext, () => executor(requestContext));
  return {
    onSchemaLoadOrUpdate: (callback) => inner.onSchemaLoadOrUpdate(callback),
    async load(options) {
      const loaded = await inner.load(options);
      return { ...loaded, executor: loaded.executor ? wrap(loaded.executor) : null };
    },
    stop: () => inner.stop(),
  };
}
