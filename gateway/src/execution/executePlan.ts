/**
 * Runs a compiled query plan for one request: fetches go to the gateway's data sources
 * (SubgraphDataSource: dedup, entity and root caches, metrics, internal token) exactly as
 * @apollo/gateway calls them, and their answers are merged in place into one tree of
 * gathered data, which shapeResponse then turns into the response.
 *
 * Failure model (as @apollo/gateway): a fetch that fails, or whose answer is unusable,
 * records an error and leaves its fields missing; the rest of the plan still runs, and
 * the missing fields become nulls (propagated as the schema requires) when shaping.
 * Subgraph errors are recorded with response paths (downstreamErrors.ts).
 */
import type { GraphQLDataSource } from '@apollo/gateway';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import type { GraphQLError } from 'graphql';
import type { TraceContext } from '../../../lib/tracing.js';
import type { DeferredStep, ExecNode, FetchStep } from './compilePlan.js';
import { downstreamError, entityPaths, type ResponsePath } from './downstreamErrors.js';
import { mergeInto, type Data } from './mergeInto.js';
import { conditionValue } from './ResponseShape.js';
import type { SupergraphRevision } from './SupergraphRevision.js';

// GraphQLDataSourceRequestKind.INCOMING_OPERATION; the enum is not exported from the package root.
const INCOMING_OPERATION = 'incoming operation' as unknown as Parameters<GraphQLDataSource['process']>[0]['kind'];

type ProcessOptions = Parameters<GraphQLDataSource['process']>[0];
type SubgraphError = NonNullable<Awaited<ReturnType<GraphQLDataSource['process']>>['errors']>[number];

export type ServiceLookup = (name: string) => GraphQLDataSource | undefined;

/** Which gathered entities (by index) each representation of an `_entities` fetch stands for. */
interface EntityOwners {
  /** The first entity of each representation. */
  owners: readonly number[];
  /** By representation, the further entities it stands for, when any had the same one. */
  duplicates: ReadonlyMap<number, readonly number[]> | undefined;
}

/**
 * The representations of one `_entities` fetch, by content: the index of the first one
 * equal to a given representation. The usual representation, `__typename` and one scalar
 * key (`{ __typename: "User", id: "1" }`), is found through maps by typename, key name and
 * value, with no string built per entity; any other by a string that tells them apart:
 * flat ones (keys and scalars) by their names and values, anything nested by its JSON,
 * which starts with `{` where a flat key starts with a field name. Field names are GraphQL
 * names, so the separators cannot occur in them; string values carry their length.
 */
class RepresentationIndex {
  private readonly byKey = new Map<string, Map<string, Map<unknown, number>>>();
  private byString: Map<string, number> | undefined;
  private byFlat: Map<string, number> | undefined;

  /** The index of an equal representation already seen, or undefined after recording this one at `index`. */
  seenAt(representation: Data, index: number): number | undefined {
    let typename: unknown;
    let keyName: string | undefined;
    let keyValue: unknown;
    let count = 0;
    for (const name in representation) {
      if (++count > 2) break;
      if (name === '__typename') typename = representation[name];
      else {
        keyName = name;
        keyValue = representation[name];
      }
    }
    if (count === 2 && typeof typename === 'string' && keyName !== undefined && (typeof keyValue === 'string' || typeof keyValue === 'number')) {
      return this.seenKey(typename, keyName, keyValue, index);
    }
    const key = representationKey(representation);
    this.byString ??= new Map();
    const seen = this.byString.get(key);
    if (seen === undefined) this.byString.set(key, index);
    return seen;
  }

  /** seenAt for a flat representation, by its RepresentationBuilder.flatKey. */
  seenFlat(key: string, index: number): number | undefined {
    this.byFlat ??= new Map();
    const seen = this.byFlat.get(key);
    if (seen === undefined) this.byFlat.set(key, index);
    return seen;
  }

