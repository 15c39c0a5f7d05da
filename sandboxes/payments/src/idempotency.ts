/**
 * Stripe's idempotent requests (https://docs.stripe.com/api/idempotent_requests): a POST
 * with an `Idempotency-Key` stores its status and body once the endpoint has started
 * executing; the same key with the same endpoint and parameters then replays that
 * response (header `Idempotent-Replayed: true`) without running the endpoint again; with
 * other parameters it is refused with an idempotency_error. Keys are scoped to the API
 * key and honoured for 24 hours ("keys can be pruned from the system automatically
 * after they're at least 24 hours old", and a key reused after that is a new request).
 *
 * Records live in the store's meta table, written in the same transaction as the
 * objects the request created, so a crash cannot leave an object without its key (and a
 * retry would not create it twice). A record at least the retention period old is
 * ignored by check() and deleted by prune().
 */
import { createHash } from 'node:crypto';
import { createdCutoff, type SandboxStore } from '../../kit/src/index.js';
import { DEFAULT_IDEMPOTENCY_RETENTION_MS } from './config.js';
import { idempotencyError, invalidRequest } from './errors.js';

export const IDEMPOTENCY_TTL_MS = DEFAULT_IDEMPOTENCY_RETENTION_MS;
/** Where the records are in the store's meta table: `idem:<api key scope>:<key>`. */
export const IDEMPOTENCY_META_PREFIX = 'idem:';
const MAX_KEY_LENGTH = 255;

export interface StoredResponse {
  status: number;
  body: string;
  requestId: string;
}

interface IdempotencyRecord extends StoredResponse {
  method: string;
  path: string;
  paramsHash: string;
  createdAt: number;
}

export type IdempotencyLookup = { kind: 'new' } | { kind: 'replay'; response: StoredResponse };

/**
 * Stripe saves results "after the execution of an endpoint begins": successes and card
 * declines. Requests refused by validation (400) or naming unknown objects (404) changed
 * nothing, so they are not saved and may be retried with the same key.
 */
export function isSaved(status: number): boolean {
  return status < 400 || status === 402;
}

export interface IdempotencyOptions {
  /** How long a key is honoured, ms. Default 24 h. */
  ttlMs?: number;
  /** The clock, ms since the epoch; the store's should be the same. Default Date.now. */
  now?: () => number;
}

export class IdempotencyKeys {
  readonly ttlMs: number;
  private readonly clock: () => number;

  constructor(
    private readonly store: SandboxStore,
    options: IdempotencyOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? IDEMPOTENCY_TTL_MS;
    this.clock = options.now ?? Date.now;
  }

  private storeKey(apiKey: string, key: string): string {
    const scope = createHash('sha256').update(apiKey).digest('hex').slice(0, 16);
    return `${IDEMPOTENCY_META_PREFIX}${scope}:${key}`;
  }

  /** Checks a key before the request runs: a replay, a misuse (thrown), or new. */
  check(apiKey: string, key: string, method: string, path: string, paramsHash: string, now = this.clock()): IdempotencyLookup {
    if (key.length > MAX_KEY_LENGTH) {
      throw invalidRequest(`Invalid Idempotency-Key: keys can be at most ${MAX_KEY_LENGTH} characters long.`, { param: 'Idempotency-Key' });
    }
    const raw = this.store.meta(this.storeKey(apiKey, key));
    if (raw === undefined) return { kind: 'new' };
    const record = JSON.parse(raw) as IdempotencyRecord;
    if (now - record.createdAt >= this.ttlMs) return { kind: 'new' };
    if (record.method !== method || record.path !== path) {
      throw idempotencyError(
        `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${record.method} ${record.path}' vs '${method} ${path}'). Try using a key other than '${key}' if you meant to execute a different request.`,
      );
    }
    if (record.paramsHash !== paramsHash) {
      throw idempotencyError(
        `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
      );
    }
    return { kind: 'replay', response: { status: record.status, body: record.body, requestId: record.requestId } };
  }

  /** Saves a response under its key; call inside the transaction that made its writes. */
  save(apiKey: string, key: string, method: string, path: string, paramsHash: string, response: StoredResponse, now = this.clock()): void {
    const record: IdempotencyRecord = { ...response, method, path, paramsHash, createdAt: now };
    const storeKey = this.storeKey(apiKey, key);
    // An expired record not pruned yet is replaced by a new one: deleted first, so that
    // the store dates the new one now and prune() does not take it for the old.
    this.store.deleteMeta(storeKey);
    this.store.setMetaValue(storeKey, JSON.stringify(record));
  }

  /** Deletes the records at least `ttlMs` old at `now`; returns how many. */
  prune(now = this.clock()): number {
    return this.store.deleteMetaCreatedBefore(IDEMPOTENCY_META_PREFIX, createdCutoff(now, this.ttlMs));
  }
}

export function hashParams(canonical: string): string {
  return createHash('sha256').update(canonical).digest('hex');
}
