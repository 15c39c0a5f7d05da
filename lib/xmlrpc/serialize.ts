/**
 * Writing XML-RPC documents, laid out as Python's xmlrpc.client.dumps lays them out
 * (which is what Odoo sends): one element per line, <int> for whole numbers, <double>
 * for the rest, `&`, `<` and `>` escaped in text.
 */
import { XmlRpcDouble, isStruct, type XmlRpcValue } from './values.js';

// Characters XML 1.0 cannot carry at all; dropped rather than producing a document no parser reads.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

export function escapeXml(text: string): string {
  return (
    text
      .replace(XML_INVALID, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      // A raw CR would be read back as LF by any XML parser; the reference keeps it.
      .replace(/\r/g, '&#13;')
  );
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function formatDouble(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  // Python's repr of a whole float keeps the ".0"; JavaScript's String() drops it.
  return Number.isInteger(value) && Math.abs(value) < 1e16 ? `${value}.0` : String(value);
}

const INT32_MAX = 2 ** 31 - 1;

function writeValue(value: XmlRpcValue, out: string[]): void {
  if (value === null) {
    out.push('<value><nil/></value>');
  } else if (typeof value === 'boolean') {
    out.push(`<value><boolean>${value ? 1 : 0}</boolean></value>`);
  } else if (typeof value === 'number') {
    if (Number.isInteger(value) && Math.abs(value) <= INT32_MAX) out.push(`<value><int>${value}</int></value>`);
    else if (Number.isSafeInteger(value)) out.push(`<value><i8>${value}</i8></value>`);
    else out.push(`<value><double>${formatDouble(value)}</double></value>`);
  } else if (value instanceof XmlRpcDouble) {
    out.push(`<value><double>${formatDouble(value.value)}</double></value>`);
  } else if (typeof value === 'string') {
    out.push(`<value><string>${escapeXml(value)}</string></value>`);
  } else if (value instanceof Date) {
    const d = value;
    const stamp = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
    out.push(`<value><dateTime.iso8601>${stamp}</dateTime.iso8601></value>`);
  } else if (Buffer.isBuffer(value)) {
    out.push(`<value><base64>\n${value.toString('base64')}\n</base64></value>`);
  } else if (Array.isArray(value)) {
    out.push('<value><array><data>');
    for (const item of value) writeValue(item, out);
    out.push('</data></array></value>');
  } else if (isStruct(value)) {
    out.push('<value><struct>');
    for (const [name, member] of Object.entries(value)) {
      out.push('<member>', `<name>${escapeXml(name)}</name>`);
      writeValue(member, out);
      out.push('</member>');
    }
    out.push('</struct></value>');
  }
}

function document(lines: string[]): string {
  return `<?xml version='1.0'?>\n${lines.join('\n')}\n`;
}

export function serializeValue(value: XmlRpcValue): string {
  const out: string[] = [];
  writeValue(value, out);
  return out.join('\n');
}

export function serializeResponse(value: XmlRpcValue): string {
  const out = ['<methodResponse>', '<params>', '<param>'];
  writeValue(value, out);
  out.push('</param>', '</params>', '</methodResponse>');
  return document(out);
}

export function serializeFault(faultCode: number | string, faultString: string): string {
  const out = ['<methodResponse>', '<fault>'];
  writeValue({ faultCode, faultString }, out);
  out.push('</fault>', '</methodResponse>');
  return document(out);
}

export function serializeMethodCall(methodName: string, params: XmlRpcValue[]): string {
  const out = ['<methodCall>', `<methodName>${escapeXml(methodName)}</methodName>`, '<params>'];
  for (const param of params) {
    out.push('<param>');
    writeValue(param, out);
    out.push('</param>');
  }
  out.push('</params>', '</methodCall>');
  return document(out);
}
