/**
 * Odoo's external API over XML-RPC, as every service that talks to the ERP needs it:
 * `/xmlrpc/2/common` to log in, `/xmlrpc/2/object` execute_kw for everything else, each
 * call under the caller's BackendPolicy (a timeout per attempt through its AbortSignal,
 * retries where the caller says a repeat is safe, one breaker).
 *
 * It logs in lazily, once, and keeps the uid; when Odoo answers AccessDenied (the uid of
 * a restored database, a rotated API key) it logs in again, once, and repeats the call:
 * Odoo checks the credentials before it runs anything, so that repeat is safe even for a
 * create. What to read, and whether a call may be repeated, is the caller's business:
 * the erp subgraph's OdooErpConnector and the payments subgraph's invoice checks both
 * sit on this client.
 */
import { Agent, request } from 'undici';
import type { Logger } from 'pino';
import { withTraceHeaders } from '../../../../lib/tracing.js';
import { isStruct, parseMethodResponse, serializeMethodCall, type MethodResponse, type XmlRpcStruct, type XmlRpcValue } from '../../../../lib/xmlrpc/index.js';
import type { BackendPolicy } from '../BackendPolicy.js';
import { BackendError } from '../errors.js';
import { outsideRequestDeadline, requestTraceContext, withinRequestDeadline } from '../requestDeadline.js';
import { errorForFault, errorForStatus, malformed, unreachable } from './odooErrors.js';

export interface OdooClientOptions {
  /** Origin (and any path prefix) of the Odoo server, e.g. https://mycompany.odoo.com. */
  url: string;
  db: string;
  username: string;
  /** Password or API key. Never logged, never in a message. */
  password: string;
  policy: BackendPolicy;
  logger: Logger;
}

/** The list of records a read or search_read answers. */
export function readRecords(value: XmlRpcValue, model: string): XmlRpcStruct[] {
  if (!Array.isArray(value) || !value.every(isStruct)) throw malformed(`${model} records that are not a list of structs`);
  return value as XmlRpcStruct[];
}

export class OdooClient {
  readonly policy: BackendPolicy;
  private readonly agent = new Agent({ keepAliveTimeout: 10_000, keepAliveMaxTimeout: 60_000 });
  private readonly options: Omit<OdooClientOptions, 'policy' | 'logger'>;
  private readonly logger: Logger;
  private session: Promise<number> | null = null;

  constructor(options: OdooClientOptions) {
    this.policy = options.policy;
    this.logger = options.logger;
    this.options = { url: options.url.replace(/\/+$/, ''), db: options.db, username: options.username, password: options.password };
  }

  /** execute_kw as the configured user; on AccessDenied, logs in again once and repeats the call. */
  async executeKw(model: string, method: string, args: XmlRpcValue[], kwargs: Record<string, XmlRpcValue>, retry: boolean): Promise<XmlRpcValue> {
    const operation = `${model}.${method}`;
    const { db, password } = this.options;
    const session = this.sharedLogin();
    const uid = await withinRequestDeadline(session, 'erp');
    try {
      return await this.rpc('object', 'execute_kw', [db, uid, password, model, method, args, kwargs], { operation, retry });
    } catch (error) {
      if (!(error instanceof BackendError && error.details.odooFault === 3)) throw error;
      if (this.session === session) this.session = null;
      this.logger.info({ operation }, 'the ERP refused the session; logging in again');
      const fresh = await withinRequestDeadline(this.sharedLogin(), 'erp');
      return this.rpc('object', 'execute_kw', [db, fresh, password, model, method, args, kwargs], { operation, retry });
    }
  }

  /** Closes the keep-alive connections. */
  async close(): Promise<void> {
    await this.agent.close();
  }

  /**
   * The uid of the configured login, logging in on first use. The login is shared by every
   * request that needs it meanwhile, so it runs free of the deadline of the request that
   * happened to start it (requestDeadline.ts), and each request waits for it only until
   * its own deadline.
   */
  private sharedLogin(): Promise<number> {
    if (!this.session) {
      const session = outsideRequestDeadline(() => this.authenticate());
      this.session = session;
      // A failed login is not kept: the next call tries again.
      session.catch(() => {
        if (this.session === session) this.session = null;
      });
    }
    return this.session;
  }

  private async authenticate(): Promise<number> {
    const { db, username, password } = this.options;
    const value = await this.rpc('common', 'authenticate', [db, username, password, {}], { operation: 'common.authenticate', retry: true });
    if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value;
    // Odoo answers a wrong login or password with False, not a fault.
    if (value === false)
      throw new BackendError(
        'UNAUTHENTICATED',
        'The ERP refused the configured login; check ERP_DB, ERP_USERNAME and ERP_PASSWORD (an API key in production).',
        { backend: 'erp' },
      );
    throw malformed('authenticate answered neither a user id nor False');
  }

  /** One XML-RPC call under the policy: each attempt is aborted by the policy's signal on timeout. */
  private rpc(service: 'common' | 'object', method: string, params: XmlRpcValue[], call: { operation: string; retry: boolean }): Promise<XmlRpcValue> {
    const body = serializeMethodCall(method, params);
    return this.policy.execute(
      async (signal) => {
        let status: number;
        let headers: Record<string, string | string[] | undefined>;
        let text: string;
        try {
          const response = await request(`${this.options.url}/xmlrpc/2/${service}`, {
            method: 'POST',
            // With tracing on, the attempt's traceparent (lib/tracing.ts).
            headers: withTraceHeaders({ 'content-type': 'text/xml; charset=utf-8', accept: 'text/xml' }, requestTraceContext()),
            body,
            signal,
            dispatcher: this.agent,
          });
          status = response.statusCode;
          headers = response.headers;
          text = await response.body.text();
        } catch (error) {
          if (signal.aborted) throw error;
          throw this.logged(unreachable(call.operation, error), call.operation);
        }
        if (status !== 200) throw this.logged(errorForStatus(status, headers, call.operation), call.operation);
        let response: MethodResponse;
        try {
          response = parseMethodResponse(text);
        } catch {
          throw this.logged(malformed(`${call.operation} answered HTTP 200 with a body that is not an XML-RPC response`), call.operation);
        }
        if (response.kind === 'fault')
          throw this.logged(errorForFault(response.faultCode, response.faultString, call.operation, [this.options.password]), call.operation);
        return response.value;
      },
      { retry: call.retry, operation: call.operation },
    );
  }

  /** Logs a failed attempt (its code and scrubbed message, never the call's parameters) and returns it. */
  private logged(failure: BackendError, operation: string): BackendError {
    this.logger.warn({ operation, status: failure.status, code: failure.code, reason: failure.message, retryAfterMs: failure.retryAfterMs }, 'ERP call failed');
    return failure;
  }
}
