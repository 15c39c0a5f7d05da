/**
 * A client that goes away mid-request is not a server error. Slow or flaky clients (and
 * load balancers cutting idle ones) close connections before their body is complete or
 * before the answer is sent; logged as "unexpected error masked" with a stack, 400 such
 * clients made hundreds of error lines that hid real faults. Here each one is counted
 * (`gateway_client_aborts_total{stage}`) and logged once, at info, without a stack:
 *
 * - stage `request`: the connection closed before the request body was complete;
 * - stage `response`: the request was complete, the connection closed before the
 *   response was sent.
 *
 * The line is written when the response closes unfinished, whatever noticed it first, so
 * an abort that also fails the handler (readBody's ClientAbortedError) is still one line.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { ClientAbortedError } from '../../../lib/http.js';
import type { GatewayMetrics } from '../metrics.js';

/** Error codes of a connection the peer closed or reset. */
const ABORT_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE', 'ERR_STREAM_DESTROYED']);

/** True when `error` is the client going away: readBody's ClientAbortedError, or a connection error on a connection that is indeed gone. */
export function isClientAbort(error: unknown, req: IncomingMessage | undefined): boolean {
  if (error instanceof ClientAbortedError) return true;
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && ABORT_CODES.has(code) && req !== undefined && (req.destroyed || req.socket?.destroyed === true);
}

export interface ClientAborts {
  /** Watches one request: logs and counts it if its response closes unfinished, unless the server closed it (serverClosed). */
  watch(req: IncomingMessage, res: ServerResponse, log: () => Logger): void;
  /** Marks a response the server itself destroys (after a failure once headers were sent): not a client abort. */
  serverClosed(res: ServerResponse): void;
}

export function clientAborts(metrics: GatewayMetrics): ClientAborts {
  const closedByServer = new WeakSet<ServerResponse>();
  return {
    watch(req, res, log) {
      res.once('close', () => {
        if (res.writableFinished || closedByServer.has(res)) return;
        const stage = req.complete ? 'response' : 'request';
        metrics.clientAborts.inc({ stage });
        log().info(
          { stage, method: req.method },
          stage === 'request' ? 'client closed the connection before its request was complete' : 'client closed the connection before the response was sent',
        );
      });
    },
    serverClosed(res) {
      closedByServer.add(res);
    },
  };
}
