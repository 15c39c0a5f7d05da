/**
 * What makes cached entities evictable one by one: a version per entity (`Invoice:123`)
 * stored in the entity namespace and folded into every cached value of that entity. An
 * invalidation writes a new random version (no read-modify-write, so replicas bumping
 * at once cannot lose a bump); values cached under the old version no longer match and
 * are misses from then on, wherever they are and whatever selection or scope they hold.
 *
 * Whole root-field results and whole responses cannot be traced to the entities inside
 * them, so they carry the global generation, which every invalidation also bumps.
 *
 * A bump also opens a short hold on the entity (and on the generation): fresh values of it
 * are served but not stored until the hold ends. This covers a backend that applies the
 * change a little after we hear of it: after a payment, the payment provider sends its
 * webhook to the ERP and to the payments subgraph at once, so the gateway may evict the
 * invoice before the ERP has reconciled it; a read in that gap must not be cached.
 */
import { randomUUID } from 'node:crypto';
import type { CacheStore } from './CacheStore.js';
import { entityRefKey, type EntityRef } from './keys.js';

/** A version record: the version and the time (epoch ms) until which fresh values are not stored. */
export interface VersionRecord {
  v: string;
  hold: number;
}

/** The version of an entity that was never invalidated (or whose record expired). */
export const INITIAL_VERSION = '0';
const GENERATION_KEY = 'v:*';
/**
 * Version records outlive every value cached under them (values live at most
 * MAX_ENTRY_TTL_MS), so a record expiring can never bring an old value back.
 */
const VERSION_TTL_MS = 24 * 3600_000;
export const MAX_ENTRY_TTL_MS = 3600_000;

export interface Generation {
  version: string;
  /** True while the last invalidation's hold lasts: root and response caches do not write. */
  held: boolean;
}

export class EntityVersions {
  constructor(
    readonly store: CacheStore,
    private readonly holdMs: number,
  ) {}

  static versionKey(ref: EntityRef): string {
    return `v:${entityRefKey(ref)}`;
  }

  static read(record: VersionRecord | undefined, now: number): Generation {
    return { version: record?.v ?? INITIAL_VERSION, held: (record?.hold ?? 0) > now };
  }

  async generation(): Promise<Generation> {
    const [record] = await this.store.getMany<VersionRecord>([GENERATION_KEY]);
    return EntityVersions.read(record, Date.now());
  }

  /**
   * Evicts the entities everywhere (all selections, scopes, replicas sharing the store).
   * False when the store could not be written: the caller should have the sender retry.
   */
  async invalidate(refs: readonly EntityRef[]): Promise<boolean> {
    if (refs.length === 0) return true;
    const record = (): VersionRecord => ({ v: randomUUID(), hold: Date.now() + this.holdMs });
    const keys = new Set(refs.map((ref) => EntityVersions.versionKey(ref)));
    keys.add(GENERATION_KEY);
    return this.store.setMany([...keys].map((key) => ({ key, value: record(), ttl: VERSION_TTL_MS })));
  }
}
