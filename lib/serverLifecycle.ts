/**
 * Listening and closing for every HTTP server here (gateway, subgraphs, sandboxes): the
 * URL it listens on, with the port actually bound, and the connections it holds, so that
 * a close never waits on a keep-alive or upgraded (WebSocket) socket a client keeps open.
 */
import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ServerLifecycle {
  /**
   * Listens on host:port (port 0: any free one); resolves to `http://host:port` with the
   * bound port (an IPv6 host in brackets), or rejects with the listen error (EADDRINUSE…).
   */
  listen(port: number, host?: string): Promise<string>;
  /** Destroys every connection still open, upgraded ones included. */
  destroyConnections(): void;
  /** Destroys every connection and stops listening; resolves once the server is closed. */
  close(): Promise<void>;
}

/** Tracks `server`'s connections from now on; call before it listens. */
export function serverLifecycle(server: Server): ServerLifecycle {
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const destroyConnections = (): void => {
    for (const socket of sockets) socket.destroy();
  };
  return {
    listen(port, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const { port: bound } = server.address() as AddressInfo;
          resolve(`http://${host.includes(':') ? `[${host}]` : host}:${bound}`);
        });
      });
    },
    destroyConnections,
    close() {
      return new Promise((resolve) => {
        destroyConnections();
        // Resolves also when it was not listening (the callback then gets ERR_SERVER_NOT_RUNNING).
        server.close(() => resolve());
      });
    },
  };
}
