/**
 * The RPC services behind /xmlrpc/2/<service>, as odoo.http.dispatch_rpc sees them:
 * `common` (version, login, authenticate), `object` (execute_kw, execute) and a sliver
 * of `db` (list, server_version).
 *
 * Each call is named for the stats before it runs: `common.<method>`, `db.<method>`,
 * `<model>.<method>` for object calls that passed authentication, `auth.rejected` for
 * object calls that did not, `object.unknown` for an unknown model or method and
 * `xmlrpc.unknown` for anything else. Running a call returns its result or throws the
 * OdooError Odoo would raise.
 */
import { isStruct, newStruct, numberOf, type MethodCall, type XmlRpcStruct, type XmlRpcValue } from '../../../lib/xmlrpc/values.js';
import { accessDenied, accessError, pythonError, userError, type OdooError } from './odoo/exceptions.js';
import { callKw, isKnownMethod } from './odoo/methods.js';
import type { Orm } from './odoo/orm.js';
import { bindCall } from './odoo/pyCall.js';
import { pyRepr, pyStr, pyStrOf } from './odoo/pyRepr.js';

export interface Credentials {
  database: string;
  login: string;
  password: string;
  uid: number;
}

export interface ServiceCall {
  operation: string;
  /** The Python function a traceback names. */
  frame: string;
  run(): XmlRpcValue;
}

export const VERSION_INFO = {
  server_version: '17.0',
  server_version_info: [17, 0, 0, 'final', 0, ''],
  server_serie: '17.0',
  protocol_version: 1,
};

function noDatabase(db: XmlRpcValue): OdooError {
  return pythonError(
    'psycopg2.OperationalError',
    `connection to server on socket "/var/run/postgresql/.s.PGSQL.5432" failed: FATAL:  database ${JSON.stringify(pyStrOf(db))} does not exist\n`,
  );
}

/** int(value) as Python does it, for the uid argument. */
function pyInt(value: XmlRpcValue | undefined): number {
  const n = numberOf(value);
  if (n !== undefined) return Math.trunc(n);
  if (typeof value === 'boolean') return Number(value);
  if (typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value)) return Number(value);
  if (typeof value === 'string') throw pythonError('ValueError', `invalid literal for int() with base 10: ${pyRepr(value)}`);
  throw pythonError('TypeError', "int() argument must be a string, a bytes-like object or a real number, not 'list'");
}

function common(call: MethodCall, credentials: Credentials): ServiceCall {
  const authenticate = (db: XmlRpcValue, login: XmlRpcValue, password: XmlRpcValue): number | false => {
    if (db !== credentials.database) throw noDatabase(db);
    // Odoo answers False, not a fault, to a wrong login or password (AccessDenied is caught).
    return login === credentials.login && password === credentials.password ? credentials.uid : false;
  };
  switch (call.methodName) {
    case 'version':
      return {
        operation: 'common.version',
        frame: 'exp_version',
        run: () => ({ ...VERSION_INFO, server_version_info: [...VERSION_INFO.server_version_info] }),
      };
    case 'login':
      return {
        operation: 'common.login',
        frame: 'exp_login',
        run: () => {
          const { args } = bindCall({ qualname: 'exp_login', method: false, params: ['db', 'login', 'password'] }, call.params, newStruct());
          return authenticate(args.db!, args.login!, args.password!);
        },
      };
    case 'authenticate':
      return {
        operation: 'common.authenticate',
        frame: 'exp_authenticate',
        run: () => {
          const params = ['db', 'login', 'password', 'user_agent_env'];
          const { args } = bindCall({ qualname: 'exp_authenticate', method: false, params }, call.params, newStruct());
          return authenticate(args.db!, args.login!, args.password!);
        },
      };
    default:
      return {
        operation: 'common.unknown',
        frame: 'dispatch',
        run: () => {
          throw pythonError('Exception', `Method not found: ${call.methodName}`);
        },
      };
  }
}

