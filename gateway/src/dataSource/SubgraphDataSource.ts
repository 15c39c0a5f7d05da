/**
 * How the gateway talks to one subgraph (fetch dedup and the entity cache): RemoteGraphQLDataSource
 * with undici as its fetcher (keep-alive, a deadline per fetch), header propagation,
 * in-flight deduplication of identical reads, the entity cache for entity (`_entities`) fetches,
 * a cache of whole root-field reads, and eviction of what a mutation reports it changed.
 *
 * Which fetch goes where, by its kind as the plan says it (fetchKind.ts):
 * - a mutation fetch: sent as is, never shared, never cached; its
 *   `extensions.invalidatedEntities` (subgraphs/kit's markChanged) are evicted before
 *   the answer goes on, so the client's next query sees the change;
 * - any fetch of an operation that is a mutation (the reads after the write): sent as is,
 *   so that it cannot join, or be served, a read made before the write;
 * - an `_entities` read: through the entity cache, the missing entities shared if in flight;
 * - another read: through the root cache, shared if in flight;
 * - a read of a selection whose answers carry no cache hint (cache/Cacheability.ts): straight
 *   to the subgraph, shared if in flight, with no cache lookup or key hashing at all;
 * - a fetch whose kind cannot be told (no document, a query that does not parse): sent as is.
 * Transport failures become GraphQL errors with a code and the serviceName, one at each
 * field the fetch leaves null (the gateway maps their paths into the response), so one
 * subgraph down gives partial data with errors where the holes are, not a failed request.
 * Each fetch tells the subgraph how long it has (x-graph360-deadline-ms, set by the fetcher).
 */
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Logger } from 'pino';
import { injectTraceHeaders, isRecording, recordError, SpanKind, withSpan, type Span, type TraceContext } from '../../../lib/tracing.js';
import { Cacheability } from '../cache/Cacheability.js';
import { hintFromCacheControl, type CacheHint } from '../cache/cacheHint.js';
import type { EntityCache, FetchScope } from '../cache/EntityCache.js';
import type { EntityVersions } from '../cache/EntityVersions.js';
import { authOf, bindingScope, identityKey } from '../auth/identity.js';
import { INTERNAL_TOKEN_HEADER, type InternalTokenSigner } from '../auth/internalToken.js';
import { canonicalJson, sha256, userScope, type EntityRef } from '../cache/keys.js';
import { cacheStateOf, generationOf, type RequestCacheState } from '../cache/requestCacheState.js';
import type { GatewayMetrics } from '../metrics.js';
import type { GatewayContext } from '../pipeline/GatewayContext.js';
import { fetchEntitiesThroughCache, representationsOf } from './entityFetch.js';
import { FetchKinds, withoutOperationName, type FetchKind } from './fetchKind.js';
import { dedupKey, type InflightFetches, type SubgraphResponse } from './InflightFetches.js';
import { fetchRootThroughCache } from './rootFetch.js';
import { errorResponseFor } from './subgraphErrors.js';

/**
 * The context a fetch carries: the pipeline's GatewayContext for a client's operation;
 * schema loading and health checks have none of it.
 */
export type DataSourceContext = Partial<GatewayContext>;
/**
 * `trace`, set by the executor (execution/executePlan.ts) on a traced request: the
 * execution's span, parent of the fetch's span; then, here, the fetch's own span, whose
 * context the subgraph request carries (traceparent).
 */
type ProcessOptions = GraphQLDataSourceProcessOptions<DataSourceContext> & { trace?: TraceContext };
type IncomingOptions = Extract<ProcessOptions, { incomingRequestContext: unknown }>;

/**
 * Headers passed on to every subgraph: the request id for the logs. The caller's own
 * credential is not: subgraphs trust the gateway's signed internal token
 * (x-graph360-gateway), which carries the caller's subject, scopes and customer binding.
 */
export const PROPAGATED_HEADERS = ['x-request-id'] as const;

export interface SubgraphDataSourceOptions {
  name: string;
  url: string;
  fetcher: RemoteGraphQLDataSource['fetcher'];
  inflight: InflightFetches;
  versions: EntityVersions;
  /** The entity and root caches; undefined when ENTITY_CACHE=off. */
  cache: EntityCache | undefined;
  metrics: GatewayMetrics;
  logger: Logger;
  /** Signs the internal token every subgraph request carries. */
  internalTokens: InternalTokenSigner;
}

export class SubgraphDataSource extends RemoteGraphQLDataSource<DataSourceContext> {
  private readonly settings: SubgraphDataSourceOptions;
  /** Which of this subgraph's selections are worth a cache lookup, learnt from their answers. */
  readonly cacheability = new Cacheability();
  private readonly fetchKinds = new FetchKinds();

