/**
 * GraphQL subscriptions over WebSocket (the graphql-transport-ws protocol, `graphql-ws`
 * on `ws`), on the subgraph's own HTTP server and GraphQL path, for the gateway only:
 *
 * - `connection_init` must carry `{ "x-graph360-gateway": <token> }`, verified like the
 *   HTTP header (auth.ts); without a valid one the socket is closed 4403 Forbidden.
 * - Each `subscribe` carries the token of the caller it is for in
 *   `payload.extensions["x-graph360-gateway"]`; without a valid one the operation gets an
 *   UNAUTHENTICATED error. Its claims are the subscription's `context.auth`, so the
 *   resolvers' checks work as over HTTP. Tokens live 60 s: they are checked at subscribe
 *   time only, not for each event of a stream that outlives them.
 * - Subscriptions only (queries and mutations go over HTTP: BAD_REQUEST); messages are at
 *   most `maxPayloadBytes`.
 * - The subscribe resolver runs with a context made for the subscription, and each event
 *   is resolved with a context of its own, made the same way (as if it were a request):
 *   loaders cache per request, and a stream lasts hours, so nothing one event loaded is
 *   served stale to a later one.
 * - close(): every socket is closed 1001 (going away), so the gateway subscribes again
 *   elsewhere; one that does not finish the closing handshake within a second is cut.
 */
import type { IncomingMessage, Server } from 'node:http';
import {
  createSourceEventStream,
  execute,
  getOperationAST,
  GraphQLError,
  parse,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import { GATEWAY_TOKEN_HEADER, verifyGatewayToken, type SubgraphAuth } from './auth.js';

export interface SubscriptionServerOptions<TContext> {
  httpServer: Server;
  /** The path the subgraph serves GraphQL on over HTTP, e.g. /graphql. */
  path: string;
  schema: GraphQLSchema;
  /** The gateway secret's bytes (GATEWAY_SUBGRAPH_SECRET), and the previous one's during a rotation. */
  secret: Uint8Array | readonly Uint8Array[];
  /** Makes a context as for an HTTP request: `req` is the socket's upgrade request. */
  context: (req: IncomingMessage, auth: SubgraphAuth) => Promise<TContext>;
  /** Formats each error sent, as Apollo Server's formatError does over HTTP. */
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  maxPayloadBytes: number;
  logger: Logger;
}

export interface SubscriptionServer {
  /** Subscriptions being served now (in /health: a client can tell when its subscription is in place). */
  readonly active: number;
  close(): Promise<void>;
}

/** How long close() waits for the sockets' closing handshakes before cutting them. */
const CLOSE_WAIT_MS = 1000;

const withCode = (message: string, code: string): GraphQLError => new GraphQLError(message, { extensions: { code } });

/**
 * Maps a source stream's events through `map`, passing return() straight to the source
 * (an async generator would wait for the next event first); `onEnd` once it is over.
 */
function mapStream<T, R>(source: AsyncIterator<T>, map: (value: T) => Promise<R>, onEnd: () => void): AsyncIterableIterator<R> {
  let ended = false;
  const end = (): void => {
    if (ended) return;
    ended = true;
    onEnd();
  };
  const stream: AsyncIterableIterator<R> = {
    async next() {
      const result = await source.next();
      if (result.done) end();
      return result.done ? { done: true, value: undefined } : { done: false, value: await map(result.value) };
    },
    async return() {
      end();
      await source.return?.();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return stream;
    },
  };
  return stream;
}

export function serveSubscriptions<TContext extends object>(options: SubscriptionServerOptions<TContext>): SubscriptionServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes });
  options.httpServer.on('upgrade', (req: IncomingMessage, socket, head) => {
    if ((req.url ?? '/').split('?')[0] !== options.path) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  const format = (errors: readonly GraphQLError[]): GraphQLFormattedError[] => errors.map((error) => options.formatError(error.toJSON(), error));
  /** How to make another context like a subscription's, by that context (see `subscribe`). */
  const remakes = new WeakMap<object, () => Promise<TContext>>();
  let active = 0;

  const server = useServer(
    {
      // No error detail in close reasons: errors go to the client as formatted GraphQL errors.
      isProd: true,
      onConnect: async (ctx) => (await verifyGatewayToken(options.secret, ctx.connectionParams?.[GATEWAY_TOKEN_HEADER] as string | undefined)) !== undefined,
      onSubscribe: async (ctx, _id, payload): Promise<ExecutionArgs | GraphQLError[]> => {
        const auth = await verifyGatewayToken(options.secret, payload.extensions?.[GATEWAY_TOKEN_HEADER] as string | undefined);
        if (!auth)
          return [
            withCode(
              `A subscription needs its caller's ${GATEWAY_TOKEN_HEADER} token in the subscribe message's extensions; it is missing or not valid.`,
              'UNAUTHENTICATED',
            ),
          ];
        let document: DocumentNode;
        try {
          document = parse(payload.query);
        } catch (error) {
          return [withCode((error as Error).message, 'GRAPHQL_PARSE_FAILED')];
        }
        const invalid = validate(options.schema, document);
        if (invalid.length > 0) return invalid.map((error) => withCode(error.message, 'GRAPHQL_VALIDATION_FAILED'));
        if (getOperationAST(document, payload.operationName)?.operation !== 'subscription') {
          return [withCode('Only subscriptions are served over WebSocket; send queries and mutations over HTTP.', 'BAD_REQUEST')];
        }
        const request = ctx.extra.request;
        const remake = (): Promise<TContext> => options.context(request, auth);
        const contextValue = await remake();
        remakes.set(contextValue, remake);
        return { schema: options.schema, document, operationName: payload.operationName, variableValues: payload.variables, contextValue };
      },
      // graphql's subscribe, except that each event is executed with a context of its own.
      subscribe: async (args): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> => {
        const remake = remakes.get(args.contextValue as object)!;
        const events = await createSourceEventStream(args);
        if (!(Symbol.asyncIterator in events)) return events;
        active++;
        return mapStream(
          events[Symbol.asyncIterator](),
          async (event) => execute({ ...args, rootValue: event, contextValue: await remake() }),
          () => active--,
        );
      },
      onNext: (_ctx, _id, _payload, _args, result) => (result.errors ? { ...result, errors: format(result.errors) } : undefined),
      onError: (_ctx, _id, _payload, errors) => format(errors),
    },
    wss,
  );

  return {
    get active() {
      return active;
    },
    async close() {
      // dispose() closes each socket 1001 and waits for all to be closed; a peer that never answers is cut.
      const cut = setTimeout(() => {
        for (const socket of wss.clients) socket.terminate();
      }, CLOSE_WAIT_MS);
      try {
        await server.dispose();
      } catch (error) {
        options.logger.warn({ err: error }, 'subscription server did not close cleanly');
      } finally {
        clearTimeout(cut);
      }
    },
  };
}
