/**
 * @defer answered incrementally, in the format Apollo Client and Apollo Router speak
 * (`multipart/mixed; deferSpec=20220824`): the primary part as soon as its fetches are
 * done, then one part per deferred fragment as soon as its own fetches are done, each
 * with `hasNext`; a deferred fragment's items carry their `path` (list indexes included),
 * `label` and the errors of its fetches.
 *
 * Apollo Server runs the gateway's executor for one result only, so the rest travels
 * beside it: the HTTP step gives a request whose client takes multipart an
 * IncrementalDelivery (on the context); the executor, when the plan starts with a
 * DeferNode, answers Apollo Server with the primary part and leaves the rest there; the
 * HTTP step then writes the primary part Apollo Server formatted and the rest after it
 * (multipartBody). A client that does not take multipart, a batch, or a plan whose
 * DeferNode is not at its top gets the whole response at once (PlanRun runs every part).
 *
 * Deferred fragments' fetches start with the primary part's (each waits only for the
 * fetches it depends on), not when the client reads; their items are made once the
 * primary part is shaped; fragments deferred inside one start once it has been delivered.
 */
import type { GatewayExecutionResult, GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { cacheStateOf } from '../cache/requestCacheState.js';
import type { DeferredStep, DeferStep } from './compilePlan.js';
import { FRAGMENT_PREFIX } from './DataRewrites.js';
import type { PlanRun } from './executePlan.js';
import { mergeInto, ownValue, type Data } from './mergeInto.js';
import type { PreparedOperation } from './PreparedOperation.js';
import { ResponseShaper, type ShapedResponse } from './shapeResponse.js';

/** The media type of a streamed @defer response (the boundary is Apollo Server's). */
export const MULTIPART_DEFER_CONTENT_TYPE = 'multipart/mixed; boundary="-"; deferSpec=20220824';

export interface IncrementalItem {
  errors?: Array<GraphQLError | Error>;
  data: Data | null;
  path: Array<string | number>;
  label?: string;
  extensions?: Record<string, unknown>;
}

export interface SubsequentPayload {
  hasNext: boolean;
  incremental?: IncrementalItem[];
}

/** One request's channel for the parts after the first; see the top of this file. */
export class IncrementalDelivery {
  private claimed = false;
  /** Set by the executor when it answered with the primary part only. */
  rest: AsyncIterable<SubsequentPayload> | undefined;

  /** The first operation to stream takes it; any other (there is one per request) answers whole. */
  claim(): boolean {
    if (this.claimed) return false;
    this.claimed = true;
    return true;
  }
}

/** The request's IncrementalDelivery, when its client takes a streamed answer. */
export function incrementalDeliveryOf(context: unknown): IncrementalDelivery | undefined {
  const delivery = (context as { incremental?: unknown } | undefined)?.incremental;
  return delivery instanceof IncrementalDelivery ? delivery : undefined;
}

/** Payloads in the order their fragments completed; ends after the one with hasNext false. */
class PayloadQueue implements AsyncIterable<SubsequentPayload> {
  private readonly ready: SubsequentPayload[] = [];
  private wake: (() => void) | undefined;

  push(payload: SubsequentPayload): void {
    this.ready.push(payload);
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<SubsequentPayload> {
    for (;;) {
      const payload = this.ready.shift();
      if (!payload) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      yield payload;
      if (!payload.hasNext) return;
    }
  }
}

/**
 * The objects at a deferred fragment's path, with their response paths: walked in the
 * data the client has been sent so far (`delivered`: the primary part and the deferred
 * items before this one), so that an object nulled there (a failed fetch, a null
 * propagated from a non-null field) gets no item, and in the gathered data beside it,
 * which holds what this fragment's fetches added.
 */
function targetsAt(
  delivered: Data,
  gathered: Data,
  prepared: PreparedOperation,
  queryPath: readonly string[],
): Array<{ object: Data; path: Array<string | number> }> {
  const found: Array<{ object: Data; path: Array<string | number> }> = [];
  const walk = (sent: unknown, value: unknown, index: number, path: Array<string | number>): void => {
    if (sent === null || typeof sent !== 'object' || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      if (!Array.isArray(sent)) return;
      for (let i = 0; i < value.length; i++) walk(sent[i], value[i], index, [...path, i]);
      return;
    }
    const object = value as Data;
    if (index === queryPath.length) {
      found.push({ object, path });
      return;
    }
    const step = queryPath[index]!;
    if (step.startsWith(FRAGMENT_PREFIX)) {
      if (prepared.revision.satisfies(object.__typename, step.slice(FRAGMENT_PREFIX.length), true)) walk(sent, object, index + 1, path);
      return;
    }
    walk(ownValue(sent as Data, step), ownValue(object, step), index + 1, [...path, step]);
  };
  walk(delivered, gathered, 0, []);
  return found;
}

/** Adds a delivered item's data to the client's view at its path (copied: the item itself is sent as it is). */
function recordDelivered(delivered: Data, item: IncrementalItem): void {
  if (!item.data) return;
  let at: unknown = delivered;
  for (const key of item.path) {
    if (at === null || typeof at !== 'object') return;
    at = (at as Record<string | number, unknown>)[key];
  }
  if (at !== null && typeof at === 'object' && !Array.isArray(at)) mergeInto(at as Data, JSON.parse(JSON.stringify(item.data)) as Data);
}

function startsWith(path: readonly unknown[] | undefined, prefix: readonly unknown[]): boolean {
  if (!path || path.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (path[i] !== prefix[i]) return false;
  return true;
}

/** The items of one delivered fragment: one per object at its path, each with the errors under it. */
function itemsOf(
  delivered: Data,
  part: PlanRun,
  step: DeferredStep,
  prepared: PreparedOperation,
  variables: Record<string, unknown> | undefined,
): IncrementalItem[] {
  // What an item is when the fragment selects nothing: an empty object.
  let shapeItem = (_object: Data, _path: Array<string | number>): ShapedResponse => ({ data: {}, errors: [] });
  try {
    const shape = prepared.deferredShape(step, variables);
    if (shape) shapeItem = (object, path) => new ResponseShaper(prepared.revision.schema, variables, path).shape(shape, object);
  } catch (error) {
    // Not expected (the selection comes from the planner): each item is null with the error.
    part.errors.push(error instanceof Error ? error : new Error(String(error)));
    shapeItem = () => ({ data: null, errors: [] });
  }
  const items: IncrementalItem[] = [];
  for (const { object, path } of targetsAt(delivered, part.data, prepared, step.queryPath)) {
    const shaped = shapeItem(object, path);
    const item: IncrementalItem = { data: shaped.data, path };
    if (step.label !== undefined) item.label = step.label;
    // Value completion problems are reported only when the fetches had no error (as in executeOperation).
    if (part.errors.length === 0 && shaped.errors.length > 0) item.extensions = { valueCompletion: shaped.errors };
    items.push(item);
  }
  for (const error of part.errors) {
    const errorPath = error instanceof GraphQLError ? error.path : undefined;
    const item = items.find((candidate) => startsWith(errorPath, candidate.path)) ?? items[0];
    if (item) (item.errors ??= []).push(error);
  }
  for (const item of items) recordDelivered(delivered, item);
  return items;
}

/**
 * Runs a plan whose top is a DeferNode for a client that takes a streamed answer: returns
 * the primary part and leaves the deferred ones, running already, in `delivery.rest`.
 * `primaryResult` assembles a result from a run and a shape as executeOperation does.
 */
export async function executeStreamed(
  prepared: PreparedOperation,
  requestContext: GatewayGraphQLRequestContext,
  defer: DeferStep,
  delivery: IncrementalDelivery,
  run: PlanRun,
  primaryResult: (run: PlanRun) => GatewayExecutionResult,
): Promise<GatewayExecutionResult> {
  const variables = requestContext.request.variables;
  // Each deferred fragment's fetches start now, beside the primary part's, and wait only for
  // the fetches they depend on (FetchSignals): only their items wait for the primary part.
  const fetchDeferred = (step: DeferredStep): { part: PlanRun; fetched: Promise<void> } => {
    const part = run.part();
    // Not expected (fetch failures are errors of the part): the fragment fails alone.
    const fetched = part.runDeferred(step, false).catch((error: unknown) => void part.errors.push(error instanceof Error ? error : new Error(String(error))));
    return { part, fetched };
  };
  const early = new Map(defer.deferred.map((step) => [step, fetchDeferred(step)]));
  if (defer.primary) await run.run(defer.primary, [run.data]);
  const initial = primaryResult(run);
  // Nothing to hang deferred data on: the primary part is the whole answer.
  if (!initial.data) return initial;
  // The primary part is not the response: the response cache must not keep it as one.
  cacheStateOf(requestContext.context).doNotCacheResponse = true;
  // What the client has been sent, for the deferred items' paths: a copy, since Apollo
  // Server has yet to send the primary part's own data.
  const delivered = JSON.parse(JSON.stringify(initial.data)) as Data;
  const queue = new PayloadQueue();
  let pending = 0;
  const start = (step: DeferredStep): void => {
    pending++;
    const { part, fetched } = early.get(step) ?? fetchDeferred(step);
    void fetched
      .then(() => itemsOf(delivered, part, step, prepared, variables))
      // Whatever happened, the fragment is accounted for, so the stream ends.
      .catch((): IncrementalItem[] => [])
      .then((items) => {
        // Fragments deferred inside this one start once it has been delivered.
        for (const child of step.children) start(child);
        pending--;
        queue.push(items.length > 0 ? { hasNext: pending > 0, incremental: items } : { hasNext: pending > 0 });
      });
  };
  for (const step of defer.deferred) start(step);
  if (pending > 0) delivery.rest = queue;
  return initial;
}

/** An error of a deferred part as Apollo Server would format it before the gateway's formatError. */
export function formattedError(error: GraphQLError | Error): GraphQLFormattedError {
  return (error instanceof GraphQLError ? error : new GraphQLError(error.message, { originalError: error })).toJSON();
}

/**
 * The body of a streamed response after its first part: Apollo Server's formatted
 * primary result (`initial`, JSON) with `hasNext`, then each payload, errors formatted
 * by `formatError` (the gateway's masking), in Apollo Server's multipart framing.
 */
export async function* multipartBody(
  initial: string,
  rest: AsyncIterable<SubsequentPayload>,
  formatError: (error: GraphQLError | Error) => GraphQLFormattedError,
): AsyncGenerator<string> {
  const PART = 'content-type: application/json; charset=utf-8\r\n\r\n';
  const trimmed = initial.trim();
  yield `\r\n---\r\n${PART}${trimmed === '{}' ? '{"hasNext":true}' : `{"hasNext":true,${trimmed.slice(1)}`}\r\n---\r\n`;
  for await (const payload of rest) {
    const incremental = payload.incremental?.map(({ errors, data, path, label, extensions }) => ({
      ...(errors ? { errors: errors.map(formatError) } : {}),
      data,
      path,
      ...(label !== undefined ? { label } : {}),
      ...(extensions ? { extensions } : {}),
    }));
    yield `${PART}${JSON.stringify({ hasNext: payload.hasNext, ...(incremental ? { incremental } : {}) })}\r\n---${payload.hasNext ? '' : '--'}\r\n`;
  }
}