  constructor(settings: SubgraphDataSourceOptions) {
    super({
      url: settings.url,
      fetcher: settings.fetcher,
      willSendRequest: async (options) => {
        const { request, context } = options;
        // The request id the gateway answers with (checked by the requestId plugin), not whatever the client sent.
        const values = { 'x-request-id': context.requestId ?? context.headers?.['x-request-id'] };
        for (const name of PROPAGATED_HEADERS) {
          const value = values[name];
          if (typeof value === 'string') request.http?.headers.set(name, value);
        }
        // Schema loading and health checks have no caller: they go as the anonymous one.
        request.http?.headers.set(INTERNAL_TOKEN_HEADER, await settings.internalTokens.tokenFor(authOf(context)));
        // W3C trace context (traceparent) of the fetch's span, else of the request (sampled out:
        // the subgraph decides the same), when tracing is on: the subgraph's spans are its children.
        const trace = (options as ProcessOptions).trace ?? context.trace;
        if (trace && request.http) injectTraceHeaders(trace, request.http.headers.set.bind(request.http.headers));
      },
    });
    this.settings = settings;
  }

  override async process(options: ProcessOptions): Promise<SubgraphResponse> {
    // Health checks and schema loading are not operations: nothing to cache or share.
    if (!('incomingRequestContext' in options)) return super.process(options);
    const parent = options.trace ?? options.context.trace;
    if (!isRecording(parent)) return this.processOperation(options, cacheStateOf(options.context));
    return withSpan(
      `subgraph.fetch ${this.settings.name}`,
      { kind: SpanKind.CLIENT, attributes: { 'graph360.subgraph.name': this.settings.name, 'server.address': this.settings.url } },
      parent,
      (span, ctx) => this.tracedFetch({ ...options, trace: ctx }, span),
    );
  }

  /**
   * A fetch in its span (lib/tracing.ts): the entities it asks for, what the caches did for
   * it (`hit`, `miss`, `partial`, or `none` when no cache was looked up), whether it was
   * answered by an identical fetch in flight (`graph360.dedup.shared`), and its errors.
   */
  private async tracedFetch(options: IncomingOptions, span: Span): Promise<SubgraphResponse> {
    const { state, counts } = countedState(cacheStateOf(options.context));
    const representations = options.request.variables?.representations;
    if (Array.isArray(representations)) span.setAttribute('graph360.subgraph.entities', representations.length);
    const response = await this.processOperation(options, state);
    const hits = counts.entityHits + counts.rootHits;
    const misses = counts.entityMisses + counts.rootMisses;
    span.setAttributes({
      'graph360.cache.status': hits > 0 && misses > 0 ? 'partial' : hits > 0 ? 'hit' : misses > 0 ? 'miss' : 'none',
      'graph360.cache.hits': hits,
      'graph360.cache.misses': misses,
      'graph360.subgraph.sent': counts.subgraphFetches,
      'graph360.dedup.shared': counts.sharedFetches > 0,
    });
    const errors = response.errors ?? [];
    if (errors.length > 0) {
      span.setAttribute('graphql.errors', errors.length);
      recordError(span, new Error(`${errors[0]!.extensions?.code ?? 'ERROR'}: ${errors[0]!.message}`));
    }
    return response;
  }

  private async processOperation(options: IncomingOptions, state: RequestCacheState): Promise<SubgraphResponse> {
    const query = options.request.query ?? '';
    // What the plan says this fetch is (fetchKind.ts); a fetch of unknown kind is sent as is.
    const kind = this.fetchKinds.of(options.document, query);
    if (!kind) return this.send(options, state);
    if (kind.operation === 'mutation') {
      const response = await this.send(options, state);
      await this.evictChanged(response, options.context);
      return response;
    }
    const { cache } = this.settings;
    // Fetches of a mutation, and those completing a subscription's event (an event says that
    // something changed), read nothing from the caches and share nothing in flight.
    const incoming = options.incomingRequestContext.operation?.operation;
    if (incoming === 'mutation' || incoming === 'subscription') return this.send(options, state);
    if (!cache) return this.sendShared(options, state, kind);

    const reps = kind.entities ? representationsOf(options.request.variables) : undefined;
    if (!this.cacheability.worthLookingUp(query)) {
      // Counted as misses (served fresh), but no store was read.
      if (reps) state.entityMisses += reps.length;
      else state.rootMisses++;
      const response = await this.sendShared(options, state, kind);
      // A hint again after skipping: cached from the next fetch on. This answer was fetched
      // without reading entity versions (holds), so the response cache must not keep it.
      if (this.learn(query, response)) state.doNotCacheResponse = true;
      return response;
    }
    const fetchAndLearn = async (fetchOptions: IncomingOptions): Promise<SubgraphResponse> => {
      const response = await this.sendShared(fetchOptions, state, kind);
      this.learn(query, response);
      return response;
    };
    const { representations, ...otherVariables } = options.request.variables ?? {};
    const at: FetchScope = {
      subgraph: this.settings.name,
      selection: sha256(`${withoutOperationName(query, kind)}\n${canonicalJson(reps ? otherVariables : { representations, ...otherVariables })}`).slice(0, 40),
      userScope: userScope(identityKey(authOf(options.context))),
      publicScope: bindingScope(authOf(options.context)),
    };
    if (reps) {
      return fetchEntitiesThroughCache({
        representations: reps,
        cache,
        at,
        state,
        restrict: (hint) => restrictPolicy(options, hint),
        fetch: (subset) => fetchAndLearn({ ...options, request: { ...options.request, variables: { ...options.request.variables, representations: subset } } }),
      });
    }
    return fetchRootThroughCache({
      cache,
      at,
      generation: await generationOf(options.context, this.settings.versions),
      state,
      restrict: (hint) => restrictPolicy(options, hint),
      fetch: () => fetchAndLearn(options),
    });
  }

