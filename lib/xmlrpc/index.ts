/**
 * XML-RPC as Python's xmlrpc.client and Odoo speak it: the ERP sandbox serves it and
 * the erp subgraph's connector calls it, so both use this one codec.
 */
export { XmlRpcDouble, isStruct, newStruct, numberOf, type XmlRpcStruct, type XmlRpcValue, type MethodCall, type MethodResponse } from './values.js';
export { XmlRpcDecodeError, parseMethodCall, parseMethodResponse, parseValue } from './parse.js';
export { escapeXml, serializeFault, serializeMethodCall, serializeResponse, serializeValue } from './serialize.js';
