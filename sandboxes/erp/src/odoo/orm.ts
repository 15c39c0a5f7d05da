/**
 * The ORM methods the external API reaches (search, read, create, write, fields_get,
 * name_search), over the registry, with Odoo's answers to bad input: unknown fields,
 * wrong values, missing required fields, dangling many2one ids.
 *
 * Writes are prepared in full (every record of a create with order lines, every record
 * of a write) before the first one is saved, and saved in one store transaction, so a
 * rejected call changes nothing, in memory or on disk.
 */
import { isStruct, newStruct, type XmlRpcStruct, type XmlRpcValue } from '../../../../lib/xmlrpc/values.js';
import { DomainEvaluator } from './domainMatch.js';
import { missingError, pythonError, validationError } from './exceptions.js';
import { formatDatetime, isToMany, toRead, toStored, type FieldDef, type RecordDoc, type Stored } from './fields.js';
import { sortIds } from './order.js';
import { pyRepr, pyStr } from './pyRepr.js';
import type { ModelStore, Registry } from './Registry.js';
import { applyX2manyCommands } from './x2manyCommands.js';

export interface SearchOptions {
  offset: number;
  limit: number | null;
  order: string | null;
  activeTest: boolean;
}

/** Records prepared by a write, by model and id, not saved yet. */
export type Pending = Map<ModelStore, Map<number, RecordDoc>>;

/** Fields the ORM sets itself; values a client sends for them are dropped, as Odoo drops them. */
const MAGIC = new Set(['id', 'display_name', 'create_date', 'write_date', 'create_uid', 'write_uid', '__last_update']);

function pyTypeName(value: XmlRpcValue): string {
  if (value === null) return 'NoneType';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'string') return 'str';
  if (Array.isArray(value)) return 'list';
  return isStruct(value) ? 'dict' : 'object';
}

export function toIds(value: XmlRpcValue): number[] {
  const items = Array.isArray(value) ? value : [value];
  return items.map((item) => {
    if (typeof item === 'number' && Number.isInteger(item)) return item;
    throw pythonError('psycopg2.errors.InvalidTextRepresentation', `invalid input syntax for type integer: ${JSON.stringify(pyRepr(item))}`);
  });
}

export class Orm {
  readonly domains: DomainEvaluator;

  constructor(
    readonly registry: Registry,
    private readonly uid: number,
    private readonly now: () => number = Date.now,
  ) {
    this.domains = new DomainEvaluator(registry);
  }

  search(model: ModelStore, domain: XmlRpcValue, options: SearchOptions): number[] {
    const ids = sortIds(this.registry, model, this.domains.searchIds(model, domain, options.activeTest), options.order);
    const end = options.limit ? options.offset + options.limit : undefined;
    return ids.slice(options.offset, end);
  }

  searchCount(model: ModelStore, domain: XmlRpcValue, limit: number | null, activeTest: boolean): number {
    const count = this.domains.searchIds(model, domain, activeTest).length;
    return limit ? Math.min(limit, count) : count;
  }

  /** Field names to read: all of them when none are given; unknown names are an error. */
  fieldNames(model: ModelStore, fields: XmlRpcValue): string[] {
    if (fields === null || fields === false || (Array.isArray(fields) && fields.length === 0)) {
      return Object.keys(model.def.fields).filter((name) => name !== 'id');
    }
    // Python iterates whatever it is given: a string is read as its characters.
    const names = Array.isArray(fields) ? fields : typeof fields === 'string' ? [...fields] : [fields];
    return names
      .map((name) => {
        if (typeof name !== 'string' || !model.field(name)) throw pythonError('ValueError', `Invalid field ${pyRepr(name)} on model ${pyStr(model.name)}`);
        return name;
      })
      .filter((name) => name !== 'id');
  }

  /** read(): one struct per existing id, in the order asked; ids that do not exist are skipped, as Odoo does. */
  read(model: ModelStore, ids: readonly number[], fields: XmlRpcValue, load: XmlRpcValue): XmlRpcStruct[] {
    const names = this.fieldNames(model, fields);
    const withNames = load === '_classic_read';
    const records: XmlRpcStruct[] = [];
    for (const id of ids) {
      const doc = model.get(id);
      if (!doc) continue;
      const record = newStruct();
      record.id = id;
      for (const name of names) record[name] = toRead(model.field(name)!, this.registry.value(model, doc, name), this.registry, withNames);
      records.push(record);
    }
    return records;
  }

  create(model: ModelStore, valsList: readonly XmlRpcValue[]): number[] {
    const pending: Pending = new Map();
    const ids = valsList.map((vals) => this.prepareCreate(model, vals, pending, {}));
    this.commit(pending);
    return ids;
  }

  write(model: ModelStore, ids: readonly number[], vals: XmlRpcValue): true {
    const missing = ids.filter((id) => !model.get(id));
    if (missing.length > 0) throw missingError(model.name, missing, this.uid);
    const pending: Pending = new Map();
    for (const id of new Set(ids)) this.prepareWrite(model, id, vals, pending);
    this.commit(pending);
    return true;
  }

  /** Builds (and checks) a new record and the records its one2many commands create. */
  prepareCreate(model: ModelStore, vals: XmlRpcValue, pending: Pending, forced: Record<string, Stored>): number {
    const struct = this.checkVals(model, vals);
    const id = model.nextId();
    const now = formatDatetime(this.now());
    const { stored, commands } = this.convert(model, struct, pending);
    Object.assign(stored, forced);
    const defaults = model.def.defaults?.(id, stored, this.registry, this.now()) ?? {};
    const doc: RecordDoc = { ...defaults, ...stored, id, create_date: now, write_date: now };
    this.finish(model, doc, pending);
    for (const [name, value] of commands) applyX2manyCommands(this, model, doc.id, name, value, pending);
    return id;
  }

