/**
 * Odoo's exceptions and how its XML-RPC controller turns them into faults.
 *
 * Odoo 16/17 (odoo/addons/base/controllers/rpc.py) maps, on /xmlrpc/2/:
 *   AccessError -> faultCode 4, faultString str(e)
 *   AccessDenied -> faultCode 3, faultString str(e) ("Access Denied")
 *   UserError and subclasses (MissingError, ValidationError) -> faultCode 2, str(e)
 *   any other exception -> faultCode 1, faultString the formatted Python traceback
 * and on the legacy /xmlrpc/ it puts a string in faultCode instead (see toLegacyFault).
 * The sandbox has no Python stack, so its tracebacks are one frame long; what clients
 * read is the last line, `ExceptionType: message`, and that is Odoo's.
 */

export type OdooErrorKind = 'AccessDenied' | 'AccessError' | 'UserError' | 'MissingError' | 'ValidationError' | 'Python';

export class OdooError extends Error {
  constructor(
    readonly kind: OdooErrorKind,
    /** For kind 'Python': the exception class, e.g. `ValueError` or `psycopg2.OperationalError`. */
    readonly pythonType: string,
    message: string,
  ) {
    super(message);
    this.name = 'OdooError';
  }
}

export const accessDenied = (): OdooError => new OdooError('AccessDenied', 'odoo.exceptions.AccessDenied', 'Access Denied');
export const accessError = (message: string): OdooError => new OdooError('AccessError', 'odoo.exceptions.AccessError', message);
export const userError = (message: string): OdooError => new OdooError('UserError', 'odoo.exceptions.UserError', message);
export const validationError = (message: string): OdooError => new OdooError('ValidationError', 'odoo.exceptions.ValidationError', message);
export const pythonError = (pythonType: string, message: string): OdooError => new OdooError('Python', pythonType, message);

/** What Odoo raises when a record read through a relation or written is gone. */
export function missingError(model: string, ids: readonly number[], uid: number): OdooError {
  const record = `${model}(${ids.join(', ')}${ids.length === 1 ? ',' : ''})`;
  return new OdooError('MissingError', 'odoo.exceptions.MissingError', `Record does not exist or has been deleted.\n(Record: ${record}, User: ${uid})`);
}

export interface Fault {
  faultCode: number | string;
  faultString: string;
}

export function traceback(pythonType: string, message: string, frame = 'execute_kw'): string {
  return [
    'Traceback (most recent call last):',
    `  File "<erp-sandbox>", line 1, in ${frame}`,
    // Python prints a bare type when the message is empty.
    message === '' ? pythonType : `${pythonType}: ${message}`,
    '',
  ].join('\n');
}

/** An unexpected JavaScript error, shown the way Odoo shows an unexpected Python one. */
export function asOdooError(error: unknown): OdooError {
  if (error instanceof OdooError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return pythonError('Exception', message);
}

/** The fault /xmlrpc/2/ sends (integer codes). */
export function toFault(error: OdooError, frame?: string): Fault {
  switch (error.kind) {
    case 'AccessDenied':
      return { faultCode: 3, faultString: error.message };
    case 'AccessError':
      return { faultCode: 4, faultString: error.message };
    case 'UserError':
    case 'MissingError':
    case 'ValidationError':
      return { faultCode: 2, faultString: error.message };
    case 'Python':
      return { faultCode: 1, faultString: traceback(error.pythonType, error.message, frame) };
  }
}

/** The fault the legacy /xmlrpc/ endpoint sends (string codes, xmlrpc_handle_exception_string). */
export function toLegacyFault(error: OdooError, frame?: string): Fault {
  switch (error.kind) {
    case 'AccessDenied':
      return { faultCode: 'AccessDenied', faultString: error.message };
    case 'AccessError':
      return { faultCode: `warning -- AccessError\n\n${error.message}`, faultString: '' };
    case 'MissingError':
      return { faultCode: `warning -- MissingError\n\n${error.message}`, faultString: '' };
    case 'UserError':
    case 'ValidationError':
      return { faultCode: `warning -- UserError\n\n${error.message}`, faultString: '' };
    case 'Python':
      return { faultCode: error.message, faultString: traceback(error.pythonType, error.message, frame) };
  }
}
