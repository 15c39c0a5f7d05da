/**
 * Binding XML-RPC positional and keyword arguments to a method's parameters the way
 * Python binds them, with Python's TypeError texts, so that `search_read` with fields
 * given positionally or as a keyword both work, and a misspelt keyword fails as it
 * fails against Odoo.
 */
import type { XmlRpcStruct, XmlRpcValue } from '../../../../lib/xmlrpc/values.js';
import { pythonError } from './exceptions.js';

export interface Signature {
  /** As Python names the function in errors, e.g. `BaseModel.search`. */
  qualname: string;
  /** Methods count `self` among the positional arguments in Python's messages. */
  method: boolean;
  /** Parameter names; those listed in `optional` have defaults. */
  params: readonly string[];
  optional?: readonly string[];
  /** Collects unknown keywords (`**kwargs`) instead of refusing them. */
  varKeywords?: boolean;
}

export interface Bound {
  /** Values by parameter name; undefined where the default applies. */
  args: Record<string, XmlRpcValue | undefined>;
  extra: Record<string, XmlRpcValue>;
}

function quoteList(names: string[]): string {
  const quoted = names.map((name) => `'${name}'`);
  if (quoted.length === 1) return quoted[0]!;
  if (quoted.length === 2) return `${quoted[0]} and ${quoted[1]}`;
  return `${quoted.slice(0, -1).join(', ')}, and ${quoted[quoted.length - 1]}`;
}

export function bindCall(signature: Signature, positional: readonly XmlRpcValue[], keywords: XmlRpcStruct): Bound {
  const { qualname, params } = signature;
  const optional = new Set(signature.optional ?? []);
  const offset = signature.method ? 1 : 0;
  if (positional.length > params.length) {
    const required = params.filter((name) => !optional.has(name)).length + offset;
    const most = params.length + offset;
    const takes = required === most ? `${most}` : `from ${required} to ${most}`;
    const noun = most === 1 && required === most ? 'argument' : 'arguments';
    throw pythonError('TypeError', `${qualname}() takes ${takes} positional ${noun} but ${positional.length + offset} were given`);
  }
  const args: Record<string, XmlRpcValue | undefined> = {};
  const extra: Record<string, XmlRpcValue> = {};
  positional.forEach((value, i) => {
    args[params[i]!] = value;
  });
  for (const [name, value] of Object.entries(keywords)) {
    if (params.includes(name)) {
      if (name in args) throw pythonError('TypeError', `${qualname}() got multiple values for argument '${name}'`);
      args[name] = value;
    } else if (signature.varKeywords) {
      extra[name] = value;
    } else {
      throw pythonError('TypeError', `${qualname}() got an unexpected keyword argument '${name}'`);
    }
  }
  const missing = params.filter((name) => !optional.has(name) && !(name in args));
  if (missing.length > 0) {
    const noun = missing.length === 1 ? 'argument' : 'arguments';
    throw pythonError('TypeError', `${qualname}() missing ${missing.length} required positional ${noun}: ${quoteList(missing)}`);
  }
  return { args, extra };
}
