/**
 * One subscriber's channel: the executor pushes each event's result into it, the
 * transport (graphql-ws or multipart HTTP: websocket.ts, multipart.ts) reads them out.
 *
 * Apollo Server runs the gateway's executor for one result only, so a subscription
 * travels beside it, as @defer's later parts do: the transport puts a delivery on the
 * request's context (GatewayContext.subscription) before running the operation through
 * Apollo Server (safelist, parsing, validation, limits, cost, authorization: everything a
 * query goes through); the executor claims it and starts the events; the transport then
 * serves the delivery instead of the one result Apollo Server formatted. An operation
 * refused on the way never claims it, and its errors are the answer.
 *
 * Bounded: a subscriber that does not read its results (a slow consumer) is dropped
 * with a SLOW_CONSUMER error once `maxQueued` results wait, instead of being buffered
 * without bound. A credential that expires ends the subscription with UNAUTHENTICATED.
 * Results are formatted (errors masked) as they are pushed, so a transport only serialises.
 */
import type { GatewayExecutionResult } from '@apollo/server-gateway-interface';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';

/** A result as a transport sends it. */
export interface FormattedResult {
  data?: Record<string, unknown> | null;
  errors?: GraphQLFormattedError[];
  extensions?: Record<string, unknown>;
}

export interface SubscriptionDeliveryOptions {
  /** How an error is sent (the gateway's error masking). */
  formatError(error: GraphQLError | Error): GraphQLFormattedError;
  /** Results allowed to wait for the subscriber; one more drops it (SLOW_CONSUMER). */
  maxQueued: number;
  /** When the caller's credential expires (ms since the epoch): the subscription ends then. */
  expiresAt?: number | undefined;
  /** Called when the executor is about to start the subscription: a refusal (a limit) keeps it from starting. */
  admit?(): GraphQLError | undefined;
  /** Called once when the subscription ends, however it ends, with the code of the error it ended with, if any. */
  onEnd?(code: string | undefined): void;
}

export const SLOW_CONSUMER = 'SLOW_CONSUMER';
/** setTimeout's largest delay. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class SubscriptionDelivery implements AsyncIterableIterator<FormattedResult, undefined> {
  private claimed = false;
  private stopSource: (() => void) | undefined;
  private readonly transforms: Array<(result: GatewayExecutionResult) => GatewayExecutionResult> = [];
  private readonly queue: FormattedResult[] = [];
  private wake: (() => void) | undefined;
  private done = false;
  private endCode: string | undefined;
  private readonly expiry: NodeJS.Timeout | undefined;

  constructor(private readonly options: SubscriptionDeliveryOptions) {
    if (options.expiresAt !== undefined) {
      this.expiry = setTimeout(
        () => this.fail('UNAUTHENTICATED', 'The credential has expired; subscribe again with a fresh one.'),
        Math.min(MAX_TIMER_MS, Math.max(0, options.expiresAt - Date.now())),
      );
      this.expiry.unref();
    }
  }

  /** True once the executor started the subscription's events. */
  get started(): boolean {
    return this.claimed;
  }

  /**
   * The executor takes the delivery (one subscription per delivery) and says how to stop
   * its events; the error to answer with instead when it may not start.
   */
  claim(stop: () => void): GraphQLError | undefined {
    if (this.claimed || this.done) return new GraphQLError('This request already started a subscription.', { extensions: { code: 'BAD_REQUEST' } });
    const refused = this.options.admit?.();
    if (refused) return refused;
    this.claimed = true;
    this.stopSource = stop;
    return undefined;
  }

  /** Applied to every result before it is queued (authorization puts refused fields back as nulls with errors). */
  transformEach(transform: (result: GatewayExecutionResult) => GatewayExecutionResult): void {
    this.transforms.push(transform);
  }

  /** One event's result. */
  push(result: GatewayExecutionResult): void {
    if (this.done) return;
    if (this.queue.length >= this.options.maxQueued) {
      this.fail(SLOW_CONSUMER, `The subscriber reads its events too slowly: more than ${this.options.maxQueued} waited.`);
      return;
    }
    this.enqueue(result);
  }

  /** Ends with a last result holding one coded error. */
  fail(code: string, message: string): void {
    if (this.done) return;
    this.enqueue({ errors: [new GraphQLError(message, { extensions: { code } })] }, false);
    this.finish(code);
  }

  /** Ends with a last result holding these errors (a source that refused or broke). */
  failWith(errors: ReadonlyArray<GraphQLError | Error>): void {
    if (this.done) return;
    this.enqueue({ errors: [...errors] as GraphQLError[] });
    const code = errors[0] instanceof GraphQLError ? errors[0].extensions.code : undefined;
    this.finish(typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR');
  }

  /** The source completed: what is queued is still delivered, then the subscription completes. */
  complete(): void {
    this.finish(undefined);
  }

  /** The subscriber went away (unsubscribed, disconnected): nothing more is delivered. */
  close(): void {
    this.queue.length = 0;
    this.finish(undefined);
  }

  private enqueue(result: GatewayExecutionResult, transformed = true): void {
    let value = result;
    // A result may be shared by several subscribers (executeSubscription.ts), and transforms change data in place.
    if (transformed && this.transforms.length > 0) {
      value = 'data' in result ? { ...result, data: structuredClone(result.data) } : result;
      for (const transform of this.transforms) value = transform(value);
    }
    const formatted: FormattedResult = {};
    if (value.errors && value.errors.length > 0) formatted.errors = value.errors.map((error) => this.options.formatError(error));
    if ('data' in value) formatted.data = value.data as Record<string, unknown> | null;
    if (value.extensions) formatted.extensions = value.extensions;
    this.queue.push(formatted);
    this.wakeReader();
  }

  private finish(code: string | undefined): void {
    if (this.done) return;
    this.done = true;
    this.endCode = code;
    clearTimeout(this.expiry);
    const stop = this.stopSource;
    this.stopSource = undefined;
    stop?.();
    this.options.onEnd?.(code);
    this.wakeReader();
  }

  /** The code of the error the subscription ended with, once ended that way. */
  get endedWith(): string | undefined {
    return this.endCode;
  }

  private wakeReader(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /**
   * Its own iterator, written by hand rather than as a generator: return() must stop the
   * source at once, even while next() waits for an event (graphql-ws calls it when the
   * client completes the subscription or the socket closes).
   */
  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<FormattedResult, undefined>> {
    for (;;) {
      const value = this.queue.shift();
      if (value) return { value, done: false };
      if (this.done) return { value: undefined, done: true };
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  async return(): Promise<IteratorResult<FormattedResult, undefined>> {
    this.close();
    return { value: undefined, done: true };
  }
}

/** The request's SubscriptionDelivery, when its transport serves subscriptions. */
export function subscriptionDeliveryOf(context: unknown): SubscriptionDelivery | undefined {
  const delivery = (context as { subscription?: unknown } | undefined)?.subscription;
  return delivery instanceof SubscriptionDelivery ? delivery : undefined;
}