  /** seenAt for a representation known to be `{ __typename, keyName: keyValue }` with a string or number value. */
  seenKey(typename: string, keyName: string, keyValue: string | number, index: number): number | undefined {
    let byName = this.byKey.get(typename);
    if (!byName) this.byKey.set(typename, (byName = new Map()));
    let byValue = byName.get(keyName);
    if (!byValue) byName.set(keyName, (byValue = new Map()));
    const seen = byValue.get(keyValue);
    if (seen === undefined) byValue.set(keyValue, index);
    return seen;
  }
}

function representationKey(representation: Data): string {
  let key = '';
  for (const name in representation) {
    const value = representation[name];
    if (typeof value === 'string') key += `${name}"${value.length}:${value}`;
    else if (typeof value === 'number' || typeof value === 'boolean' || value === null) key += `${name}=${String(value)};`;
    else return JSON.stringify(representation);
  }
  return key;
}

/**
 * The fetches of one execution that deferred parts wait for, by the planner's fetch id:
 * done when the fetch has settled (answered or failed).
 */
export class FetchSignals {
  private readonly settled = new Map<string, { promise: Promise<void>; resolve: () => void }>();

  private entry(id: string): { promise: Promise<void>; resolve: () => void } {
    let entry = this.settled.get(id);
    if (!entry) {
      let resolve!: () => void;
      const promise = new Promise<void>((done) => (resolve = done));
      entry = { promise, resolve };
      this.settled.set(id, entry);
    }
    return entry;
  }

  done(id: string): void {
    this.entry(id).resolve();
  }

  /** Resolves once every fetch named has settled. */
  async wait(ids: readonly string[]): Promise<void> {
    for (const id of ids) await this.entry(id).promise;
  }
}

export class PlanRun {
  /** Errors for the response; an Error that is not a GraphQLError is unexpected (masked). */
  readonly errors: Array<GraphQLError | Error> = [];
  /** The parent of its fetches' spans (lib/tracing.ts): the execution's span when its request is traced. */
  trace: TraceContext | undefined;
  private readonly variables: Record<string, unknown> | undefined;

  constructor(
    private readonly revision: SupergraphRevision,
    private readonly services: ServiceLookup,
    private readonly requestContext: GatewayGraphQLRequestContext,
    private readonly conditionDefaults: Readonly<Record<string, unknown>>,
    /** The gathered data, keyed by response names as the fetches answered them; shared by the runs of one execution's parts. */
    readonly data: Data = {},
    /** The fetches deferred parts wait for; made on first use (plans without @defer have no fetch ids). */
    private signals?: FetchSignals,
  ) {
    this.variables = requestContext.request.variables;
  }

  /** A run of another part of the same execution (a deferred fragment): same data and signals, its own errors. */
  part(): PlanRun {
    const part = new PlanRun(this.revision, this.services, this.requestContext, this.conditionDefaults, this.data, (this.signals ??= new FetchSignals()));
    part.trace = this.trace;
    return part;
  }

  /**
   * Runs a deferred fragment's fetches once the fetches it depends on have settled (when
   * the whole response is sent at once, its children too).
   */
  async runDeferred(step: DeferredStep, withChildren: boolean): Promise<void> {
    await (this.signals ??= new FetchSignals()).wait(step.depends);
    if (step.node) await this.run(step.node, [this.data]);
    if (withChildren) await Promise.all(step.children.map((child) => this.runDeferred(child, true)));
  }

