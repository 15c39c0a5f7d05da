/**
 * What the sandbox keeps only for a while, as Stripe does, deleted once it has lived its
 * time (the periods come from the config; Stripe's are the defaults):
 *
 * - idempotency records at least `idempotencyMs` old (Stripe: "can be pruned from the
 *   system automatically after they're at least 24 hours old"); a key reused after that
 *   is a new request;
 * - events at least `eventMs` old (Stripe lists them "going back 30 days" and retrieves
 *   one "if it was created in the last 30 days"); the API stops showing them at that age
 *   already (PaymentsState.retainedEvent), pruning deletes the rows;
 * - webhook delivery records as old as events are kept, once delivered or given up. A
 *   delivery still pending is kept; if its event is gone by its next attempt, it is
 *   given up then ("the event no longer exists") and pruned on a later run.
 *
 * Ages are by the date the store gives each row when it is first written, on the
 * sandbox's clock, and deleted through the store's index on it.
 */
import { createdCutoff } from '../../kit/src/index.js';
import type { IdempotencyKeys } from './idempotency.js';
import type { PaymentsState } from './PaymentsState.js';

export interface PruneResult {
  idempotencyKeys: number;
  events: number;
  deliveries: number;
}

export function pruneExpired(state: PaymentsState, idempotency: IdempotencyKeys): PruneResult {
  const now = state.now();
  const eventCutoff = createdCutoff(now, state.eventRetentionMs);
  return {
    idempotencyKeys: idempotency.prune(now),
    events: state.events.deleteCreatedBefore(eventCutoff).length,
    deliveries: state.deliveries.deleteCreatedBefore(eventCutoff, (delivery) => delivery.state !== 'pending').length,
  };
}
