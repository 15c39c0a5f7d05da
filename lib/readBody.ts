/**
 * Reading a request body with a size limit, shared by every HTTP server of the project
 * (gateway, subgraphs, sandboxes). It imports nothing but node:http types, so the
 * sandboxes can use it without loading Apollo.
 */
import type { IncomingMessage } from 'node:http';

export class PayloadTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`The request body is larger than ${limitBytes} bytes.`);
  }
}

/**
 * The client closed its connection before the body was complete (Node reports it as an
 * `aborted` ECONNRESET error on the request): the client's doing, not a server fault.
 */
export class ClientAbortedError extends Error {
  readonly code = 'CLIENT_ABORTED';
  constructor(cause?: unknown) {
    super('The client closed the connection before the request body was complete.', { cause });
    this.name = 'ClientAbortedError';
  }
}

/**
 * Reads a request body, failing with PayloadTooLargeError past `limitBytes` and with
 * ClientAbortedError when the client goes away first.
 */
export function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limitBytes) {
      req.resume();
      reject(new PayloadTooLargeError(limitBytes));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        req.removeAllListeners('data');
        req.resume();
        reject(new PayloadTooLargeError(limitBytes));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', (error: NodeJS.ErrnoException) => reject(error.code === 'ECONNRESET' ? new ClientAbortedError(error) : error));
    // Once the body is complete (or refused above) this settles nothing: a promise settles once.
    req.on('close', () => {
      if (!req.complete) reject(new ClientAbortedError());
    });
  });
}
