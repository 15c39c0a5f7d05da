/**
 * Field definitions and the two conversions every field needs: from what a client
 * sends (create/write values, Odoo's convert_to_cache) to what the store keeps, and
 * from what the store keeps to what read() returns (convert_to_read).
 *
 * Money is kept in minor units (integers) and only becomes a float at the edge, in
 * currency units, because that is how Odoo's XML-RPC sends monetary fields.
 */
import { XmlRpcDouble, numberOf, type XmlRpcValue } from '../../../../lib/xmlrpc/values.js';
import { pythonError } from './exceptions.js';
import { pyRepr } from './pyRepr.js';

export type FieldType =
  'integer' | 'float' | 'monetary' | 'char' | 'text' | 'boolean' | 'date' | 'datetime' | 'selection' | 'many2one' | 'one2many' | 'many2many';

/** A stored value; `false` is Odoo's "empty" (it never sends None). */
export type Stored = number | string | boolean;

export interface RecordDoc {
  id: number;
  [field: string]: Stored;
}

/** What computed fields may look at: other models' records and indexes. */
export interface ComputeEnv {
  get(model: string, id: number): RecordDoc | undefined;
  lookup(model: string, field: string, key: Stored): ReadonlySet<number>;
  displayName(model: string, id: number): string;
}

export interface FieldDef {
  type: FieldType;
  /** The label Odoo shows (fields_get `string`, and in constraint messages). */
  string: string;
  relation?: string;
  /** one2many: the many2one on the comodel that points back. */
  inverse?: string;
  selection?: ReadonlyArray<readonly [string, string]>;
  required?: boolean;
  /** Stored in minor units, sent and received as a float in currency units. */
  minorUnits?: boolean;
  /** Kept in a map from value to ids, so `=` and `in` searches on it are lookups. */
  index?: boolean;
  /** Computed on read; Odoo ignores writes to computed fields that have no inverse. */
  compute?: (doc: RecordDoc, env: ComputeEnv) => Stored | number[];
  /** Shown as readonly by fields_get. */
  readonly?: boolean;
}

export type ModelFields = Record<string, FieldDef>;

export function isRelational(field: FieldDef): boolean {
  return field.type === 'many2one' || field.type === 'one2many' || field.type === 'many2many';
}

export function isToMany(field: FieldDef): boolean {
  return field.type === 'one2many' || field.type === 'many2many';
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** 'YYYY-MM-DD HH:MM:SS' in UTC, as Odoo stores and sends datetimes. */
export function formatDatetime(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

export function formatDate(ms: number): string {
  return formatDatetime(ms).slice(0, 10);
}

/** Currency units to minor units, rounding half away from zero as Odoo's float_round does. */
export function toMinor(units: number): number {
  const cents = Number((Math.abs(units) * 100).toPrecision(15));
  return Math.sign(units) * Math.round(cents);
}

export function fromMinor(minor: number): number {
  return Math.round(minor) / 100;
}

function validDate(text: string): boolean {
  const date = new Date(`${text.slice(0, 10)}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text.slice(0, 10);
}

function toDateString(value: XmlRpcValue, withTime: boolean): string {
  if (value instanceof Date) return withTime ? formatDatetime(value.getTime()) : formatDate(value.getTime());
  const text = typeof value === 'string' ? value : pyRepr(value);
  if (withTime) {
    if (/^\d{4}-\d{2}-\d{2}$/.test(text) && validDate(text)) return `${text} 00:00:00`;
    const head = text.slice(0, 19);
    if (/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(head) && validDate(head)) return head;
    throw pythonError('ValueError', `time data ${pyRepr(head)} does not match format '%Y-%m-%d %H:%M:%S'`);
  }
  const head = text.slice(0, 10);
  if (/^\d{4}-\d{2}-\d{2}$/.test(head) && validDate(head)) return head;
  throw pythonError('ValueError', `time data ${pyRepr(head)} does not match format '%Y-%m-%d'`);
}

function toNumber(value: XmlRpcValue, integer: boolean): number {
  const n = numberOf(value);
  if (n !== undefined) return integer ? Math.trunc(n) : n;
  if (value === false || value === null || value === '') return 0;
  if (value === true) return 1;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) {
    if (integer && !/^\s*[+-]?\d+\s*$/.test(value)) throw pythonError('ValueError', `invalid literal for int() with base 10: ${pyRepr(value)}`);
    return Number(value);
  }
  if (integer) {
    if (typeof value === 'string') throw pythonError('ValueError', `invalid literal for int() with base 10: ${pyRepr(value)}`);
    throw pythonError('TypeError', "int() argument must be a string, a bytes-like object or a real number, not 'list'");
  }
  if (typeof value === 'string') throw pythonError('ValueError', `could not convert string to float: ${pyRepr(value)}`);
  throw pythonError('TypeError', "float() argument must be a string or a real number, not 'list'");
}

/**
 * A client value for a stored, non-relational-list field, as the store keeps it.
 * many2one ids are checked for existence by the caller (it knows the comodel).
 */
export function toStored(model: string, name: string, field: FieldDef, value: XmlRpcValue): Stored {
  switch (field.type) {
    case 'integer':
      return toNumber(value, true);
    case 'float':
    case 'monetary':
      return field.minorUnits ? toMinor(toNumber(value, false)) : toNumber(value, false);
    case 'boolean':
      return !(value === false || value === null || value === 0 || value === '' || (Array.isArray(value) && value.length === 0));
    case 'char':
    case 'text':
      if (value === false || value === null) return false;
      return typeof value === 'string' ? value : pyRepr(value);
    case 'date':
    case 'datetime':
      if (value === false || value === null || value === '') return false;
      return toDateString(value, field.type === 'datetime');
    case 'selection':
      if (value === false || value === null) return false;
      if (typeof value === 'string' && field.selection?.some(([key]) => key === value)) return value;
      throw pythonError('ValueError', `Wrong value for ${model}.${name}: ${pyRepr(value)}`);
    case 'many2one': {
      if (value === false || value === null || value === 0) return false;
      const n = numberOf(value);
      if (n !== undefined && Number.isInteger(n) && n > 0) return n;
      throw pythonError('ValueError', `Wrong value for ${model}.${name}: ${pyRepr(value)}`);
    }
    case 'one2many':
    case 'many2many':
      throw pythonError('ValueError', `Wrong value for ${model}.${name}: ${pyRepr(value)}`);
  }
}

/** A stored (or computed) value as read() sends it; many2one as [id, display_name] or a bare id. */
export function toRead(field: FieldDef, value: Stored | number[], env: ComputeEnv, withNames: boolean): XmlRpcValue {
  if (Array.isArray(value)) return value;
  switch (field.type) {
    case 'float':
    case 'monetary': {
      const n = typeof value === 'number' ? value : 0;
      return new XmlRpcDouble(field.minorUnits ? fromMinor(n) : n);
    }
    case 'integer':
      return typeof value === 'number' ? value : 0;
    case 'boolean':
      return value === true;
    case 'many2one':
      if (typeof value !== 'number') return false;
      return withNames ? [value, env.displayName(field.relation!, value)] : value;
    default:
      return value === '' && field.type !== 'char' && field.type !== 'text' ? false : value;
  }
}
