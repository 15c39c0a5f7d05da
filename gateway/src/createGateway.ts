/**
 * The gateway: @apollo/gateway executing query plans over the subgraphs named in the
 * supergraph file, served by @apollo/server on node:http. This is the minimal front
 * door the subgraph tests need; caching, the playground and observability come with
 * the gateway issue.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { Supergraph } from '@apollo/federation-internals';
import type { Logger } from 'pino';
import { executeApolloRequest, PayloadTooLargeError, readBody, sendGraphQLError, sendJson } from '../../lib/http.js';
import type { GatewayConfig } from './config.js';

export class SupergraphError extends Error {}

/** Reads and validates the supergraph, naming the file and the problem when it is unusable. */
export function loadSupergraph(path: string): string {
  if (!existsSync(path)) throw new SupergraphError(`supergraph file ${path} does not exist; run \`npm run compose\``);
  const sdl = readFileSync(path, 'utf8');
  try {
    Supergraph.build(sdl);
  } catch (error) {
    throw new SupergraphError(`supergraph file ${path} is not a valid supergraph: ${(error as Error).message}`);
  }
  return sdl;
}

export interface Gateway {
  readonly server: Server;
  listen(port: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;

export async function createGateway(config: GatewayConfig, logger: Logger): Promise<Gateway> {
  const supergraphSdl = loadSupergraph(config.supergraphPath);
  const gateway = new ApolloGateway({
    supergraphSdl,
    logger,
    buildService: ({ name, url }) =>
      new RemoteGraphQLDataSource({
        url: config.subgraphUrls[name] ?? url,
        willSendRequest: ({ request, context }) => {
          const incoming = (context as { headers?: Record<string, string | string[] | undefined> }).headers;
          for (const header of ['authorization', 'x-request-id']) {
            const value = incoming?.[header];
            if (typeof value === 'string') request.http?.headers.set(header, value);
          }
        },
      }),
  });

  const httpServer = createServer();
  const sockets = new Set<Socket>();
  httpServer.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const apollo = new ApolloServer({ gateway, logger, includeStacktraceInErrorResponses: false, plugins: [ApolloServerPluginDrainHttpServer({ httpServer })] });
  await apollo.start();

  httpServer.on('request', (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const run = async (): Promise<void> => {
      if (path === '/health') return sendJson(res, 200, { status: 'ok' });
      if (path !== '/graphql') return sendJson(res, 404, { error: `no route ${req.method} ${path}` });
      let body: Buffer;
      try {
        body = await readBody(req, MAX_BODY_BYTES);
      } catch (error) {
        if (error instanceof PayloadTooLargeError) return sendGraphQLError(res, 413, 'PAYLOAD_TOO_LARGE', error.message);
        throw error;
      }
      await executeApolloRequest(apollo, req, body, res, async () => ({ headers: req.headers }));
    };
    run().catch((error: unknown) => {
      logger.error({ err: error }, 'request failed');
      if (!res.headersSent) sendGraphQLError(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
      else res.destroy();
    });
  });

  return {
    server: httpServer,
    listen(port, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          httpServer.off('error', reject);
          resolve(`http://${host}:${(httpServer.address() as AddressInfo).port}/graphql`);
        });
      });
    },
    async close() {
      await apollo.stop();
      for (const socket of sockets) socket.destroy();
    },
  };
}
