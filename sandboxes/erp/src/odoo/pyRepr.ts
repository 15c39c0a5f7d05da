/**
 * Python's repr() of decoded XML-RPC values, for error texts: Odoo's messages embed
 * reprs (`Invalid field 'foo' on model 'res.partner'`, `Invalid leaf ('a', 'b')`), and
 * clients sometimes match on them.
 */
import { XmlRpcDouble, isStruct, type XmlRpcValue } from '../../../../lib/xmlrpc/values.js';

export function pyStr(text: string): string {
  // Python prefers single quotes and switches to double quotes only to avoid escaping.
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let body = text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
  if (quote === "'") body = body.replace(/'/g, "\\'");
  return `${quote}${body}${quote}`;
}

function pyFloat(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  return Number.isInteger(value) ? `${value}.0` : String(value);
}

export function pyRepr(value: XmlRpcValue | undefined): string {
  if (value === undefined || value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : pyFloat(value);
  if (value instanceof XmlRpcDouble) return pyFloat(value.value);
  if (typeof value === 'string') return pyStr(value);
  if (value instanceof Date) return `<DateTime '${value.toISOString().slice(0, 19).replace(/[-]/g, '')}'>`;
  if (Buffer.isBuffer(value)) return `b'${value.toString('latin1')}'`;
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (isStruct(value))
    return `{${Object.entries(value)
      .map(([k, v]) => `${pyStr(k)}: ${pyRepr(v)}`)
      .join(', ')}}`;
  return String(value);
}

/** repr() of a tuple, as Odoo shows domain leaves after normalising them to tuples. */
export function pyTuple(items: readonly XmlRpcValue[]): string {
  if (items.length === 1) return `(${pyRepr(items[0])},)`;
  return `(${items.map(pyRepr).join(', ')})`;
}

/** str() of a value: strings bare, everything else as repr. */
export function pyStrOf(value: XmlRpcValue | undefined): string {
  return typeof value === 'string' ? value : pyRepr(value);
}
