/**
 * The model methods execute_kw can call, with their Odoo 17 signatures, and call_kw:
 * `context` is taken out of the keywords first (split_context), record methods (read,
 * write) take their ids from the first positional argument, and create accepts one
 * dict (returns an id) or a list of dicts (returns a list of ids).
 */
import { isStruct, newStruct, numberOf, type XmlRpcStruct, type XmlRpcValue } from '../../../../lib/xmlrpc/values.js';
import { pythonError, userError } from './exceptions.js';
import type { Orm } from './orm.js';
import { toIds } from './orm.js';
import { bindCall, type Bound, type Signature } from './pyCall.js';
import { pyStr } from './pyRepr.js';
import type { ModelStore } from './Registry.js';

interface Call {
  orm: Orm;
  model: ModelStore;
  activeTest: boolean;
  bound: Bound;
  ids: number[];
}

interface MethodSpec {
  /** model: called on the model; records: on `browse(args[0])`; create: takes one dict or a list. */
  api: 'model' | 'records' | 'create';
  signature: Signature;
  run(call: Call): XmlRpcValue;
}

const model = (name: string, params: string[], optional: string[], varKeywords = false): Signature => ({
  qualname: `BaseModel.${name}`,
  method: true,
  params,
  optional,
  varKeywords,
});

function count(value: XmlRpcValue | undefined, what: 'LIMIT' | 'OFFSET'): number | null {
  if (value === undefined || value === null || value === false) return what === 'LIMIT' ? null : 0;
  const n = numberOf(value);
  if (n === undefined || !Number.isInteger(n)) {
    throw pythonError('psycopg2.errors.InvalidTextRepresentation', `invalid input syntax for type bigint: ${JSON.stringify(String(value))}`);
  }
  if (n < 0) {
    const type = what === 'LIMIT' ? 'InvalidRowCountInLimitClause' : 'InvalidRowCountInResultOffsetClause';
    throw pythonError(`psycopg2.errors.${type}`, `${what} must not be negative`);
  }
  return what === 'LIMIT' && n === 0 ? null : n;
}

function orderSpec(value: XmlRpcValue | undefined): string | null {
  if (value === undefined || value === null || value === false) return null;
  if (typeof value === 'string') return value;
  throw pythonError('AttributeError', `'${Array.isArray(value) ? 'list' : typeof value === 'number' ? 'int' : 'object'}' object has no attribute 'split'`);
}

function searchOptions(call: Call): { offset: number; limit: number | null; order: string | null; activeTest: boolean } {
  const { args } = call.bound;
  return { offset: count(args.offset, 'OFFSET') ?? 0, limit: count(args.limit, 'LIMIT'), order: orderSpec(args.order), activeTest: call.activeTest };
}

function loadOf(value: XmlRpcValue | undefined): XmlRpcValue {
  return value === undefined ? '_classic_read' : value;
}

const METHODS: Readonly<Record<string, MethodSpec>> = {
  search: {
    api: 'model',
    signature: model('search', ['domain', 'offset', 'limit', 'order'], ['offset', 'limit', 'order']),
    run: (call) => call.orm.search(call.model, call.bound.args.domain!, searchOptions(call)),
  },
  search_count: {
    api: 'model',
    signature: model('search_count', ['domain', 'limit'], ['limit']),
    run: (call) => call.orm.searchCount(call.model, call.bound.args.domain!, count(call.bound.args.limit, 'LIMIT'), call.activeTest),
  },
  search_read: {
    api: 'model',
    signature: model('search_read', ['domain', 'fields', 'offset', 'limit', 'order'], ['domain', 'fields', 'offset', 'limit', 'order'], true),
    run: (call) => {
      const unexpected = Object.keys(call.bound.extra).find((name) => name !== 'load');
      if (unexpected) throw pythonError('TypeError', `BaseModel.read() got an unexpected keyword argument '${unexpected}'`);
      const domain = call.bound.args.domain;
      const ids = call.orm.search(call.model, domain === undefined || domain === null || domain === false ? [] : domain, searchOptions(call));
      return call.orm.read(call.model, ids, call.bound.args.fields ?? null, loadOf(call.bound.extra.load));
    },
  },
  read: {
    api: 'records',
    signature: model('read', ['fields', 'load'], ['fields', 'load']),
    run: (call) => call.orm.read(call.model, call.ids, call.bound.args.fields ?? null, loadOf(call.bound.args.load)),
  },
  create: {
    api: 'create',
    signature: model('create', ['vals_list'], []),
    run: (call) => {
      const vals = call.bound.args.vals_list!;
      if (Array.isArray(vals)) return call.orm.create(call.model, vals);
      return call.orm.create(call.model, [vals])[0]!;
    },
  },
  write: {
    api: 'records',
    signature: model('write', ['vals'], []),
    run: (call) => call.orm.write(call.model, call.ids, call.bound.args.vals!),
  },
  fields_get: {
    api: 'model',
    signature: model('fields_get', ['allfields', 'attributes'], ['allfields', 'attributes']),
    run: (call) => call.orm.fieldsGet(call.model, call.bound.args.allfields ?? null, call.bound.args.attributes ?? null),
  },
  name_search: {
    api: 'model',
    signature: model('name_search', ['name', 'args', 'operator', 'limit'], ['name', 'args', 'operator', 'limit']),
    run: (call) => {
      const { args } = call.bound;
      return call.orm.nameSearch(
        call.model,
        args.name ?? '',
        args.args ?? null,
        args.operator ?? 'ilike',
        args.limit === undefined ? 100 : count(args.limit, 'LIMIT'),
      );
    },
  },
  name_get: {
    api: 'records',
    signature: model('name_get', [], []),
    run: (call) => call.ids.filter((id) => call.model.get(id)).map((id) => [id, call.orm.registry.displayName(call.model.name, id)]),
  },
  exists: {
    api: 'records',
    signature: model('exists', [], []),
    run: (call) => call.ids.filter((id) => call.model.get(id)),
  },
  unlink: {
    api: 'records',
    signature: model('unlink', [], []),
    run: (call) => {
      throw userError(
        `The ERP sandbox keeps every record: unlink on ${call.model.name} is not supported (archive with write({'active': False}) where the model has an active field).`,
      );
    },
  },
};

export function isKnownMethod(name: string): boolean {
  return Object.hasOwn(METHODS, name);
}

/** odoo.api.call_kw: runs `method` on `model` with XML-RPC args and kwargs. */
export function callKw(orm: Orm, target: ModelStore, method: string, args: readonly XmlRpcValue[], kwargs: XmlRpcStruct): XmlRpcValue {
  const spec = Object.hasOwn(METHODS, method) ? METHODS[method] : undefined;
  if (!spec) throw pythonError('AttributeError', `The method ${pyStr(method)} does not exist on the model ${pyStr(target.name)}`);
  const keywords = newStruct();
  let context: XmlRpcValue | undefined;
  for (const [name, value] of Object.entries(kwargs)) {
    if (name === 'context') context = value;
    else keywords[name] = value;
  }
  const activeTest = !(isStruct(context) && context.active_test === false);
  let ids: number[] = [];
  let positional = args;
  if (spec.api === 'records') {
    if (args.length === 0) throw pythonError('IndexError', 'tuple index out of range');
    ids = toIds(args[0]!);
    positional = args.slice(1);
  }
  const bound = bindCall(spec.signature, positional, keywords);
  return spec.run({ orm, model: target, activeTest, bound, ids });
}
