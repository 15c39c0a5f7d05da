/**
 * The CRM's records over the embedded store, with the indexes the endpoints need so that
 * no lookup scans a collection: ids in order (list paging by `after`), contacts and deals
 * per company (associations, `associations.company` search), contacts by email
 * (`idProperty=email`). The indexes are built at open and kept up to date on every write;
 * every write goes through `Collection.put`, so it is on disk before the call returns.
 */
import type { Collection, SandboxStore } from '../../kit/src/index.js';
import { OBJECT_TYPES, type ObjectTypeName } from './objectTypes.js';
import type { CrmRecord } from './records.js';

type ChildType = 'contacts' | 'deals';

/** Where each type's ids start, as in the seed world; only used when a type is empty. */
const FIRST_ID: Readonly<Record<ObjectTypeName, number>> = { companies: 10_000_001, contacts: 20_000_001, deals: 30_000_001 };

/** Index of the first id >= `after` in numerically sorted ids. */
function lowerBound(ids: readonly string[], after: number): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (Number(ids[mid]) < after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class CrmData {
  private readonly collections = new Map<ObjectTypeName, Collection<CrmRecord>>();
  private readonly orderedIds = new Map<ObjectTypeName, string[]>();
  private readonly children = new Map<ChildType, Map<string, Set<string>>>();
  private readonly contactsByEmail = new Map<string, string>();

  constructor(store: SandboxStore) {
    for (const name of Object.keys(OBJECT_TYPES) as ObjectTypeName[]) {
      const collection = store.collection<CrmRecord>(name);
      this.collections.set(name, collection);
      const ids = [...collection.values()].map((record) => record.id);
      this.orderedIds.set(
        name,
        ids.sort((a, b) => Number(a) - Number(b)),
      );
    }
    for (const type of ['contacts', 'deals'] as const) {
      this.children.set(type, new Map());
      for (const record of this.collection(type).values()) this.link(type, record.id, record.companyId);
    }
    for (const contact of this.collection('contacts').values()) this.indexEmail(contact, null);
  }

  get(type: ObjectTypeName, id: string): CrmRecord | undefined {
    return this.collection(type).get(id);
  }

  /** Looks a record up by a unique-value property (`hs_object_id`, or a contact's `email`). */
  getBy(type: ObjectTypeName, idProperty: string, value: string): CrmRecord | undefined {
    if (idProperty === 'email' && type === 'contacts') {
      const id = this.contactsByEmail.get(value.toLowerCase());
      return id === undefined ? undefined : this.get(type, id);
    }
    return this.get(type, value);
  }

  /** Every record of a type, in id order (HubSpot's creation order). */
  *all(type: ObjectTypeName): Generator<CrmRecord> {
    const collection = this.collection(type);
    for (const id of this.ids(type)) yield collection.get(id)!;
  }

  count(type: ObjectTypeName): number {
    return this.ids(type).length;
  }

  /**
   * One page of a list: records from id `after` on (HubSpot's list cursor is the id of the
   * next record), and the cursor of the page after, or null on the last page.
   */
  page(type: ObjectTypeName, after: number | null, limit: number): { records: CrmRecord[]; nextAfter: string | null } {
    const ids = this.ids(type);
    const start = after === null ? 0 : lowerBound(ids, after);
    const slice = ids.slice(start, start + limit);
    const collection = this.collection(type);
    return { records: slice.map((id) => collection.get(id)!), nextAfter: ids[start + limit] ?? null };
  }

  /** Ids of the contacts or deals whose primary company is `companyId`, in id order. */
  childIds(type: ChildType, companyId: string): string[] {
    const set = this.children.get(type)!.get(companyId);
    return set ? [...set].sort((a, b) => Number(a) - Number(b)) : [];
  }

  /** Creates a record with the next id of its type; `properties` must be validated. */
  create(type: ObjectTypeName, properties: Record<string, string>, companyId: string | null, now: number): CrmRecord {
    const ids = this.ids(type);
    const last = ids[ids.length - 1];
    // New ids follow the highest one, so id order stays creation order.
    const id = String(last === undefined ? FIRST_ID[type] : Number(last) + 1);
    const record: CrmRecord = { id, properties, createdAt: now, updatedAt: now, companyId };
    this.collection(type).put(record);
    ids.push(id);
    if (type !== 'companies') this.link(type, id, companyId);
    if (type === 'contacts') this.indexEmail(record, null);
    return record;
  }

  /**
   * Applies validated changes ('' clears a property), bumps updatedAt and writes the record
   * through to the file. `companyId` undefined keeps the primary company.
   */
  update(type: ObjectTypeName, id: string, changes: Record<string, string>, companyId: string | null | undefined, now: number): CrmRecord {
    const before = this.collection(type).get(id);
    if (!before) throw new Error(`update of unknown ${type} ${id}`);
    const properties = { ...before.properties };
    for (const [name, value] of Object.entries(changes)) {
      if (value === '') delete properties[name];
      else properties[name] = value;
    }
    const after: CrmRecord = {
      ...before,
      properties,
      companyId: companyId === undefined ? before.companyId : companyId,
      // Strictly later than before, so a fast second write is still visible as a change.
      updatedAt: Math.max(now, before.updatedAt + 1),
    };
    this.collection(type).put(after);
    if (type !== 'companies' && after.companyId !== before.companyId) {
      this.unlink(type, id, before.companyId);
      this.link(type, id, after.companyId);
    }
    if (type === 'contacts') this.indexEmail(after, before);
    return after;
  }

  private collection(type: ObjectTypeName): Collection<CrmRecord> {
    return this.collections.get(type)!;
  }

  private ids(type: ObjectTypeName): string[] {
    return this.orderedIds.get(type)!;
  }

  private link(type: ChildType, id: string, companyId: string | null): void {
    if (companyId === null) return;
    const byCompany = this.children.get(type)!;
    let set = byCompany.get(companyId);
    if (!set) byCompany.set(companyId, (set = new Set()));
    set.add(id);
  }

  private unlink(type: ChildType, id: string, companyId: string | null): void {
    if (companyId !== null) this.children.get(type)!.get(companyId)?.delete(id);
  }

  private indexEmail(contact: CrmRecord, previous: CrmRecord | null): void {
    const old = previous?.properties.email?.toLowerCase();
    if (old && this.contactsByEmail.get(old) === contact.id) this.contactsByEmail.delete(old);
    const email = contact.properties.email?.toLowerCase();
    if (email) this.contactsByEmail.set(email, contact.id);
  }
}
