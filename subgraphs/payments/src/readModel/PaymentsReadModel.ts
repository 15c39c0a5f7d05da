/**
 * The payments read model: local state kept the way Stripe recommends (list once, then
 * follow the events), so that lookups cost no backend call.
 *
 * 1. Sync: the newest event's id is noted, then every customer, payment intent and
 *    refund is listed (100 a page) into a fresh ReadModelStore, then the events that
 *    happened meanwhile are applied, and the store is swapped in.
 * 2. Webhooks: each verified event is applied before the subgraph tells the gateway to
 *    evict what it changed (createPaymentsSubgraph), so the gateway never re-caches the
 *    state the event replaced.
 * 3. Catch-up: every `catchUpIntervalMs`, GET /v1/events with `ending_before` = the last
 *    event seen, so that a lost or late webhook is applied within one interval. Each event
 *    a catch-up applied is then told to `onCaughtUp` (the paymentEvents publisher, which
 *    publishes each event once, however many sources bring it); a full sync's events are
 *    not (a backlog, not news).
 * 4. Writes made here (payInvoice, refundPayment) are stored before the mutation returns.
 *
 * Events may come twice and in any order: the store's merges never go back in time, and
 * customers are read again from Stripe instead of trusting the event's copy.
 *
 * The model is served only while it is fresh: synced, and caught up within `maxLagMs`.
 * Otherwise (starting, Stripe's events unreachable for too long) serving() returns null
 * and the loaders search Stripe as they do without a read model.
 */
import type Stripe from 'stripe';
import { BackendError, type Logger } from '../../../kit/src/index.js';
import type { StripePaymentsConnector } from '../connector/StripePaymentsConnector.js';
import { parsePaymentIntent, parseRefund } from '../connector/parseStripe.js';
import type { PaymentModel, RefundModel } from '../models.js';
import { paymentVersion, ReadModelStore, refundVersion } from './ReadModelStore.js';

export type ReadModelState = 'syncing' | 'ready' | 'stale';

export interface PaymentsReadModelOptions {
  connector: StripePaymentsConnector;
  logger: Logger;
  catchUpIntervalMs: number;
  maxLagMs: number;
  /** Milliseconds since the epoch. Default Date.now. */
  now?: () => number;
  /** Told of each event a catch-up has applied, in order (not of those a full sync applies). Must not throw. */
  onCaughtUp?: (event: Stripe.Event) => void;
}

/** The connector's calls the model makes (a test may count or replace them). */
type ReadModelBackend = Pick<
  StripePaymentsConnector,
  'listAllCustomers' | 'listAllPayments' | 'listAllRefunds' | 'newestEventId' | 'listEventsSince' | 'retrieveCustomer' | 'retrievePaymentMethod'
>;

const idOf = (value: unknown): string | null =>
  typeof value === 'string'
    ? value
    : typeof value === 'object' && value !== null && typeof (value as { id?: unknown }).id === 'string'
      ? (value as { id: string }).id
      : null;

export class PaymentsReadModel {
  private readonly backend: ReadModelBackend;
  private readonly logger: Logger;
  private readonly now: () => number;
  private store: ReadModelStore | null = null;
  /** The newest event the catch-up has applied (or the newest before the sync): where the next catch-up starts. */
  private cursor: string | null = null;
  private lastCaughtUpAt: number | null = null;
  private lastSyncedAt: number | null = null;
  private lastEvent: { id: string; type: string; created: number } | null = null;
  private lastError: string | null = null;
  private eventsApplied = 0;
  private syncs = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private stopped = false;
  private queue: Promise<void> = Promise.resolve();
  /** Customer re-reads run one after another per customer, so an older answer never lands last. */
  private readonly customerQueue = new Map<string, Promise<void>>();

  constructor(private readonly options: PaymentsReadModelOptions) {
    this.backend = options.connector;
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
  }

