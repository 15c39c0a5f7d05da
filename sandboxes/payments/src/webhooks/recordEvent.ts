/**
 * Creating an event: the event record (listed by GET /v1/events) and one pending
 * delivery per endpoint that takes its type, written in the caller's transaction so an
 * event and its deliveries are stored together or not at all. The caller hands the
 * deliveries to the dispatcher once the transaction has committed.
 */
import { newId } from '../ids.js';
import type { PaymentsState } from '../PaymentsState.js';
import type { DeliveryRecord, EventRecord } from '../records.js';
import type { StripeObject } from '../serializers.js';
import type { WebhookEndpoints } from './endpoints.js';

export interface EventRequest {
  id: string | null;
  idempotencyKey: string | null;
}

export function recordEvent(
  state: PaymentsState,
  endpoints: WebhookEndpoints,
  apiVersion: string,
  type: string,
  object: StripeObject,
  previousAttributes: Record<string, unknown> | null,
  request: EventRequest,
): DeliveryRecord[] {
  const targets = endpoints.forEvent(type);
  const now = state.now();
  const event: EventRecord = {
    id: newId('evt'),
    created: Math.floor(now / 1000),
    type,
    apiVersion,
    object,
    previousAttributes,
    requestId: request.id,
    idempotencyKey: request.idempotencyKey,
    pendingWebhooks: targets.length,
  };
  state.events.put(event);
  return targets.map((target) => {
    const delivery: DeliveryRecord = {
      id: newId('whd'),
      eventId: event.id,
      endpoint: target.ref,
      state: 'pending',
      attempts: 0,
      nextAttemptAt: now,
      lastStatus: null,
      lastError: null,
    };
    state.deliveries.put(delivery);
    return delivery;
  });
}
