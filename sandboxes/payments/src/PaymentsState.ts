/**
 * The sandbox's data: the SQLite store (kit) and, over it, one Table per resource with
 * the indexes its lists and searches use: payment intents by customer, by
 * metadata.erp_invoice_id and by metadata.crm_company_id; customers by
 * metadata.crm_company_id; payment methods by customer; charges and refunds by payment
 * intent. Built once at open, kept current by Table.put() and Table.deleteCreatedBefore().
 *
 * It also holds the sandbox's clock (every `created`, idempotency record and retention
 * decision reads it; tests inject one) and how long events are kept.
 */
import { SandboxStore, type Collection, type SeedOptions } from '../../kit/src/index.js';
import { DEFAULT_EVENT_RETENTION_MS } from './config.js';
import type {
  ChargeRecord,
  CustomerRecord,
  DeliveryRecord,
  EventRecord,
  PaymentIntentRecord,
  PaymentMethodRecord,
  RefundRecord,
  WebhookEndpointRecord,
} from './records.js';
import { seedCollections } from './seedDocs.js';
import { Table } from './Table.js';

const metadataKey = (value: string | undefined): string[] => (value === undefined ? [] : [value]);

export interface PaymentsStateOptions {
  /** The sandbox's clock, ms since the epoch. Default Date.now. */
  now?: () => number;
  /** How long an event is listed and retrievable. Default 30 days. */
  eventRetentionMs?: number;
}

export class PaymentsState {
  readonly customers: Table<CustomerRecord>;
  readonly paymentMethods: Table<PaymentMethodRecord>;
  readonly paymentIntents: Table<PaymentIntentRecord>;
  readonly charges: Table<ChargeRecord>;
  readonly refunds: Table<RefundRecord>;
  readonly events: Table<EventRecord>;
  readonly webhookEndpoints: Table<WebhookEndpointRecord>;
  readonly deliveries: Collection<DeliveryRecord>;

  /** The sandbox's clock, ms since the epoch. */
  readonly now: () => number;
  readonly eventRetentionMs: number;

  private constructor(
    readonly store: SandboxStore,
    options: PaymentsStateOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.eventRetentionMs = options.eventRetentionMs ?? DEFAULT_EVENT_RETENTION_MS;
    this.customers = new Table(store.collection<CustomerRecord>('customers')).index('crm_company_id', (c) => metadataKey(c.metadata.crm_company_id));
    this.paymentMethods = new Table(store.collection<PaymentMethodRecord>('payment_methods')).index('customer', (pm) => (pm.customer ? [pm.customer] : []));
    this.paymentIntents = new Table(store.collection<PaymentIntentRecord>('payment_intents'))
      .index('customer', (pi) => (pi.customer ? [pi.customer] : []))
      .index('erp_invoice_id', (pi) => metadataKey(pi.metadata.erp_invoice_id))
      .index('crm_company_id', (pi) => metadataKey(pi.metadata.crm_company_id));
    this.charges = new Table(store.collection<ChargeRecord>('charges')).index('payment_intent', (ch) => [ch.paymentIntent]);
    this.refunds = new Table(store.collection<RefundRecord>('refunds'))
      .index('payment_intent', (re) => [re.paymentIntent])
      .index('charge', (re) => [re.charge]);
    this.events = new Table(store.collection<EventRecord>('events'));
    this.webhookEndpoints = new Table(store.collection<WebhookEndpointRecord>('webhook_endpoints'));
    this.deliveries = store.collection<DeliveryRecord>('webhook_deliveries');
  }

  /** Opens the store at `file`, seeding it from the world when it is new or was seeded differently. */
  static open(file: string, seed: SeedOptions, options: PaymentsStateOptions = {}): PaymentsState {
    const store = SandboxStore.open({
      file,
      seedKey: `payments:${seed.seed}:${seed.scale}`,
      seed: () => seedCollections(seed),
      now: options.now,
    });
    return new PaymentsState(store, options);
  }

  /**
   * An event as the API shows it: undefined once it is as old as the retention period
   * (Stripe lists and retrieves events of the last 30 days), even before pruning
   * deletes it.
   */
  retainedEvent(id: string): EventRecord | undefined {
    const event = this.events.get(id);
    return event && this.now() - event.created * 1000 < this.eventRetentionMs ? event : undefined;
  }

  /** Runs `fn` in one SQLite transaction: its writes reach the file together or not at all. */
  transaction<R>(fn: () => R): R {
    return this.store.transaction(fn);
  }

  close(): void {
    this.store.close();
  }
}
