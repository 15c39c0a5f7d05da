/**
 * Turns an HTTP request into a counted XML-RPC call: POST /xmlrpc/2/<service> (integer
 * fault codes) or the legacy POST /xmlrpc/<service> (string fault codes). The body is
 * parsed and the credentials checked here, before faults are injected, so that the call
 * is counted under the right operation name; the call itself runs later.
 */
import type { RoutedCall, SandboxRequest, SandboxResponse } from '../../kit/src/index.js';
import { XML_HEADERS, methodNotAllowed, notFound } from './httpErrors.js';
import { asOdooError, pythonError, toFault, toLegacyFault } from './odoo/exceptions.js';
import type { Orm } from './odoo/orm.js';
import { routeService, type Credentials, type ServiceCall } from './services.js';
import { XmlRpcDecodeError, parseMethodCall } from '../../../lib/xmlrpc/parse.js';
import { serializeFault, serializeResponse } from '../../../lib/xmlrpc/serialize.js';

const XMLRPC_PATH = /^\/xmlrpc\/(?:(2)\/)?([^/]+)$/;

function respond(call: ServiceCall, legacy: boolean): SandboxResponse {
  try {
    return { status: 200, headers: XML_HEADERS, body: serializeResponse(call.run()) };
  } catch (error) {
    const odooError = asOdooError(error);
    if (odooError !== error) console.error('[erp sandbox] unexpected error:', error);
    const fault = legacy ? toLegacyFault(odooError, call.frame) : toFault(odooError, call.frame);
    return { status: 200, headers: XML_HEADERS, body: serializeFault(fault.faultCode, fault.faultString) };
  }
}

export function createXmlRpcRoute(credentials: Credentials, orm: Orm): (request: SandboxRequest) => RoutedCall | SandboxResponse {
  return (request) => {
    const match = XMLRPC_PATH.exec(request.path);
    if (!match) return notFound();
    if (request.method !== 'POST') return methodNotAllowed();
    const legacy = match[1] === undefined;
    const service = match[2]!;
    let call: ServiceCall;
    try {
      call = routeService(service, parseMethodCall(request.body.toString('utf8')), credentials, orm);
    } catch (error) {
      // Odoo answers an unreadable body with a fault too: xmlrpc.client.loads raised inside its controller.
      const decodeError = error instanceof XmlRpcDecodeError ? pythonError(error.pythonType, error.message) : asOdooError(error);
      call = {
        operation: 'xmlrpc.malformed',
        frame: '_xmlrpc',
        run: () => {
          throw decodeError;
        },
      };
    }
    return { operation: call.operation, run: () => respond(call, legacy) };
  };
}