  /** Syncs now, then catches up every interval, until stop(). */
  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick().finally(() => {
        this.running = null;
        this.schedule(this.options.catchUpIntervalMs);
      });
    }, delayMs);
    this.timer.unref();
  }

  /** One step of the loop: a full sync when there is no model yet, a catch-up otherwise. Never throws. */
  async tick(): Promise<void> {
    try {
      await this.catchUp();
    } catch (error) {
      this.lastError = error instanceof Error ? error.message : String(error);
      this.logger.warn({ err: error, readModel: this.state }, 'payments read model could not sync; lookups search Stripe until it does');
    }
  }

  /** Syncs and catch-ups run one at a time (the timer's and a test's). */
  private exclusive(step: () => Promise<void>): Promise<void> {
    const run = this.queue.catch(() => undefined).then(step);
    this.queue = run;
    return run;
  }

  /** Lists everything into a new store, applies the events that happened meanwhile, and swaps it in. */
  sync(): Promise<void> {
    return this.exclusive(() => this.fullSync());
  }

  /** Applies the events since the last one seen (a full sync when there is no model yet). */
  catchUp(): Promise<void> {
    return this.exclusive(() => (this.store === null ? this.fullSync() : this.eventsSinceCursor()));
  }

  private async fullSync(): Promise<void> {
    const startedAt = this.now();
    const cursor = await this.backend.newestEventId();
    const listedAt = Math.floor(this.now() / 1000);
    const [customers, payments, refunds] = await Promise.all([this.backend.listAllCustomers(), this.backend.listAllPayments(), this.backend.listAllRefunds()]);
    const next = new ReadModelStore();
    for (const customer of customers) next.putCustomer(customer);
    // Lists come newest first: the first gets the highest sequence, as Stripe orders same-second objects.
    payments.forEach((payment, i) => next.putPayment(payment, paymentVersion(payment, listedAt), payments.length - i));
    refunds.forEach(({ paymentId, refund }, i) => next.putRefund(paymentId, refund, refundVersion(refund, listedAt), refunds.length - i));
    const events = await this.backend.listEventsSince(cursor);
    for (const event of events) await this.applyTo(next, event);
    this.store = next;
    this.cursor = events.at(-1)?.id ?? cursor;
    this.lastSyncedAt = this.lastCaughtUpAt = this.now();
    this.lastError = null;
    this.syncs++;
    this.logger.info({ ...next.counts(), events: events.length, ms: this.now() - startedAt }, 'payments read model synced');
  }

  /** A cursor Stripe no longer knows (it keeps events 30 days) means a full sync. */
  private async eventsSinceCursor(): Promise<void> {
    const store = this.store!;
    let events: Stripe.Event[];
    try {
      events = await this.backend.listEventsSince(this.cursor);
    } catch (error) {
      if (error instanceof BackendError && (error.code === 'NOT_FOUND' || error.code === 'BAD_USER_INPUT')) {
        this.logger.warn({ cursor: this.cursor }, 'payments read model lost its place in the events; syncing again');
        return this.fullSync();
      }
      throw error;
    }
    for (const event of events) {
      await this.applyTo(store, event);
      this.options.onCaughtUp?.(event);
    }
    if (events.length > 0) this.cursor = events.at(-1)!.id;
    this.lastCaughtUpAt = this.now();
    this.lastError = null;
  }

  /** A webhook's event, applied to the model being served (a sync in progress gets it from its own catch-up). Throws when it cannot be applied, so that Stripe delivers it again. */
  async applyEvent(event: Stripe.Event): Promise<void> {
    if (this.store) await this.applyTo(this.store, event);
  }

  private async applyTo(store: ReadModelStore, event: Stripe.Event): Promise<void> {
    const object = event.data.object as unknown as Record<string, unknown> & { object?: string; id: string };
    switch (object.object) {
      case 'payment_intent': {
        const intent = object as unknown as Stripe.PaymentIntent;
        let payment = parsePaymentIntent(intent);
        // An event names the card by id: its details come from the model, or once from Stripe.
        const cardId = payment.paymentMethod === null ? idOf(intent.payment_method) : null;
        if (cardId !== null) payment = { ...payment, paymentMethod: store.card(cardId) ?? (await this.backend.retrievePaymentMethod(cardId)) };
        store.putPayment(payment, paymentVersion(payment, event.created));
        break;
      }
      case 'refund': {
        const refund = object as unknown as Stripe.Refund;
        const paymentId = idOf(refund.payment_intent);
        const model = parseRefund(refund);
        if (paymentId !== null) store.putRefund(paymentId, model, refundVersion(model, event.created));
        break;
      }
      case 'customer':
        if (event.type === 'customer.deleted') {
          store.removeCustomer(object.id);
          store.customerCardsChanged(object.id);
        } else await this.rereadCustomer(store, object.id);
        break;
      case 'payment_method': {
        const previous = (event.data.previous_attributes ?? {}) as { customer?: unknown };
        store.cardChanged(object.id, [idOf(object.customer), idOf(previous.customer)]);
        break;
      }
      default:
        // Charges change nothing the model keeps: refunds have their own events, and the rest is on the intent.
        break;
    }
    this.eventsApplied++;
    if (this.lastEvent === null || event.created >= this.lastEvent.created) this.lastEvent = { id: event.id, type: event.type, created: event.created };
  }

  private rereadCustomer(store: ReadModelStore, id: string): Promise<void> {
    const previous = this.customerQueue.get(id) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(async () => {
        const customer = await this.backend.retrieveCustomer(id);
        if (customer) store.putCustomer(customer);
        else store.removeCustomer(id);
        store.customerCardsChanged(id);
      });
    this.customerQueue.set(id, next);
    void next
      .finally(() => {
        if (this.customerQueue.get(id) === next) this.customerQueue.delete(id);
      })
      .catch(() => undefined);
    return next;
  }

  /** A payment this subgraph just made or read back after a write: stored at once (read-your-writes). */
  recordPayment(payment: PaymentModel): void {
    this.store?.putPayment(payment, paymentVersion(payment, Math.floor(this.now() / 1000)));
  }

  /** A refund this subgraph just made. */
  recordRefund(paymentId: string, refund: RefundModel): void {
    this.store?.putRefund(paymentId, refund, refundVersion(refund, Math.floor(this.now() / 1000)));
  }

  get state(): ReadModelState {
    if (this.store === null) return 'syncing';
    return this.lastCaughtUpAt !== null && this.now() - this.lastCaughtUpAt <= this.options.maxLagMs ? 'ready' : 'stale';
  }

  /** The store to answer from, or null when lookups must search Stripe (not synced yet, or too far behind). */
  serving(): ReadModelStore | null {
    return this.state === 'ready' ? this.store : null;
  }

  health(): Record<string, unknown> {
    const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
    return {
      state: this.state,
      breaker: this.options.connector.policy.breakerState,
      objects: this.store?.counts() ?? null,
      lastEvent: this.lastEvent,
      eventsApplied: this.eventsApplied,
      syncs: this.syncs,
      lastSyncedAt: iso(this.lastSyncedAt),
      lastCaughtUpAt: iso(this.lastCaughtUpAt),
      lastError: this.lastError,
    };
  }
}
