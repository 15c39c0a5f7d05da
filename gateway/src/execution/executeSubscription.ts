/**
 * Subscriptions through the query plan. The planner makes a SubscriptionNode: `primary`,
 * the subscription sent to the subgraph that owns the root field, and `rest`, the plan
 * that completes each event from the other subgraphs (an invoice's ERP fields, the
 * customer's CRM fields). Each event is gathered as a root fetch's answer, `rest` runs on
 * it as a query plan runs on its first fetch, and the result is shaped and assembled as a
 * query's (executeOperation.ts), then pushed to the subscriber (subscriptions/).
 *
 * Shared: subscribers of the same operation (after authorization filtering), with the same
 * variables, for the same caller, on the same supergraph revision, share one subscription
 * to the subgraph and one run of `rest` per event (a page open in many tabs, many
 * devices of one user). The subgraph subscription ends when its last subscriber leaves.
 * The fetches of `rest` run with the first subscriber's request context (same caller) and
 * skip the entity caches: an event says that something changed.
 *
 * Events are completed one at a time, in the order they came. When the socket to the
 * subgraph drops, the subscription is made again with a fresh token, waiting 0.5 s, then
 * twice as long each time up to 10 s; events in between are missed (the subgraph keeps
 * no history). After `maxRetries` failures in a row the subscribers get
 * SUBGRAPH_UNREACHABLE and their subscriptions end. A subgraph that refuses the
 * subscription (its own checks) ends it with its errors.
 *
 * Traced (lib/tracing.ts), when tracing is on: a source has one span for its life,
 * `graphql.subscription <subgraph>`, a child of its first subscriber's trace context (the
 * multipart request's server span, the WebSocket's traceparent), sampled as any span;
 * each event's completion is `graphql.subscription.event`, a child of it, and the parent
 * of the event's fetches. Children rather than linked traces: the sampler then decides
 * once per subscription (a sampled one shows every event, an unsampled one costs its
 * events nothing), and the events of one subscription are read in one trace, in order.
 */