  async run(node: ExecNode, entities: Data[]): Promise<void> {
    switch (node.kind) {
      case 'Sequence':
        for (const child of node.nodes) await this.run(child, entities);
        return;
      case 'Parallel':
        await Promise.all(node.nodes.map((child) => this.run(child, entities)));
        return;
      case 'Flatten': {
        const targets: Data[] = [];
        node.walk(entities, targets);
        if (targets.length > 0) await this.run(node.node, targets);
        return;
      }
      case 'Fetch':
        try {
          await this.fetch(node, entities);
        } catch (error) {
          this.errors.push(error instanceof Error ? error : new Error(String(error)));
        } finally {
          if (node.id !== undefined) (this.signals ??= new FetchSignals()).done(node.id);
        }
        return;
      case 'Condition': {
        const branch = conditionValue(node.variable, this.conditionDefaults, this.variables) ? node.ifClause : node.elseClause;
        if (branch) await this.run(branch, entities);
        return;
      }
      // @defer answered at once (the client takes no multipart response, or the fragment is
      // not at the top of the plan): every part runs, and the response is shaped whole.
      // Streamed delivery runs the parts itself (incremental.ts).
      case 'Defer':
        if (node.primary) await this.run(node.primary, [this.data]);
        await Promise.all(node.deferred.map((deferred) => this.runDeferred(deferred, true)));
        return;
      // A subscription plan is never nested: executeSubscription.ts runs its parts.
      case 'Subscription':
        throw new Error('A subscription plan runs through executeSubscription, not as a node of another plan.');
    }
  }

  /** A subscription's event: the answer of its primary fetch, gathered as a root fetch's answer is. */
  receive(step: FetchStep, response: { data?: Data | null; errors?: readonly SubgraphError[] }): void {
    if (response.errors && response.errors.length > 0) this.recordErrors(step, response.errors, undefined, undefined);
    if (!response.data) return;
    step.outputRewrites?.apply(this.revision, response.data);
    mergeInto(this.data, response.data);
  }

  private async fetch(step: FetchStep, entities: Data[]): Promise<void> {
    const service = this.services(step.serviceName);
    if (!service) throw new Error(`Couldn't find service with name "${step.serviceName}"`);
    const variables: Data = {};
    const provided = this.variables;
    if (provided) {
      for (const name of step.variableUsages) {
        const value = provided[name];
        if (value !== undefined && Object.hasOwn(provided, name)) variables[name] = value;
      }
    }
    const builder = step.representations;
    if (!builder) {
      const data = await this.send(service, step, variables, undefined);
      if (!data) return;
      step.outputRewrites?.apply(this.revision, data);
      for (const entity of entities) step.merge(entity, data);
      return;
    }

    const representations: Data[] = [];
    // For each representation, the index of the first entity it stands for; further
    // entities with the identical representation (the same entity reached by several
    // paths: every review's author, say) only in `duplicates`, rarely filled.
    const owners: number[] = [];
    let duplicates: Map<number, number[]> | undefined;
    const seen = entities.length > 1 ? new RepresentationIndex() : undefined;
    // The usual key, not rewritten: its typename and value are known without looking.
    const simpleKey = step.inputRewrites ? undefined : builder.flat?.key;
    for (let i = 0; i < entities.length; i++) {
      const representation = builder.build(entities[i]!);
      if (!representation) continue;
      step.inputRewrites?.apply(this.revision, representation);
      if (seen) {
        // Identical representations are one entity: sent once, its answer merged into each.
        let index: number | undefined;
        const keyValue = simpleKey === undefined ? undefined : representation[simpleKey];
        const flatKey = keyValue === undefined && !step.inputRewrites ? builder.flatKey?.(representation) : undefined;
        if (typeof keyValue === 'string' || typeof keyValue === 'number')
          index = seen.seenKey(representation.__typename as string, simpleKey!, keyValue, representations.length);
        else if (flatKey !== undefined) index = seen.seenFlat(flatKey, representations.length);
        else index = seen.seenAt(representation, representations.length);
        if (index !== undefined) {
          duplicates ??= new Map();
          const more = duplicates.get(index);
          if (more) more.push(i);
          else duplicates.set(index, [i]);
          continue;
        }
      }
      representations.push(representation);
      owners.push(i);
    }
    if (representations.length === 0) return;
    if (Object.hasOwn(variables, 'representations')) throw new Error('Variables cannot contain key "representations"');
    variables.representations = representations;

    const data = await this.send(service, step, variables, { owners, duplicates });
    if (!data) return;
    const received = data._entities;
    if (!Array.isArray(received)) throw new Error('Expected "data._entities" in response to be an array');
    if (received.length !== representations.length) throw new Error(`Expected "data._entities" to contain ${representations.length} elements`);
    for (let i = 0; i < received.length; i++) {
      const entity = received[i] as Data | null;
      if (entity === null || entity === undefined) continue;
      if (typeof entity !== 'object' || Array.isArray(entity)) throw new Error(`Expected "data._entities" to contain objects, got ${typeof entity} at ${i}`);
      const target = entities[owners[i]!]!;
      // Subgraphs may leave `__typename` out of an entity; the gathered one is kept.
      if (!entity.__typename) entity.__typename = target.__typename;
      step.outputRewrites?.apply(this.revision, entity);
      step.merge(target, entity);
      const more = duplicates?.get(i);
      // The same answer goes into each: objects below it are then shared by those
      // entities, which are one entity, so later fetches find the same data either way.
      if (more) for (const owner of more) step.merge(entities[owner]!, entity);
    }
  }