function db(call: MethodCall, credentials: Credentials): ServiceCall {
  if (call.methodName === 'list') return { operation: 'db.list', frame: 'exp_list', run: () => [credentials.database] };
  if (call.methodName === 'server_version') return { operation: 'db.server_version', frame: 'exp_server_version', run: () => VERSION_INFO.server_version };
  return {
    operation: 'db.unknown',
    frame: 'dispatch',
    run: () => {
      throw pythonError('KeyError', pyStr(`exp_${call.methodName}`));
    },
  };
}

/** security.check(db, uid, password): the object service's gate. */
function checkCredentials(params: readonly XmlRpcValue[], credentials: Credentials): OdooError | undefined {
  if (params.length < 3) return pythonError('IndexError', 'tuple index out of range');
  let uid: number;
  try {
    uid = pyInt(params[1]);
  } catch (error) {
    return error as OdooError;
  }
  if (params[0] !== credentials.database) return noDatabase(params[0]!);
  if (uid !== credentials.uid || params[2] !== credentials.password) return accessDenied();
  return undefined;
}

function object(call: MethodCall, credentials: Credentials, orm: Orm): ServiceCall {
  const rejected = checkCredentials(call.params, credentials);
  if (rejected)
    return {
      operation: 'auth.rejected',
      frame: 'check',
      run: () => {
        throw rejected;
      },
    };
  const [dbName, uid, , ...rest] = call.params;
  let positional: XmlRpcValue[];
  let keywords: XmlRpcStruct;
  let frame: string;
  try {
    if (call.methodName === 'execute_kw') {
      frame = 'execute_kw';
      const { args } = bindCall(
        { qualname: 'execute_kw', method: false, params: ['db', 'uid', 'obj', 'method', 'args', 'kw'], optional: ['kw'] },
        [dbName!, uid!, ...rest],
        newStruct(),
      );
      if (!Array.isArray(args.args))
        throw pythonError('TypeError', `odoo.service.model.execute() argument after * must be an iterable, not ${pyRepr(args.args)}`);
      const kw = args.kw;
      if (kw !== undefined && kw !== null && kw !== false && !isStruct(kw))
        throw pythonError('TypeError', 'odoo.service.model.execute() argument after ** must be a mapping, not list');
      positional = [args.obj!, args.method!, ...args.args];
      keywords = isStruct(kw) ? kw : newStruct();
    } else if (call.methodName === 'execute') {
      frame = 'execute';
      positional = rest;
      keywords = newStruct();
      bindCall({ qualname: 'execute', method: false, params: ['db', 'uid', 'obj', 'method'] }, [dbName!, uid!, ...rest.slice(0, 2)], newStruct());
    } else {
      throw pythonError('NameError', `Method not available ${call.methodName}`);
    }
  } catch (error) {
    return {
      operation: 'object.unknown',
      frame: 'dispatch',
      run: () => {
        throw error;
      },
    };
  }
  const [modelName, method, ...args] = positional;
  const target = typeof modelName === 'string' ? orm.registry.model(modelName) : undefined;
  const known = target !== undefined && typeof method === 'string' && isKnownMethod(method);
  return {
    operation: known ? `${modelName as string}.${method as string}` : 'object.unknown',
    frame,
    run: () => {
      if (typeof method !== 'string') throw pythonError('TypeError', `expected string or bytes-like object, got '${typeof method}'`);
      if (/^(_.*|init)$/.test(method)) throw accessError(`Private methods (such as ${method}) cannot be called remotely.`);
      if (!target) throw userError(`Object ${pyStrOf(modelName)} doesn't exist`);
      return callKw(orm, target, method, args, keywords);
    },
  };
}

export function routeService(service: string, call: MethodCall, credentials: Credentials, orm: Orm): ServiceCall {
  switch (service) {
    case 'common':
      return common(call, credentials);
    case 'object':
      return object(call, credentials, orm);
    case 'db':
      return db(call, credentials);
    default:
      return {
        operation: 'xmlrpc.unknown',
        frame: 'dispatch_rpc',
        run: () => {
          throw pythonError('KeyError', pyStr(service));
        },
      };
  }
}
