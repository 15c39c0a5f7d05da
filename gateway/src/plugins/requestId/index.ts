/**
 * One id per HTTP request (after Hive Gateway's useRequestId): the client's
 * `x-request-id` when it is a sane token, a fresh UUID otherwise. It is echoed in the
 * response header, stored as `context.requestId` (the field the subgraph data source
 * forwards as `x-request-id`), and bound into a child logger, so every log line about
 * the request carries it. A batch of operations shares one HTTP request, one context
 * and so one id.
 *
 * The child logger lives in a WeakMap keyed on the request's context object: it goes
 * away with the request, and nothing per request sits in a module global.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { Logger } from 'pino';
import { traceLogFields, type TraceContext } from '../../../../lib/tracing.js';

export const REQUEST_ID_HEADER = 'x-request-id';

/** Letters, digits and `._:-`, up to 128 characters: UUIDs, ULIDs and trace ids pass; log or header injection does not. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The client's id when it is sane, else a new UUID. */
export function requestIdFrom(value: string | readonly string[] | null | undefined): string {
  const candidate = Array.isArray(value) ? value[0] : value;
  return typeof candidate === 'string' && SANE_REQUEST_ID.test(candidate) ? candidate : randomUUID();
}

export interface RequestIdContext extends BaseContext {
  /** Set by the HTTP handler (fromHttp) or, failing that, when the first operation starts. */
  requestId?: string;
  /** The request's trace context, when tracing is on (pipeline/GatewayContext.ts): its ids go on the request's log lines. */
  trace?: TraceContext;
}

export interface RequestIdPlugin extends ApolloServerPlugin<RequestIdContext> {
  /** Takes or makes the id of an HTTP request and echoes it in the response; call first, before any route. */
  fromHttp(req: IncomingMessage, res: ServerResponse): string;
  /** The request's child logger (created on first use), with its trace_id and span_id when tracing is on. */
  loggerFor(context: RequestIdContext): Logger;
}

export interface RequestIdOptions {
  /** The gateway's logger; request loggers are its children. */
  logger: Logger;
}

export function requestIdPlugin({ logger }: RequestIdOptions): RequestIdPlugin {
  const loggers = new WeakMap<RequestIdContext, Logger>();

  const loggerFor = (context: RequestIdContext): Logger => {
    let child = loggers.get(context);
    if (!child) {
      context.requestId ??= randomUUID();
      child = logger.child(context.trace ? { requestId: context.requestId, ...traceLogFields(context.trace) } : { requestId: context.requestId });
      loggers.set(context, child);
    }
    return child;
  };

  return {
    fromHttp(req, res) {
      const id = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
      res.setHeader(REQUEST_ID_HEADER, id);
      return id;
    },
    loggerFor,
    async requestDidStart({ contextValue, request, response }) {
      // Normally fromHttp has set it; this covers executeOperation and other integrations.
      contextValue.requestId ??= requestIdFrom(request.http?.headers.get(REQUEST_ID_HEADER));
      response.http.headers.set(REQUEST_ID_HEADER, contextValue.requestId);
    },
  };
}
