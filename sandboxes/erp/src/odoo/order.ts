/**
 * search()'s `order` argument: 'date_order desc, id' and the like, checked with the
 * expression Odoo 17 checks it with, sorted as PostgreSQL sorts (empty values last when
 * ascending, first when descending). A many2one sorts by the related record's display
 * name (Odoo sorts by the comodel's _order, which for these models is that name) and
 * `field.id` sorts by the raw id.
 */
import { pythonError, userError } from './exceptions.js';
import { fromMinor, isToMany, type RecordDoc, type Stored } from './fields.js';
import { pyStr } from './pyRepr.js';
import type { ModelStore, Registry } from './Registry.js';

const ORDER_SPEC = /^(\s*([a-z0-9:_]+|"[a-z0-9:_]+")(\.id)?(\s+(desc|asc))?(\s+(nulls first|nulls last))?\s*(,|$))+(?<!,)$/i;

interface OrderTerm {
  field: string;
  rawId: boolean;
  descending: boolean;
  nullsFirst: boolean;
}

type SortKey = string | number | null;

// Text sorts case-insensitively, as under PostgreSQL's usual en_US collation; codes and dates as they are.
const FOLDED = new Set(['char', 'text', 'many2one']);

export function parseOrder(model: ModelStore, spec: string): OrderTerm[] {
  if (!ORDER_SPEC.test(spec)) {
    throw userError(
      `Invalid "order" specified (${spec}). A valid "order" specification is a comma-separated list of valid field names (optionally followed by asc/desc for the direction)`,
    );
  }
  return spec.split(',').map((part) => {
    const words = part.trim().split(/\s+/);
    const [head = ''] = words;
    const rawId = head.endsWith('.id');
    const field = head.replace(/\.id$/, '').replace(/"/g, '');
    const definition = model.field(field);
    if (!definition) throw pythonError('ValueError', `Invalid field ${pyStr(field)} on model ${pyStr(model.name)}`);
    if (isToMany(definition)) throw pythonError('ValueError', `Cannot convert ${model.name}.${field} to SQL because it is not stored`);
    const descending = words[1]?.toLowerCase() === 'desc';
    const nulls = words.slice(-2).join(' ').toLowerCase();
    return { field, rawId, descending, nullsFirst: nulls === 'nulls first' ? true : nulls === 'nulls last' ? false : descending };
  });
}

function keyOf(registry: Registry, model: ModelStore, doc: RecordDoc, term: OrderTerm): SortKey {
  const field = model.field(term.field)!;
  const value = registry.value(model, doc, term.field) as Stored;
  if (value === false || value === '') return field.type === 'boolean' ? 0 : null;
  if (value === true) return 1;
  if (field.type === 'many2one' && !term.rawId) return registry.displayName(field.relation!, value as number).toLowerCase();
  if (typeof value === 'number') return field.minorUnits ? fromMinor(value) : value;
  return FOLDED.has(field.type) ? value.toLowerCase() : value;
}

function compareKeys(a: SortKey, b: SortKey, term: OrderTerm): number {
  if (a === null || b === null) {
    if (a === b) return 0;
    return (a === null) === term.nullsFirst ? -1 : 1;
  }
  const order = typeof a === 'number' && typeof b === 'number' ? a - b : a < b ? -1 : a > b ? 1 : 0;
  return term.descending ? -order : order;
}

/** Sorts ids by `spec` (the model's _order when empty), then by id for a stable result. */
export function sortIds(registry: Registry, model: ModelStore, ids: readonly number[], spec: string | null): number[] {
  const terms = parseOrder(model, spec && spec.trim() ? spec : model.def.order);
  if (!terms.some((term) => term.field === 'id')) terms.push({ field: 'id', rawId: true, descending: false, nullsFirst: false });
  const rows = ids.map((id) => {
    const doc = model.get(id)!;
    return { id, keys: terms.map((term) => keyOf(registry, model, doc, term)) };
  });
  rows.sort((x, y) => {
    for (let i = 0; i < terms.length; i++) {
      const c = compareKeys(x.keys[i]!, y.keys[i]!, terms[i]!);
      if (c !== 0) return c;
    }
    return 0;
  });
  return rows.map((row) => row.id);
}
