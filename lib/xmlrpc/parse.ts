/**
 * Reading XML-RPC documents (methodCall, methodResponse).
 *
 * The XML is read by saxes (a strict, non-validating SAX parser that checks
 * well-formedness, as expat does, and decodes the predefined and numeric character
 * references) into a small tree of elements and text, in document order and without
 * trimming, so that a one-element array stays an array, member order is kept, and the
 * whitespace inside a <string> (or an untyped <value>) survives; whitespace between
 * structural tags is skipped here. One pass, no intermediate object per tag path: a
 * 400 KB search_read answer reads in a few milliseconds (it took ~70 ms with the DOM-style
 * parser before, the largest cost of the erp subgraph). Errors carry the name of the
 * exception Python's xmlrpc.client / expat raises for the same input, so the server can
 * answer with the fault Odoo would send.
 */
import { SaxesParser } from 'saxes';
import { newStruct, type MethodCall, type MethodResponse, type XmlRpcStruct, type XmlRpcValue } from './values.js';

export class XmlRpcDecodeError extends Error {
  /** The Python exception class the same input raises in Odoo, e.g. `xml.parsers.expat.ExpatError`. */
  constructor(
    readonly pythonType: string,
    message: string,
  ) {
    super(message);
    this.name = 'XmlRpcDecodeError';
  }
}

/** An element (its tag and children) or a text node (tag TEXT and its text). */
interface XmlNode {
  tag: string;
  children: XmlNode[];
  text: string;
}

const TEXT = '#text';
const NO_CHILDREN: XmlNode[] = [];

const tagOf = (node: XmlNode): string => node.tag;
const childrenOf = (node: XmlNode): XmlNode[] => node.children;

function textOf(node: XmlNode): string {
  let text = '';
  for (const child of node.children) if (child.tag === TEXT) text += child.text;
  return text;
}

/** Element children only; text between structural tags must be whitespace. */
function elementsOf(node: XmlNode, where: string): XmlNode[] {
  const elements: XmlNode[] = [];
  for (const child of childrenOf(node)) {
    if (tagOf(child) !== TEXT) elements.push(child);
    else if (child.text.trim() !== '') throw new XmlRpcDecodeError('xmlrpc.client.ResponseError', `unexpected text inside <${where}>`);
  }
  return elements;
}

function one(node: XmlNode, tag: string, where: string): XmlNode {
  const found = elementsOf(node, where).filter((child) => tagOf(child) === tag);
  if (found.length !== 1) throw new XmlRpcDecodeError('xmlrpc.client.ResponseError', `<${where}> must hold one <${tag}>`);
  return found[0]!;
}

function pyQuote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function parseInt32(text: string): number {
  if (!/^\s*[+-]?\d+\s*$/.test(text)) throw new XmlRpcDecodeError('ValueError', `invalid literal for int() with base 10: ${pyQuote(text)}`);
  return Number(text.trim());
}

function parseDouble(text: string): number {
  const trimmed = text.trim();
  if (/^[+-]?(inf|infinity)$/i.test(trimmed)) return trimmed.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(trimmed)) return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) {
    throw new XmlRpcDecodeError('ValueError', `could not convert string to float: ${pyQuote(text)}`);
  }
  return Number(trimmed);
}

function parseDateTime(text: string): Date {
  const match = /^\s*(\d{4})-?(\d{2})-?(\d{2})T(\d{2}):?(\d{2}):?(\d{2})\s*$/.exec(text);
  if (!match) throw new XmlRpcDecodeError('ValueError', `time data ${pyQuote(text)} does not match format '%Y%m%dT%H:%M:%S'`);
  const [, y, mo, d, h, mi, s] = match.map(Number) as [number, number, number, number, number, number, number];
  return new Date(Date.UTC(y, mo - 1, d, h, mi, s));
}

function parseStruct(node: XmlNode): XmlRpcStruct {
  const struct = newStruct();
  for (const member of elementsOf(node, 'struct')) {
    if (tagOf(member) !== 'member') throw new XmlRpcDecodeError('xmlrpc.client.ResponseError', `unexpected <${tagOf(member)}> in <struct>`);
    const name = textOf(one(member, 'name', 'member'));
    // defineProperty, so that a member called __proto__ is data, never a prototype.
    Object.defineProperty(struct, name, { value: parseValue(one(member, 'value', 'member')), enumerable: true, writable: true, configurable: true });
  }
  return struct;
}

function parseArray(node: XmlNode): XmlRpcValue[] {
  const data = one(node, 'data', 'array');
  return elementsOf(data, 'data').map((value) => {
    if (tagOf(value) !== 'value') throw new XmlRpcDecodeError('xmlrpc.client.ResponseError', `unexpected <${tagOf(value)}> in <data>`);
    return parseValue(value);
  });
}