  private async send(service: GraphQLDataSource, step: FetchStep, variables: Data, owners: EntityOwners | undefined): Promise<Data | null | undefined> {
    const { requestContext } = this;
    const options: ProcessOptions = {
      kind: INCOMING_OPERATION,
      request: { query: step.operation, variables, operationName: step.operationName },
      incomingRequestContext: requestContext,
      context: requestContext.context,
      document: step.document,
      pathInIncomingRequest: step.path as ResponsePath,
      // Read by SubgraphDataSource: the parent of the fetch's span.
      trace: this.trace,
    } as ProcessOptions;
    const response = await service.process(options);
    if (response.errors) this.recordErrors(step, response.errors, owners, response.extensions);
    return response.data as Data | null | undefined;
  }

  private recordErrors(
    step: FetchStep,
    errors: readonly SubgraphError[],
    owners: EntityOwners | undefined,
    extensions: Record<string, unknown> | undefined,
  ): void {
    let paths: ResponsePath[] | undefined;
    // Errors of deduplicated representations, one per entity, put back in entity order as
    // if each entity had been sent (and had failed) on its own.
    let fannedOut: Array<{ entity: number; error: GraphQLError }> | undefined;
    for (const error of errors) {
      const path = error.path;
      if (owners && typeof path?.[1] === 'number') {
        // Entity errors: `["_entities", i, …rest]` -> the path of each entity that representation i stands for.
        paths ??= entityPaths(this.data, step.path);
        const first = owners.owners[path[1]];
        const more = owners.duplicates?.get(path[1]);
        const rest = path.slice(2);
        if (!owners.duplicates) {
          this.errors.push(downstreamError(error, step.serviceName, [...((first !== undefined && paths[first]) || []), ...rest]));
          continue;
        }
        fannedOut ??= [];
        if (first !== undefined) fannedOut.push({ entity: first, error: downstreamError(error, step.serviceName, [...(paths[first] ?? []), ...rest]) });
        if (more) for (const entity of more) fannedOut.push({ entity, error: downstreamError(error, step.serviceName, [...(paths[entity] ?? []), ...rest]) });
        continue;
      }
      this.errors.push(downstreamError(error, step.serviceName, path ? [...step.path, ...path] : undefined));
    }
    if (fannedOut) {
      fannedOut.sort((a, b) => a.entity - b.entity);
      for (const { error } of fannedOut) this.errors.push(error);
    }
    // What @apollo/gateway records for usage reporting when a subgraph sends no trace.
    if (!extensions?.ftv1) {
      const metrics = this.requestContext.metrics;
      const errorPaths = errors.map((error) => ({ subgraph: step.serviceName, path: error.path }));
      metrics.nonFtv1ErrorPaths = metrics.nonFtv1ErrorPaths ? [...metrics.nonFtv1ErrorPaths, ...errorPaths] : errorPaths;
    }
  }
}
