/**
 * What a route handler gets (its parameters, the data, a way to record events) and what
 * it returns. Handlers are synchronous: one request runs to its end before the next
 * starts, which is what serializes two requests carrying the same idempotency key.
 * They validate everything before their first write, then write, and answer; a
 * StripeApiError thrown before any write becomes the error response.
 */
import type { FormObject } from './form.js';
import { Params } from './params.js';
import type { PaymentsState } from './PaymentsState.js';
import type { StripeObject } from './serializers.js';
import { expandObject } from './expand.js';

export interface HandlerResult {
  status: number;
  body: StripeObject;
}

export class HandlerContext {
  private readonly emitted: Array<{ type: string; object: StripeObject; previous: Record<string, unknown> | null }> = [];

  constructor(
    readonly state: PaymentsState,
    readonly raw: FormObject,
    readonly requestId: string,
    readonly idempotencyKey: string | null,
  ) {}

  /** Now, in unix seconds, on the sandbox's clock: Stripe's `created`. */
  now(): number {
    return Math.floor(this.state.now() / 1000);
  }

  /** This request's parameters, refusing any not in `allowed`. */
  params(allowed: readonly string[]): Params {
    return new Params(this.raw, allowed);
  }

  /** Records an event (e.g. payment_intent.succeeded) with `object` as it is now. */
  emit(type: string, object: StripeObject, previousAttributes: Record<string, unknown> | null = null): void {
    this.emitted.push({ type, object: structuredClone(object), previous: previousAttributes });
  }

  get events(): ReadonlyArray<{ type: string; object: StripeObject; previous: Record<string, unknown> | null }> {
    return this.emitted;
  }

  /** A 200 with `object`, expanded as the request's `expand[]` asks. */
  ok(object: StripeObject, params: Params): HandlerResult {
    return { status: 200, body: expandObject(this.state, object, params.expand()) };
  }
}

export type Handler = (ctx: HandlerContext, ...pathIds: string[]) => HandlerResult;

export interface RouteDef {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path with `:name` placeholders, e.g. /v1/payment_intents/:id/confirm. */
  pattern: string;
  /** Stats name: `<resource>.<action>`, e.g. payment_intents.create. */
  operation: string;
  handler: Handler;
}
