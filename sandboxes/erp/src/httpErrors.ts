/**
 * Answers that do not come from Odoo's XML-RPC controller but from the HTTP layer around
 * it. A production Odoo sits behind a reverse proxy (nginx, on Odoo.sh too), so an
 * injected server error or rate limit, and a body too large, get nginx's stock pages;
 * a wrong path or verb gets the werkzeug page Odoo itself serves. Python's xmlrpc.client
 * raises ProtocolError(url, status, reason, headers) for all of them.
 */
import type { ProductErrors, SandboxResponse } from '../../kit/src/index.js';
import { asOdooError, toFault } from './odoo/exceptions.js';
import { serializeFault } from '../../../lib/xmlrpc/serialize.js';

const HTML = { 'content-type': 'text/html' };

export const XML_HEADERS = { 'content-type': 'text/xml; charset=utf-8' };

function nginxPage(status: number, reason: string, headers: Record<string, string> = {}): SandboxResponse {
  const title = `${status} ${reason}`;
  const body = `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
  return { status, headers: { ...HTML, server: 'nginx', ...headers }, body };
}

function werkzeugPage(status: number, title: string, text: string, headers: Record<string, string> = {}): SandboxResponse {
  const body = `<!doctype html>\n<html lang=en>\n<title>${status} ${title}</title>\n<h1>${title}</h1>\n<p>${text}</p>\n`;
  return { status, headers: { 'content-type': 'text/html; charset=utf-8', ...headers }, body };
}

export const notFound = (): SandboxResponse =>
  werkzeugPage(404, 'Not Found', 'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.');

export const methodNotAllowed = (): SandboxResponse =>
  werkzeugPage(405, 'Method Not Allowed', 'The method is not allowed for the requested URL.', { allow: 'POST' });

const escapeHtml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** werkzeug's BadRequest(description), as an Odoo http route raises it. */
export const badRequest = (description: string): SandboxResponse => werkzeugPage(400, 'Bad Request', escapeHtml(description));

/** What Odoo answers when an http route (not XML-RPC) raises unexpectedly. */
export const internalServerError = (): SandboxResponse =>
  werkzeugPage(
    500,
    'Internal Server Error',
    'The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.',
  );

export const ERP_ERRORS: ProductErrors = {
  // nginx's answer when the Odoo workers behind it are unavailable or overloaded.
  serverError: () => nginxPage(503, 'Service Temporarily Unavailable'),
  rateLimited: (retryAfterSeconds) => nginxPage(429, 'Too Many Requests', { 'retry-after': String(retryAfterSeconds) }),
  tooLarge: () => nginxPage(413, 'Request Entity Too Large'),
  // Odoo answers an unexpected exception with a fault (HTTP 200), never a bare 500.
  internal: (error) => {
    console.error('[erp sandbox] unexpected error:', error);
    const fault = toFault(asOdooError(error), 'xmlrpc_2');
    return { status: 200, headers: XML_HEADERS, body: serializeFault(fault.faultCode, fault.faultString) };
  },
};