import type { GatewayExecutionResult, GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import type { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import { contextWith, isRecording, recordError, startSampledSpan, withSpan, type Span, type TraceContext } from '../../../lib/tracing.js';
import { authOf, identityKey } from '../auth/identity.js';
import type { SubgraphSubscriptions } from '../dataSource/SubgraphSubscriptions.js';
import type { SubscriptionDelivery } from '../subscriptions/SubscriptionDelivery.js';
import type { SubscriptionStep } from './compilePlan.js';
import { downstreamError } from './downstreamErrors.js';
import { result } from './executeOperation.js';
import { PlanRun, type ServiceLookup } from './executePlan.js';
import type { Data } from './mergeInto.js';
import type { PreparedOperation } from './PreparedOperation.js';

export interface SubscriptionSourcesOptions {
  upstream: SubgraphSubscriptions;
  logger: Pick<Logger, 'warn' | 'error' | 'debug'>;
  /** Failed re-subscriptions in a row before the subscribers are told. Default 8 (about a minute). */
  maxRetries?: number;
  /** First wait before subscribing again, in ms (then doubled up to 10 s). Default 500. */
  retryDelayMs?: number;
  /** Called with each source started and stopped (metrics). */
  counted?(change: 1 | -1): void;
}

/** The subscriptions the gateway has open with its subgraphs, shared by their subscribers. */
export class SubscriptionSources {
  private readonly sources = new Map<string, SubscriptionSource>();

  constructor(private readonly options: SubscriptionSourcesOptions) {}

  /** Adds the subscriber of `delivery` to the source of this operation, started if need be. */
  subscribe(
    prepared: PreparedOperation,
    requestContext: GatewayGraphQLRequestContext,
    services: ServiceLookup,
    delivery: SubscriptionDelivery,
  ): GatewayExecutionResult {
    const step = prepared.root;
    if (step?.kind !== 'Subscription') throw new Error('Not a subscription plan.');
    const { request, queryHash } = requestContext;
    const auth = authOf(requestContext.context);
    const key = `${prepared.revision.id}\n${queryHash}\n${request.operationName ?? ''}\n${JSON.stringify(request.variables ?? {})}\n${identityKey(auth) ?? 'anonymous'}`;
    // The source it joins, once it has joined one (claim comes first: a limit may refuse it).
    const joined: { source?: SubscriptionSource } = {};
    const refused = delivery.claim(() => joined.source?.remove(delivery));
    if (refused) return { errors: [refused] };
    let source = this.sources.get(key);
    const fresh = !source || source.stopped;
    if (!source || fresh) {
      const started: SubscriptionSource = new SubscriptionSource(prepared, step, requestContext, services, this.options, () => {
        if (this.sources.get(key) === started) this.sources.delete(key);
        this.options.counted?.(-1);
      });
      source = started;
      this.sources.set(key, source);
      this.options.counted?.(1);
    }
    joined.source = source;
    source.add(delivery);
    if (fresh) source.start();
    // What Apollo Server answers with is not sent: the transport serves the delivery.
    return { data: null };
  }
}

class SubscriptionSource {
  private readonly subscribers = new Set<SubscriptionDelivery>();
  private unsubscribe: (() => void) | undefined;
  private events: Promise<void> = Promise.resolve();
  private failures = 0;
  private retry: NodeJS.Timeout | undefined;
  private readonly requestContext: GatewayGraphQLRequestContext;
  /** The span of the source's life and its context, the parent of each event's span (see the top of this file). */
  private readonly span: Span | undefined;
  private readonly trace: TraceContext | undefined;
  private eventCount = 0;
  stopped = false;

  constructor(
    private readonly prepared: PreparedOperation,
    private readonly step: SubscriptionStep,
    requestContext: GatewayGraphQLRequestContext,
    private readonly services: ServiceLookup,
    private readonly options: SubscriptionSourcesOptions,
    private readonly onStop: () => void,
  ) {
    // The first subscriber's context serves every event; its delivery is its own, not the source's.
    this.requestContext = { ...requestContext, context: { ...requestContext.context, subscription: undefined } };
    const parent = (requestContext.context as { trace?: TraceContext }).trace;
    if (parent) {
      const subgraph = step.primary.serviceName;
      this.span = startSampledSpan(`graphql.subscription ${subgraph}`, {}, parent);
      if (this.span.isRecording()) {
        const name = prepared.operation.name?.value;
        this.span.setAttributes({ 'graph360.subgraph.name': subgraph, ...(name ? { 'graphql.operation.name': name } : {}) });
      }
      // Its events are traced when it is (the sampler decides once, here).
      this.trace = this.span.isRecording() ? contextWith(parent, this.span) : undefined;
    }
  }

  add(delivery: SubscriptionDelivery): void {
    this.subscribers.add(delivery);
  }

  remove(delivery: SubscriptionDelivery): void {
    this.subscribers.delete(delivery);
    if (this.subscribers.size === 0) this.stop();
  }

  start(): void {
    if (this.stopped) return;
    const { primary } = this.step;
    const service = this.services(primary.serviceName) as { url?: unknown } | undefined;
    if (typeof service?.url !== 'string') {
      const error = new Error(`Couldn't find service with name "${primary.serviceName}"`);
      this.end((delivery) => delivery.failWith([error]), error);
      return;
    }
    const provided = this.requestContext.request.variables ?? {};
    const variables: Record<string, unknown> = {};
    for (const name of primary.variableUsages) if (Object.hasOwn(provided, name) && provided[name] !== undefined) variables[name] = provided[name];
    let receivedAny = false;
    const startedAt = Date.now();
    this.unsubscribe = this.options.upstream.subscribe(
      service.url,
      { query: primary.operation, operationName: primary.operationName, variables },
      authOf(this.requestContext.context),
      {
        next: (event) => {
          if (!receivedAny) {
            receivedAny = true;
            this.failures = 0;
          }
          this.events = this.events
            .then(() => this.complete(event as { data?: Data | null; errors?: GraphQLError[] }))
            .catch((error: unknown) => this.options.logger.error({ err: error }, 'a subscription event could not be completed'));
        },
        error: (error) => {
          if (this.stopped) return;
          if (Array.isArray(error)) {
            // The subgraph refused the subscription: its errors, with their codes, end it.
            const errors = (error as GraphQLError[]).map((e) => downstreamError(e, primary.serviceName, e.path ? [...e.path] : undefined));
            void this.events.then(() => this.end((delivery) => delivery.failWith(errors), errors[0]));
            return;
          }
          // A subscription that lived a while before its socket dropped starts its count again.
          if (receivedAny || Date.now() - startedAt > 30_000) this.failures = 0;
          this.again(error);
        },
        complete: () => {
          if (this.stopped) return;
          void this.events.then(() => this.end((delivery) => delivery.complete()));
        },
      },
    );
  }

  private again(cause: unknown): void {
    this.unsubscribe = undefined;
    const maxRetries = this.options.maxRetries ?? 8;
    const subgraph = this.step.primary.serviceName;
    if (this.failures >= maxRetries) {
      this.options.logger.warn({ subgraph, failures: this.failures, reason: describe(cause) }, 'subscription source unreachable; ending its subscriptions');
      this.end((delivery) => delivery.fail('SUBGRAPH_UNREACHABLE', `Subgraph ${subgraph} could not be reached.`), cause);
      return;
    }
    const delay = Math.min(10_000, (this.options.retryDelayMs ?? 500) * 2 ** this.failures);
    this.failures++;
    this.options.logger.debug(
      { subgraph, attempt: this.failures, delayMs: delay, reason: describe(cause) },
      'subscription to the subgraph lost; subscribing again',
    );
    if (this.span?.isRecording())
      this.span.addEvent('resubscribe', {
        'graph360.subscription.attempt': this.failures,
        'graph360.retry.wait_ms': delay,
        'exception.message': describe(cause),
      });
    this.retry = setTimeout(() => this.start(), delay);
    this.retry.unref();
  }

  /** One event: gathered, completed by `rest`, shaped, and pushed to every subscriber. */
  private async complete(event: { data?: Data | null; errors?: GraphQLError[] }): Promise<void> {
    if (this.stopped || this.subscribers.size === 0) return;
    this.eventCount++;
    if (!isRecording(this.trace)) {
      await this.completeEvent(event, undefined);
      return;
    }
    return withSpan('graphql.subscription.event', { attributes: { 'graph360.subscription.event': this.eventCount } }, this.trace, async (span, ctx) => {
      const errors = await this.completeEvent(event, ctx);
      if (errors.length > 0) {
        span.setAttribute('graphql.errors', errors.length);
        recordError(span, errors[0]);
      }
    });
  }

  /** An event's completion (see complete); `trace` is its span's context. Returns its errors. */
  private async completeEvent(
    event: { data?: Data | null; errors?: GraphQLError[] },
    trace: TraceContext | undefined,
  ): Promise<ReadonlyArray<GraphQLError | Error>> {
    const { requestContext, prepared } = this;
    // Per event: its own cache-state and metrics (both are per request).
    const perEvent = { ...requestContext, context: { ...requestContext.context }, metrics: {} } as GatewayGraphQLRequestContext;
    const run = new PlanRun(prepared.revision, this.services, perEvent, prepared.conditionDefaults);
    run.trace = trace;
    run.receive(this.step.primary, event as Parameters<PlanRun['receive']>[1]);
    if (this.step.rest && event.data) await run.run(this.step.rest, [run.data]);
    const shaped = result(prepared, run, 'whole', requestContext.request.variables);
    for (const delivery of this.subscribers) delivery.push(shaped);
    return run.errors;
  }

  private end(how: (delivery: SubscriptionDelivery) => void, failure?: unknown): void {
    const subscribers = [...this.subscribers];
    if (failure !== undefined && this.span) recordError(this.span, failure);
    this.stop();
    for (const delivery of subscribers) how(delivery);
  }

  private stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.retry);
    this.subscribers.clear();
    const unsubscribe = this.unsubscribe;
    this.unsubscribe = undefined;
    unsubscribe?.();
    if (this.span?.isRecording()) {
      this.span.setAttribute('graph360.subscription.events', this.eventCount);
      this.span.end();
    }
    this.onStop();
  }
}

function describe(cause: unknown): string {
  if (cause instanceof Error) return cause.message;
  const { code, reason } = (cause ?? {}) as { code?: unknown; reason?: unknown };
  return code !== undefined ? `socket closed (${String(code)}${reason ? `: ${String(reason)}` : ''})` : String(cause);
}