  /** Feeds an answer's hint to the cacheability of its selection; true when that turned caching back on. */
  private learn(query: string, response: SubgraphResponse): boolean {
    return this.cacheability.observe(query, hintFromCacheControl(response.http?.headers.get('cache-control')), (response.errors?.length ?? 0) > 0);
  }

  /** One fetch to the subgraph, counted; a failure becomes an errors-only response. */
  private async send(options: IncomingOptions, state: RequestCacheState): Promise<SubgraphResponse> {
    state.subgraphFetches++;
    let response: SubgraphResponse;
    try {
      response = await super.process(options);
    } catch (error) {
      return errorResponseFor(error, this.settings.name, this.settings.metrics, this.loggerFor(options.context), options.request);
    }
    for (const error of response.errors ?? []) this.settings.metrics.subgraphFetchError(this.settings.name, error.extensions?.code);
    return response;
  }

  /** A read that joins an identical one in flight, if there is one. */
  private async sendShared(options: IncomingOptions, state: RequestCacheState, kind: FetchKind): Promise<SubgraphResponse> {
    const { request, context } = options;
    const key = dedupKey(this.settings.url, withoutOperationName(request.query ?? '', kind), request.variables, identityKey(authOf(context)));
    const { response, shared } = await this.settings.inflight.run(key, () => this.send(options, state));
    if (shared) {
      state.sharedFetches++;
      // What RemoteGraphQLDataSource does for the fetch it sends: no usable hint means "not cacheable".
      restrictPolicy(options, hintFromCacheControl(response.http?.headers.get('cache-control')) ?? { maxAge: 0, scope: 'PUBLIC' });
    }
    return response;
  }

  /** Log lines about a request carry its id, like every other line of the request. */
  private loggerFor(context: DataSourceContext): Logger {
    return context.requestId ? this.settings.logger.child({ requestId: context.requestId }) : this.settings.logger;
  }

  private async evictChanged(response: SubgraphResponse, context: DataSourceContext): Promise<void> {
    const reported = response.extensions?.invalidatedEntities;
    if (!Array.isArray(reported)) return;
    const refs = reported.filter(
      (ref): ref is EntityRef => typeof ref === 'object' && ref !== null && typeof ref.__typename === 'string' && typeof ref.id === 'string',
    );
    if (!(await this.settings.versions.invalidate(refs))) {
      this.loggerFor(context).error(
        { subgraph: this.settings.name, entities: refs },
        'could not evict entities a mutation changed; they stay cached until their TTL',
      );
    }
  }
}

type Counted = 'entityHits' | 'entityMisses' | 'rootHits' | 'rootMisses' | 'subgraphFetches' | 'sharedFetches';

/**
 * The operation's cache state as one fetch sees it (for its span): every change goes to the
 * operation's state as before, and what this fetch added is counted apart, since the
 * operation's other fetches add to the same state meanwhile.
 */
function countedState(state: RequestCacheState): { state: RequestCacheState; counts: Record<Counted, number> } {
  const counts: Record<Counted, number> = { entityHits: 0, entityMisses: 0, rootHits: 0, rootMisses: 0, subgraphFetches: 0, sharedFetches: 0 };
  const view = new Proxy(state, {
    set(target, key, value) {
      if (typeof key === 'string' && key in counts) counts[key as Counted] += (value as number) - target[key as Counted];
      return Reflect.set(target, key, value);
    },
  });
  return { state: view, counts };
}

/** Tightens the operation's overall cache policy, as RemoteGraphQLDataSource does with a fetched answer's header. */
function restrictPolicy(options: IncomingOptions, hint: CacheHint): void {
  const policy = options.incomingRequestContext.overallCachePolicy as { restrict?: (hint: CacheHint) => void } | undefined;
  policy?.restrict?.(hint);
}
