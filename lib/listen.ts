/**
 * A port that cannot be listened on, told in one line that names the setting (not the
 * raw EADDRINUSE stack): the gateway's entry point when its listen fails, and `npm start`
 * before it starts anything (portProblem).
 */
import { createServer } from 'node:net';
import { ConfigError } from './env.js';

/** The one-line problem for a listen error `code` on host:port, or undefined for another error. */
export function listenProblem(code: string | undefined, variable: string, port: number, host: string): string | undefined {
  switch (code) {
    case 'EADDRINUSE':
      return `${variable} ${port} is in use on ${host} (another process listens there): stop it or set ${variable} to a free port`;
    case 'EACCES':
      return `${variable} ${port} cannot be listened on at ${host} (permission denied: ports below 1024 need privileges): set ${variable} to a port from 1024 up`;
    case 'EADDRNOTAVAIL':
      return `${variable} ${port}: ${host} is not an address of this machine`;
    default:
      return undefined;
  }
}

/** A listen error as a ConfigError naming `variable` when it is about the port or host; else the error itself. */
export function listenError(error: unknown, variable: string, port: number, host: string): unknown {
  const problem = listenProblem((error as NodeJS.ErrnoException | undefined)?.code, variable, port, host);
  if (problem === undefined) return error;
  const configError = new ConfigError(variable, '');
  configError.message = problem;
  return configError;
}

/** Why host:port cannot be listened on now (one line naming `variable`), or undefined when it is free. Port 0 is always free. */
export function portProblem(variable: string, port: number, host: string): Promise<string | undefined> {
  if (port === 0) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      resolve(listenProblem(error.code, variable, port, host) ?? `${variable} ${port} cannot be listened on at ${host}: ${error.message}`),
    );
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}
