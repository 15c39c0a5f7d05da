/**
 * What this service remembers of each money write it sent, by the client's idempotency
 * key: the request it was for (a fingerprint) and, once known, the provider object it
 * made. It answers two questions the provider cannot answer cheaply:
 * - the same key with another request is refused (IDEMPOTENCY_KEY_REUSED) before any call;
 * - a retry of a write that succeeded gets its first result back even when the invoice
 *   it paid is now closed (the checks would otherwise refuse it as INVOICE_NOT_OPEN).
 *
 * In keyv: Redis when REDIS_URL is set (every replica sees every record), memory
 * otherwise. Kept 24 hours, as Stripe keeps idempotency keys. A record is a convenience on
 * top of the real guards (the per-invoice lock, the provider's own idempotency, the key in
 * the intent's metadata): a store that fails reads as "no record", never as a failed write.
 */
import type Keyv from 'keyv';
import { createCache, withDeadline, type Logger } from '../../../kit/src/index.js';

export type MoneyOperation = 'payInvoice' | 'refundPayment';

export interface IdempotencyRecord {
  /** The request the key was first used for. */
  fingerprint: string;
  /** `sending` from just before the provider call until its answer; `done` with the object's id after. */
  state: 'sending' | 'done';
  /** pi_… for payInvoice, re_… for refundPayment, once done. */
  resultId?: string;
}

const RETENTION_MS = 24 * 60 * 60 * 1000;
const STORE_TIMEOUT_MS = 500;

export class IdempotencyRecords {
  private readonly store: Keyv;

  constructor(options: { redisUrl: string | undefined; logger: Logger }) {
    this.store = createCache({
      namespace: 'payments:idempotency',
      redisUrl: options.redisUrl,
      onError: (error) => options.logger.warn({ err: error }, 'idempotency record store failed; going on without it'),
    });
  }

  async get(operation: MoneyOperation, key: string): Promise<IdempotencyRecord | undefined> {
    return this.bounded(this.store.get<IdempotencyRecord>(`${operation}:${key}`)).catch(() => undefined);
  }

  async put(operation: MoneyOperation, key: string, record: IdempotencyRecord): Promise<void> {
    await this.bounded(this.store.set(`${operation}:${key}`, record, RETENTION_MS)).catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.store.disconnect().catch(() => undefined);
  }

  private bounded<T>(operation: Promise<T>): Promise<T | undefined> {
    return withDeadline(operation, STORE_TIMEOUT_MS, () => undefined);
  }
}