/** One <value> element: typed by its single child element, or a string when it has none. */
export function parseValue(value: XmlNode): XmlRpcValue {
  const typed = childrenOf(value).filter((child) => tagOf(child) !== TEXT);
  if (typed.length === 0) return textOf(value);
  if (typed.length > 1) throw new XmlRpcDecodeError('xmlrpc.client.ResponseError', '<value> must hold one typed element');
  const node = typed[0]!;
  const tag = tagOf(node);
  switch (tag) {
    case 'int':
    case 'i4':
    case 'i8':
    case 'ex:i8':
      return parseInt32(textOf(node));
    case 'boolean': {
      const text = textOf(node);
      if (text === '0') return false;
      if (text === '1') return true;
      throw new XmlRpcDecodeError('TypeError', 'bad boolean value');
    }
    case 'string':
      return textOf(node);
    case 'double':
      return parseDouble(textOf(node));
    case 'dateTime.iso8601':
      return parseDateTime(textOf(node));
    case 'base64':
      return Buffer.from(textOf(node), 'base64');
    case 'nil':
    case 'ex:nil':
      return null;
    case 'struct':
      return parseStruct(node);
    case 'array':
      return parseArray(node);
    default:
      throw new XmlRpcDecodeError('xmlrpc.client.ResponseError', `ResponseError("unknown tag '${tag}'")`);
  }
}

/** The document's top-level nodes; any well-formedness error is expat's ExpatError. */
function readTree(xml: string): XmlNode[] {
  const top: XmlNode[] = [];
  const open: XmlNode[][] = [top];
  const parser = new SaxesParser();
  let failure: Error | undefined;
  parser.on('error', (error) => {
    failure ??= error;
  });
  parser.on('opentag', (tag) => {
    const children: XmlNode[] = [];
    open.at(-1)!.push({ tag: tag.name, children, text: '' });
    open.push(children);
  });
  parser.on('closetag', () => {
    open.pop();
  });
  const addText = (text: string): void => {
    open.at(-1)!.push({ tag: TEXT, children: NO_CHILDREN, text });
  };
  parser.on('text', addText);
  parser.on('cdata', addText);
  try {
    parser.write(xml).close();
  } catch (error) {
    failure ??= error as Error;
  }
  if (!failure && !top.some((node) => tagOf(node) !== TEXT)) failure = new Error('no element found');
  if (failure) throw new XmlRpcDecodeError('xml.parsers.expat.ExpatError', failure.message.replace(/\s+/g, ' '));
  return top;
}

function parseDocument(xml: string, rootTag: string): XmlNode {
  if (/<!DOCTYPE/i.test(xml)) {
    // Entity declarations are how XML bombs work; no XML-RPC client sends a DOCTYPE.
    throw new XmlRpcDecodeError('xml.parsers.expat.ExpatError', 'DOCTYPE is not accepted by this server');
  }
  const roots = readTree(xml).filter((node) => tagOf(node) !== TEXT);
  const root = roots[0];
  if (roots.length !== 1 || !root || tagOf(root) !== rootTag) {
    throw new XmlRpcDecodeError('xmlrpc.client.ResponseError', `the document must be one <${rootTag}>`);
  }
  return root;
}

function parseParams(root: XmlNode, where: string): XmlRpcValue[] {
  const params = elementsOf(root, where).filter((child) => tagOf(child) === 'params');
  if (params.length === 0) return [];
  return elementsOf(params[0]!, 'params').map((param) => parseValue(one(param, 'value', 'param')));
}

export function parseMethodCall(xml: string): MethodCall {
  const root = parseDocument(xml, 'methodCall');
  const names = elementsOf(root, 'methodCall').filter((child) => tagOf(child) === 'methodName');
  if (names.length !== 1) throw new XmlRpcDecodeError('xmlrpc.client.ResponseError', '<methodCall> must hold one <methodName>');
  return { methodName: textOf(names[0]!), params: parseParams(root, 'methodCall') };
}

export function parseMethodResponse(xml: string): MethodResponse {
  const root = parseDocument(xml, 'methodResponse');
  const fault = elementsOf(root, 'methodResponse').find((child) => tagOf(child) === 'fault');
  if (fault) {
    const struct = parseValue(one(fault, 'value', 'fault'));
    const { faultCode, faultString } = struct as { faultCode?: unknown; faultString?: unknown };
    if ((typeof faultCode !== 'number' && typeof faultCode !== 'string') || typeof faultString !== 'string') {
      throw new XmlRpcDecodeError('xmlrpc.client.ResponseError', 'a fault must hold faultCode and faultString');
    }
    return { kind: 'fault', faultCode, faultString };
  }
  const params = parseParams(root, 'methodResponse');
  if (params.length !== 1) throw new XmlRpcDecodeError('xmlrpc.client.ResponseError', 'a response must hold one param');
  return { kind: 'params', value: params[0]! };
}
