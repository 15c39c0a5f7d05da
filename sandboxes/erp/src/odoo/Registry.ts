/**
 * The models the sandbox serves, over the kit's document store, with the indexes that
 * turn the searches connectors make all the time (`partner_id in [...]`, `ref in [...]`,
 * `order_id in [...]`, `id in [...]`) into map lookups instead of scans.
 *
 * Indexes live in memory, are built when the store opens and are updated by `save`,
 * the only way records change, after the write reached the file.
 */
import type { Collection, SandboxStore } from '../../../kit/src/index.js';
import type { ComputeEnv, FieldDef, ModelFields, RecordDoc, Stored } from './fields.js';

export interface ModelDef {
  name: string;
  /** Odoo's _description, used in constraint messages ("Model: Sales Order (sale.order)"). */
  description: string;
  /** Odoo's _order, the default sort of search(). */
  order: string;
  fields: ModelFields;
  displayName(doc: RecordDoc, env: ComputeEnv): string;
  /** Fields name_search matches, besides the display name. */
  nameSearchFields: string[];
  /** Values for fields a create() left out, given the values it set and the new id. */
  defaults?(id: number, vals: Readonly<Record<string, Stored>>, env: ComputeEnv, now: number): Record<string, Stored>;
  /** Derived values settled after create or write (e.g. the number a posted invoice gets). */
  settle?(doc: RecordDoc, env: ComputeEnv): void;
  /** A database constraint: the ValidationError text when `doc` breaks it. */
  check?(doc: RecordDoc): string | undefined;
}

const EMPTY: ReadonlySet<number> = new Set();

/** Fields every Odoo model has (magic fields), added to each definition. */
function withMagicFields(def: ModelDef): ModelDef {
  const magic: ModelFields = {
    id: { type: 'integer', string: 'ID', readonly: true, index: true },
    display_name: { type: 'char', string: 'Display Name', readonly: true, compute: (doc, env) => env.displayName(def.name, doc.id) },
    create_date: { type: 'datetime', string: 'Created on', readonly: true },
    write_date: { type: 'datetime', string: 'Last Updated on', readonly: true },
  };
  return {
    ...def,
    fields: { id: magic.id!, ...def.fields, display_name: magic.display_name!, create_date: magic.create_date!, write_date: magic.write_date! },
  };
}

export class ModelStore {
  private readonly indexes = new Map<string, Map<Stored, Set<number>>>();
  private maxId = 0;

  constructor(
    readonly def: ModelDef,
    private readonly collection: Collection<RecordDoc>,
  ) {
    for (const [name, field] of Object.entries(def.fields)) {
      if (field.index && name !== 'id' && !field.compute) this.indexes.set(name, new Map());
    }
    for (const doc of collection.values()) {
      this.indexDoc(doc);
      if (doc.id > this.maxId) this.maxId = doc.id;
    }
  }

  get name(): string {
    return this.def.name;
  }

  get size(): number {
    return this.collection.size;
  }

  get(id: number): RecordDoc | undefined {
    return this.collection.get(id);
  }

  /** All records, in creation order (which is id order). */
  all(): IterableIterator<RecordDoc> {
    return this.collection.values();
  }

  field(name: string): FieldDef | undefined {
    return Object.hasOwn(this.def.fields, name) ? this.def.fields[name] : undefined;
  }

  isIndexed(field: string): boolean {
    return field === 'id' || this.indexes.has(field);
  }

  /** Ids whose `field` holds `key`; only for indexed fields. */
  lookup(field: string, key: Stored): ReadonlySet<number> {
    if (field === 'id') return typeof key === 'number' && this.collection.has(key) ? new Set([key]) : EMPTY;
    return this.indexes.get(field)?.get(key) ?? EMPTY;
  }

  /** Reserves the next id (ids are never reused). */
  nextId(): number {
    this.maxId += 1;
    return this.maxId;
  }

  /** Writes a record to the file, then moves it in the indexes. */
  save(doc: RecordDoc): void {
    const previous = this.collection.get(doc.id);
    this.collection.put(doc);
    if (previous) this.unindexDoc(previous);
    this.indexDoc(doc);
    if (doc.id > this.maxId) this.maxId = doc.id;
  }

  private indexDoc(doc: RecordDoc): void {
    for (const [field, index] of this.indexes) {
      const key = doc[field];
      if (key === undefined || key === false) continue;
      let ids = index.get(key);
      if (!ids) index.set(key, (ids = new Set()));
      ids.add(doc.id);
    }
  }

  private unindexDoc(doc: RecordDoc): void {
    for (const [field, index] of this.indexes) {
      const key = doc[field];
      if (key === undefined || key === false) continue;
      index.get(key)?.delete(doc.id);
    }
  }
}

export class Registry implements ComputeEnv {
  private readonly models = new Map<string, ModelStore>();

  constructor(
    readonly store: SandboxStore,
    defs: readonly ModelDef[],
  ) {
    for (const def of defs) {
      const full = withMagicFields(def);
      this.models.set(def.name, new ModelStore(full, store.collection<RecordDoc>(def.name)));
    }
  }

  model(name: string): ModelStore | undefined {
    return this.models.get(name);
  }

  modelNames(): string[] {
    return [...this.models.keys()];
  }

  get(model: string, id: number): RecordDoc | undefined {
    return this.models.get(model)?.get(id);
  }

  lookup(model: string, field: string, key: Stored): ReadonlySet<number> {
    return this.models.get(model)?.lookup(field, key) ?? EMPTY;
  }

  displayName(model: string, id: number): string {
    const store = this.models.get(model);
    const doc = store?.get(id);
    return store && doc ? store.def.displayName(doc, this) : '';
  }

  /** A field's value on a record: stored, computed, or (one2many) gathered from the inverse index. */
  value(model: ModelStore, doc: RecordDoc, name: string): Stored | number[] {
    const field = model.field(name);
    if (!field) return false;
    if (field.compute) return field.compute(doc, this);
    if (field.type === 'one2many' && field.relation && field.inverse) {
      return [...this.lookup(field.relation, field.inverse, doc.id)].sort((a, b) => a - b);
    }
    const stored = doc[name];
    return stored === undefined ? false : stored;
  }
}