  prepareWrite(model: ModelStore, id: number, vals: XmlRpcValue, pending: Pending): void {
    const struct = this.checkVals(model, vals);
    const current = pending.get(model)?.get(id) ?? model.get(id);
    if (!current) throw missingError(model.name, [id], this.uid);
    const { stored, commands } = this.convert(model, struct, pending);
    const doc: RecordDoc = { ...current, ...stored, write_date: formatDatetime(this.now()) };
    this.finish(model, doc, pending);
    for (const [name, value] of commands) applyX2manyCommands(this, model, id, name, value, pending);
  }

  /** Whether a record exists, saved or about to be. */
  exists(model: ModelStore, id: number, pending: Pending): boolean {
    return model.get(id) !== undefined || pending.get(model)?.has(id) === true;
  }

  private checkVals(model: ModelStore, vals: XmlRpcValue): XmlRpcStruct {
    if (!isStruct(vals)) throw pythonError('AttributeError', `'${pyTypeName(vals)}' object has no attribute 'items'`);
    for (const name of Object.keys(vals)) {
      if (!model.field(name)) throw pythonError('ValueError', `Invalid field ${pyStr(name)} on model ${pyStr(model.name)}`);
    }
    return vals;
  }

  /** Client values to stored ones; x2many values are set aside as commands. */
  private convert(model: ModelStore, vals: XmlRpcStruct, pending: Pending): { stored: Record<string, Stored>; commands: Array<[string, XmlRpcValue]> } {
    const stored: Record<string, Stored> = {};
    const commands: Array<[string, XmlRpcValue]> = [];
    for (const [name, value] of Object.entries(vals)) {
      const field = model.field(name)!;
      // Odoo ignores writes to fields it computes (readonly here), with a warning in its log.
      if (MAGIC.has(name) || field.readonly || field.compute) continue;
      if (isToMany(field)) {
        commands.push([name, value]);
        continue;
      }
      const converted = toStored(model.name, name, field, value);
      if (field.type === 'many2one' && typeof converted === 'number') this.checkForeignKey(model, name, field, converted, pending);
      stored[name] = converted;
    }
    return { stored, commands };
  }

  private checkForeignKey(model: ModelStore, name: string, field: FieldDef, id: number, pending: Pending): void {
    const comodel = this.registry.model(field.relation!)!;
    if (this.exists(comodel, id, pending)) return;
    // PostgreSQL's foreign key violation, as Odoo words it (_as_validation_error).
    throw validationError(
      'The operation cannot be completed: another model requires the record being deleted. If possible, archive it instead.\n\n' +
        `Model: ${model.def.description} (${model.name})\nConstraint: ${model.name.replace(/\./g, '_')}_${name}_fkey\n`,
    );
  }

  /** Derived values, constraints and required fields; then the record joins the pending ones. */
  private finish(model: ModelStore, doc: RecordDoc, pending: Pending): void {
    model.def.settle?.(doc, this.registry);
    for (const [name, field] of Object.entries(model.def.fields)) {
      if (!field.required || field.compute || isToMany(field)) continue;
      if (doc[name] === undefined || doc[name] === false) {
        throw validationError(
          'The operation cannot be completed:\n- Create/update: a mandatory field is not set.\n- Delete: another model requires the record being deleted. If possible, archive it instead.\n\n' +
            `Model: ${model.def.description} (${model.name})\nField: ${field.string} (${name})\n`,
        );
      }
    }
    const broken = model.def.check?.(doc);
    if (broken) throw validationError(broken);
    let records = pending.get(model);
    if (!records) pending.set(model, (records = new Map()));
    records.set(doc.id, doc);
  }

  private commit(pending: Pending): void {
    this.registry.store.transaction(() => {
      for (const [model, records] of pending) for (const doc of records.values()) model.save(doc);
    });
  }

  fieldsGet(model: ModelStore, allfields: XmlRpcValue, attributes: XmlRpcValue): XmlRpcStruct {
    const wanted = Array.isArray(allfields) && allfields.length > 0 ? new Set(allfields) : null;
    const only = Array.isArray(attributes) && attributes.length > 0 ? new Set(attributes) : null;
    const result = newStruct();
    for (const [name, field] of Object.entries(model.def.fields)) {
      if (wanted && !wanted.has(name)) continue;
      const description = newStruct();
      const all: Record<string, XmlRpcValue | undefined> = {
        type: field.type,
        string: field.string,
        readonly: Boolean(field.readonly || field.compute),
        required: Boolean(field.required),
        store: !field.compute,
        searchable: true,
        sortable: !isToMany(field),
        relation: field.relation,
        relation_field: field.inverse,
        selection: field.selection?.map(([key, label]) => [key, label]),
      };
      for (const [key, value] of Object.entries(all)) if (value !== undefined && (!only || only.has(key))) description[key] = value;
      result[name] = description;
    }
    return result;
  }

  nameSearch(model: ModelStore, name: XmlRpcValue, args: XmlRpcValue, operator: XmlRpcValue, limit: number | null): XmlRpcValue[] {
    const domain: XmlRpcValue[] = Array.isArray(args) ? [...args] : [];
    if (name !== '' && name !== false && name !== null) {
      const fields = model.def.nameSearchFields;
      const op = typeof operator === 'string' ? operator : 'ilike';
      domain.push(...fields.slice(1).map(() => '|'), ...fields.map((field) => [field, op, name]));
    }
    const ids = this.search(model, domain, { offset: 0, limit, order: null, activeTest: true });
    return ids.map((id) => [id, this.registry.displayName(model.name, id)]);
  }
}
