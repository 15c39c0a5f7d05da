/**
 * The entity cache (`_entities` results per type, key and selection) and its sibling for whole root-field fetches.
 *
 * An entity value is one element of an `_entities` answer, keyed by subgraph, type, the
 * canonical representation (key fields plus any @requires fields), the selection (a hash
 * of the subgraph query and its other variables) and the scope: `public`, or the user's
 * scope when the subgraph's hint said PRIVATE. A lookup reads, in one round trip, the
 * entity's version record and both scoped candidates; a value counts only if it was stored
 * under the current version. Values live as long as the subgraph's hint says (max-age),
 * capped at MAX_ENTRY_TTL_MS; nothing is stored without a hint.
 *
 * A root value is a whole non-mutation root fetch (crm's `customers(first: 50)`), keyed by
 * subgraph, query, variables and scope, valid for the generation it was stored under.
 */
import type { GatewayMetrics } from '../metrics.js';
import type { CacheHint, CacheScope } from './cacheHint.js';
import type { CacheStore } from './CacheStore.js';
import { EntityVersions, MAX_ENTRY_TTL_MS, type Generation, type VersionRecord } from './EntityVersions.js';
import { canonicalJson, sha256, type EntityRef } from './keys.js';

/** A representation as the query planner sends it: `__typename` plus key (and @requires) fields. */
export type Representation = { __typename: string } & Record<string, unknown>;

/** What a cached value holds: data, the version (or generation) it belongs to, expiry and scope. */
interface StoredValue {
  d: unknown;
  v: string;
  exp: number;
  s: CacheScope;
}

export type EntityLookup = { hit: true; data: unknown; hint: CacheHint } | { hit: false; version: string; held: boolean };

export interface FetchScope {
  subgraph: string;
  /** Hash of the subgraph query and of its variables other than the representations. */
  selection: string;
  /** The user scope of the request (see userScope): where PRIVATE values go. */
  userScope: string;
  /**
   * Where PUBLIC values go: `public`, or a scope per customer binding for a customer-bound
   * caller, whose subgraph answers differ (auth/identity.ts's bindingScope). Default `public`.
   */
  publicScope?: string;
}

/** The entity a representation names: by id when it has one (all of this graph's keys are `id`). */
export function refOf(rep: Representation): EntityRef {
  const { __typename, id } = rep;
  if (typeof id === 'string' || typeof id === 'number') return { __typename, id: String(id) };
  const { __typename: _type, ...keyFields } = rep;
  return { __typename, id: sha256(canonicalJson(keyFields)) };
}

const hintOf = (value: StoredValue, now: number): CacheHint => ({ maxAge: Math.max(1, Math.ceil((value.exp - now) / 1000)), scope: value.s });
const scopeKey = (hint: CacheHint, at: FetchScope): string => (hint.scope === 'PRIVATE' ? at.userScope : (at.publicScope ?? 'public'));
const ttlOf = (hint: CacheHint): number => Math.min(hint.maxAge * 1000, MAX_ENTRY_TTL_MS);

export class EntityCache {
  constructor(
    private readonly entities: CacheStore,
    private readonly roots: CacheStore,
    private readonly metrics: GatewayMetrics,
  ) {}

  /** An entity value's key without its scope (which follows it): the representation is serialised and hashed once. */
  private entityKeyBase(at: FetchScope, rep: Representation): string {
    return `e:${at.subgraph}:${rep.__typename}:${sha256(canonicalJson(rep)).slice(0, 40)}:${at.selection}:`;
  }

  async lookup(at: FetchScope, reps: readonly Representation[]): Promise<EntityLookup[]> {
    const keys: string[] = [];
    for (const rep of reps) {
      const base = this.entityKeyBase(at, rep);
      keys.push(EntityVersions.versionKey(refOf(rep)), base + at.userScope, base + (at.publicScope ?? 'public'));
    }
    const values = await this.entities.getMany<VersionRecord | StoredValue>(keys);
    const now = Date.now();
    const lookups = reps.map((_, i): EntityLookup => {
      const current = EntityVersions.read(values[3 * i] as VersionRecord | undefined, now);
      for (const candidate of [values[3 * i + 1], values[3 * i + 2]] as Array<StoredValue | undefined>) {
        if (candidate && candidate.v === current.version && candidate.exp > now) return { hit: true, data: candidate.d, hint: hintOf(candidate, now) };
      }
      return { hit: false, version: current.version, held: current.held };
    });
    const hits = lookups.filter((l) => l.hit).length;
    this.metrics.cache('entity', 'hit', hits);
    this.metrics.cache('entity', 'miss', lookups.length - hits);
    return lookups;
  }

  /** Stores fresh entities (null ones and those under a hold are skipped). */
  async store(at: FetchScope, fresh: ReadonlyArray<{ rep: Representation; data: unknown; version: string; held: boolean }>, hint: CacheHint): Promise<void> {
    const exp = Date.now() + ttlOf(hint);
    await this.entities.setMany(
      fresh
        .filter((item) => item.data !== null && item.data !== undefined && !item.held)
        .map((item) => ({
          key: this.entityKeyBase(at, item.rep) + scopeKey(hint, at),
          value: { d: item.data, v: item.version, exp, s: hint.scope } satisfies StoredValue,
          ttl: ttlOf(hint),
        })),
    );
  }

  private rootKey(at: FetchScope, scope: string): string {
    return `r:${at.subgraph}:${at.selection}:${scope}`;
  }

  /** A whole root fetch's data stored under the current generation, or undefined. */
  async lookupRoot(at: FetchScope, generation: Generation): Promise<{ data: unknown; hint: CacheHint } | undefined> {
    const values = await this.roots.getMany<StoredValue>([this.rootKey(at, at.userScope), this.rootKey(at, at.publicScope ?? 'public')]);
    const now = Date.now();
    const found = values.find((value) => value && value.v === generation.version && value.exp > now);
    this.metrics.cache('root', found ? 'hit' : 'miss');
    return found ? { data: found.d, hint: hintOf(found, now) } : undefined;
  }

  async storeRoot(at: FetchScope, generation: Generation, data: unknown, hint: CacheHint): Promise<void> {
    if (generation.held) return;
    const value: StoredValue = { d: data, v: generation.version, exp: Date.now() + ttlOf(hint), s: hint.scope };
    await this.roots.setMany([{ key: this.rootKey(at, scopeKey(hint, at)), value, ttl: ttlOf(hint) }]);
  }
}
