/**
 * Sends events to webhook endpoints and retries failed deliveries with exponential
 * backoff (base, doubled per failed attempt, capped), as Stripe does while an endpoint
 * answers non-2xx or cannot be reached. Every delivery is a stored record, so pending
 * ones are picked up again after a restart. close() clears every timer and aborts the
 * attempts in flight.
 */
import type { PaymentsState } from '../PaymentsState.js';
import type { DeliveryRecord } from '../records.js';
import { serializeEvent } from '../serializers.js';
import type { WebhookEndpoints } from './endpoints.js';
import { postWebhook, type AttemptResult } from './postWebhook.js';
import { signatureHeader } from './signature.js';

export interface RetryPolicy {
  baseMs: number;
  maxMs: number;
  maxAttempts: number;
  timeoutMs: number;
}

/** Counted apart from API operations: deliveries are the sandbox calling out, not being called. */
export interface WebhookStats {
  /** Attempts answered 2xx. */
  delivered: number;
  /** Attempts answered non-2xx or failed to connect (each is retried until maxAttempts). */
  failed: number;
  /** Deliveries given up after maxAttempts, or whose endpoint went away. */
  abandoned: number;
  /** Deliveries waiting for their next attempt or in flight now. */
  pending: number;
}

export interface DeliveryView {
  id: string;
  event: string;
  type: string | null;
  endpoint: string;
  state: DeliveryRecord['state'];
  attempts: number;
  next_attempt_at: number | null;
  last_status: number | null;
  last_error: string | null;
}

const RECENT = 50;

export class WebhookDispatcher {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly inFlight = new Map<string, { abort: AbortController; done: Promise<void> }>();
  private readonly recent: DeliveryRecord[] = [];
  private counts = { delivered: 0, failed: 0, abandoned: 0 };
  private closed = false;

  constructor(
    private readonly state: PaymentsState,
    private readonly endpoints: WebhookEndpoints,
    private readonly policy: RetryPolicy,
  ) {}

  /** Schedules the deliveries left pending by an earlier run. */
  resume(): void {
    for (const delivery of this.state.deliveries.values()) {
      if (delivery.state === 'pending') this.schedule(delivery);
    }
  }

  /** Schedules deliveries just stored (call after their transaction committed). */
  enqueue(deliveries: readonly DeliveryRecord[]): void {
    for (const delivery of deliveries) this.schedule(delivery);
  }

  stats(): WebhookStats {
    return { ...this.counts, pending: this.timers.size + this.inFlight.size };
  }

  resetStats(): void {
    this.counts = { delivered: 0, failed: 0, abandoned: 0 };
  }

  /** Pending deliveries, then the last finished ones, newest first. */
  deliveries(): DeliveryView[] {
    const pending = [...this.timers.keys(), ...this.inFlight.keys()].map((id) => this.state.deliveries.get(id)).filter((d) => d !== undefined);
    return [...pending, ...[...this.recent].reverse()].map((d) => ({
      id: d.id,
      event: d.eventId,
      type: this.state.events.get(d.eventId)?.type ?? null,
      endpoint: d.endpoint,
      state: d.state,
      attempts: d.attempts,
      next_attempt_at: d.state === 'pending' ? d.nextAttemptAt : null,
      last_status: d.lastStatus,
      last_error: d.lastError,
    }));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const { abort } of this.inFlight.values()) abort.abort();
    await Promise.all([...this.inFlight.values()].map(({ done }) => done));
  }

  private schedule(delivery: DeliveryRecord): void {
    if (this.closed || this.timers.has(delivery.id) || this.inFlight.has(delivery.id)) return;
    const delay = Math.max(0, delivery.nextAttemptAt - this.state.now());
    const timer = setTimeout(() => {
      this.timers.delete(delivery.id);
      this.start(delivery.id);
    }, delay);
    this.timers.set(delivery.id, timer);
  }

  private start(id: string): void {
    if (this.closed) return;
    const abort = new AbortController();
    const done = this.attempt(id, abort.signal).then(
      (retry) => {
        this.inFlight.delete(id);
        if (retry) this.schedule(retry);
      },
      (error: unknown) => {
        this.inFlight.delete(id);
        console.error(`[payments sandbox] webhook delivery ${id} failed unexpectedly:`, error);
      },
    );
    this.inFlight.set(id, { abort, done });
  }

  /** One attempt; resolves with the delivery to retry, if it is to be retried. */
  private async attempt(id: string, signal: AbortSignal): Promise<DeliveryRecord | null> {
    const delivery = this.state.deliveries.get(id);
    if (!delivery || delivery.state !== 'pending') return null;
    const event = this.state.events.get(delivery.eventId);
    const target = this.endpoints.resolve(delivery.endpoint);
    if (!event || !target) {
      this.finish({ ...delivery, state: 'failed', lastError: event ? 'the endpoint no longer exists' : 'the event no longer exists' });
      this.counts.abandoned++;
      return null;
    }
    const payload = JSON.stringify(serializeEvent(event), null, 2);
    const result: AttemptResult = await postWebhook(
      target.url,
      payload,
      {
        'content-type': 'application/json; charset=utf-8',
        // The receiver checks this against its own clock, so it is the real time, not the sandbox's.
        'stripe-signature': signatureHeader(payload, target.secret, Math.floor(Date.now() / 1000)),
        'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
        accept: '*/*; q=0.5, application/xml',
        'cache-control': 'no-cache',
      },
      this.policy.timeoutMs,
      signal,
    );
    // Closing aborts the attempt; it is neither a failure nor written: it resumes after a restart.
    if (this.closed) return null;
    const attempts = delivery.attempts + 1;
    const lastStatus = 'status' in result ? result.status : null;
    const lastError = 'error' in result ? result.error : null;
    if (lastStatus !== null && lastStatus >= 200 && lastStatus < 300) {
      this.counts.delivered++;
      this.state.transaction(() => {
        this.finish({ ...delivery, state: 'delivered', attempts, lastStatus, lastError: null });
        const current = this.state.events.get(event.id);
        if (current) this.state.events.put({ ...current, pendingWebhooks: Math.max(0, current.pendingWebhooks - 1) });
      });
      return null;
    }
    this.counts.failed++;
    if (attempts >= this.policy.maxAttempts) {
      this.counts.abandoned++;
      this.finish({ ...delivery, state: 'failed', attempts, lastStatus, lastError });
      return null;
    }
    const delay = Math.min(this.policy.baseMs * 2 ** (attempts - 1), this.policy.maxMs);
    const next: DeliveryRecord = { ...delivery, attempts, lastStatus, lastError, nextAttemptAt: this.state.now() + delay };
    this.state.deliveries.put(next);
    return next;
  }

  private finish(delivery: DeliveryRecord): void {
    this.state.deliveries.put(delivery);
    this.recent.push(delivery);
    if (this.recent.length > RECENT) this.recent.shift();
  }
}
