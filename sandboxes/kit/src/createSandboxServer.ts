/**
 * The HTTP shell every sandbox shares: body reading with a size limit, the operator
 * endpoints (/__sandbox/stats, /__sandbox/faults), per-operation call counting and
 * fault injection. The sandbox itself only turns a request into an operation and the
 * operation into a response, in its product's own protocol.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { keepConnectionsAlive } from '../../../lib/keepAlive.js';
import { PayloadTooLargeError, readBody } from '../../../lib/readBody.js';
import { serverLifecycle } from '../../../lib/serverLifecycle.js';
import { traceIdOf } from '../../../lib/tracing.js';
import { FaultInjector, FaultParseError, parseFaultConfig } from './faults.js';
import type { Service } from '../../../lib/service.js';

export interface SandboxResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface SandboxRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/** What a sandbox makes of one request: the operation it counts as, and how to answer it. */
export interface RoutedCall {
  /** Stats name of the call, such as `companies.batchRead` or `res.partner.search_read`. */
  operation: string;
  run: () => SandboxResponse | Promise<SandboxResponse>;
}

/** The product's own answers for injected faults and for requests too large to read. */
export interface ProductErrors {
  serverError: () => SandboxResponse;
  rateLimited: (retryAfterSeconds: number) => SandboxResponse;
  tooLarge: (limitBytes: number) => SandboxResponse;
  /** An unexpected exception in the sandbox; never a crash. */
  internal: (error: unknown) => SandboxResponse;
}

export interface SandboxServerOptions {
  name: string;
  /** Largest request body read, in bytes. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Routes a request; a SandboxResponse answers directly, without counting an operation. */
  route: (request: SandboxRequest) => RoutedCall | SandboxResponse | Promise<RoutedCall | SandboxResponse>;
  errors: ProductErrors;
}

export interface SandboxServer extends Service {
  readonly server: Server;
  readonly faults: FaultInjector;
  /** Calls counted per operation since the last reset. */
  stats(): { total: number; operations: Record<string, number>; faults: Record<string, number> };
  resetStats(): void;
  listen(port: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };

function json(status: number, body: unknown): SandboxResponse {
  return { status, headers: JSON_HEADERS, body: JSON.stringify(body) };
}

function isRoutedCall(value: RoutedCall | SandboxResponse): value is RoutedCall {
  return typeof (value as RoutedCall).run === 'function';
}

/**
 * One JSON line per call that carries a W3C traceparent (a caller that traces), written when
 * its response is over: the operation, its status and time, any injected fault, and the
 * caller's `trace_id`, so that a trace can be followed into the sandbox. Untraced calls
 * are not logged, as before.
 */
function logTracedCall(name: string, req: IncomingMessage, res: ServerResponse, request: SandboxRequest, operation: string, fault: string): void {
  const traceId = traceIdOf(req.headers);
  if (!traceId) return;
  const started = performance.now();
  res.once('close', () => {
    const line = {
      level: 30,
      time: Date.now(),
      name: `${name}-sandbox`,
      method: request.method,
      path: request.path,
      operation,
      status: res.statusCode,
      ms: Math.round(performance.now() - started),
      ...(fault === 'none' ? {} : { fault }),
      trace_id: traceId,
      msg: 'request served',
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  });
}

export function createSandboxServer(options: SandboxServerOptions): SandboxServer {
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const faults = new FaultInjector();
  let operations = new Map<string, number>();
  let faultCounts = new Map<string, number>();
  const bump = (map: Map<string, number>, key: string): void => {
    map.set(key, (map.get(key) ?? 0) + 1);
  };

  const stats = (): ReturnType<SandboxServer['stats']> => {
    let total = 0;
    for (const count of operations.values()) total += count;
    return {
      total,
      operations: Object.fromEntries([...operations].sort(([a], [b]) => a.localeCompare(b))),
      faults: Object.fromEntries(faultCounts),
    };
  };

  const operator = async (request: SandboxRequest): Promise<SandboxResponse> => {
    const route = `${request.method} ${request.path}`;
    switch (route) {
      case 'GET /__sandbox/stats':
        return json(200, { sandbox: options.name, ...stats() });
      case 'POST /__sandbox/stats/reset':
        operations = new Map();
        faultCounts = new Map();
        return json(200, { sandbox: options.name, ...stats() });
      case 'GET /__sandbox/faults':
        return json(200, faults.current());
      case 'POST /__sandbox/faults': {
        let input: unknown;
        try {
          input = JSON.parse(request.body.toString('utf8') || '{}');
        } catch {
          return json(400, { error: 'the body must be JSON' });
        }
        try {
          faults.set(parseFaultConfig(input));
        } catch (error) {
          if (error instanceof FaultParseError) return json(400, { error: error.message });
          throw error;
        }
        return json(200, faults.current());
      }
      case 'DELETE /__sandbox/faults':
        faults.clear();
        return json(200, faults.current());
      case 'GET /__sandbox/health':
        return json(200, { sandbox: options.name, status: 'ok' });
      default:
        return json(404, { error: `no operator endpoint ${route}` });
    }
  };

  const send = (res: ServerResponse, response: SandboxResponse): void => {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(response.status, response.headers);
    res.end(response.body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    let body: Buffer;
    try {
      body = await readBody(req, maxBodyBytes);
    } catch (error) {
      if (error instanceof PayloadTooLargeError) {
        res.setHeader('connection', 'close');
        send(res, options.errors.tooLarge(maxBodyBytes));
      } else {
        res.destroy();
      }
      return;
    }
    const request: SandboxRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body };
    if (request.path.startsWith('/__sandbox/')) {
      send(res, await operator(request));
      return;
    }
    const routed = await options.route(request);
    if (!isRoutedCall(routed)) {
      send(res, routed);
      return;
    }
    bump(operations, routed.operation);
    const { action, delayMs, retryAfterSeconds } = faults.decide(routed.operation);
    logTracedCall(options.name, req, res, request, routed.operation, action);
    if (action !== 'none') bump(faultCounts, action);
    if (action === 'down') {
      req.socket.destroy();
      return;
    }
    if (action === 'hang') return; // answered never; the socket is destroyed on close()
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    if (action === 'error') send(res, options.errors.serverError());
    else if (action === 'rateLimit') send(res, options.errors.rateLimited(retryAfterSeconds || 1));
    else {
      const answer = await routed.run();
      // The call ran; its answer is lost on the way back.
      if (action === 'lostAnswer') req.socket.destroy();
      else send(res, answer);
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      try {
        send(res, options.errors.internal(error));
      } catch {
        res.destroy();
      }
    });
  });
  keepConnectionsAlive(server);
  const lifecycle = serverLifecycle(server);
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });

  return {
    server,
    faults,
    stats,
    resetStats() {
      operations = new Map();
      faultCounts = new Map();
    },
    listen: (port, host) => lifecycle.listen(port, host),
    close: () => lifecycle.close(),
  };
}
