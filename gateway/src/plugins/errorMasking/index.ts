/**
 * Unexpected errors are masked at the gateway: the client gets a generic message,
 * `extensions.code: INTERNAL_SERVER_ERROR` and an `errorId`; the log gets the details
 * under the same errorId and the request id. Stack traces never reach a client.
 *
 * Expected errors pass through: anything with a code other than INTERNAL_SERVER_ERROR
 * (validation, persisted queries, subgraph errors, which the gateway tags with
 * `serviceName`), and a subgraph's own masked error, which already has an errorId in
 * that subgraph's log. Unexpected: errors without a code, e.g. a subgraph that
 * answered a 500 HTML page or malformed JSON, whose message would hand the client
 * internal URLs and bodies.
 *
 * One exception: Apollo Server refuses two APQ mistakes of the client with a 4xx status
 * but no code (a sha256Hash that is not the query's, a persistedQuery version other than
 * 1), which its formatting would then call INTERNAL_SERVER_ERROR. Those keep their
 * message and get a code (clientErrorCode), and are not logged as failures.
 *
 * formatError has no access to the request, so the work is split: `didEncounterErrors`
 * (which Apollo Server runs just before formatting, with the same error objects) picks
 * the id and logs through the request's logger; `formatError` finds the id by the error
 * object in a WeakMap owned by this instance.
 */
import { randomUUID } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type GraphQLErrorExtensions, type GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import type { RequestIdContext } from '../requestId/index.js';

export const MASKED_MESSAGE = 'Internal server error';

/** Extensions that can carry internals (stack, the subgraph's raw HTTP response). */
const PRIVATE_EXTENSIONS = ['stacktrace', 'exception', 'response'];

export const PERSISTED_QUERY_HASH_MISMATCH = 'PERSISTED_QUERY_HASH_MISMATCH';
export const PERSISTED_QUERY_VERSION_NOT_SUPPORTED = 'PERSISTED_QUERY_VERSION_NOT_SUPPORTED';

/** Apollo Server's messages for its uncoded client errors, and the codes they get (the first is Apollo Router's). */
const UNCODED_CLIENT_ERRORS: Readonly<Record<string, string>> = {
  'provided sha does not match query': PERSISTED_QUERY_HASH_MISMATCH,
  'Unsupported persisted query version': PERSISTED_QUERY_VERSION_NOT_SUPPORTED,
};

/**
 * The code of an error that Apollo Server raised against the request with a 4xx status
 * but without a code; undefined for any other error.
 */
export function clientErrorCode(error: unknown): string | undefined {
  const extensions = extensionsOf(error);
  if (!extensions || extensions.code !== undefined) return undefined;
  const status = (extensions.http as { status?: unknown } | undefined)?.status;
  if (typeof status !== 'number' || status < 400 || status > 499) return undefined;
  return UNCODED_CLIENT_ERRORS[(error as Error).message] ?? 'BAD_REQUEST';
}

/**
 * A GraphQLError's extensions; undefined for anything else. By shape rather than
 * instanceof: where `graphql` is loaded twice (its ESM and CommonJS builds, as under
 * Vitest), Apollo Server's errors come from the other copy.
 */
function extensionsOf(error: unknown): GraphQLErrorExtensions | undefined {
  if (error instanceof GraphQLError) return error.extensions;
  if (!(error instanceof Error) || !('extensions' in error)) return undefined;
  return typeof error.extensions === 'object' && error.extensions !== null ? (error.extensions as GraphQLErrorExtensions) : undefined;
}

/** True when the client must not see this error as it is. */
export function isUnexpectedError(error: unknown): boolean {
  const extensions = extensionsOf(error);
  if (!extensions) return true;
  const { code, serviceName, errorId } = extensions;
  if (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR') return false;
  if (clientErrorCode(error)) return false;
  return !(code === 'INTERNAL_SERVER_ERROR' && typeof serviceName === 'string' && typeof errorId === 'string');
}

export interface ErrorMaskingOptions {
  /** For errors formatted outside a request (none are expected). */
  logger: Logger;
  /** The request's logger (plugins/requestId's loggerFor). */
  loggerFor(context: RequestIdContext): Logger;
}

export interface ErrorMasking {
  plugin: ApolloServerPlugin<RequestIdContext>;
  /**
   * Apollo Server's formatError. Errors formatted outside Apollo Server's request (a
   * deferred part, a subscription's event) pass the request's logger, so that an
   * unexpected one is logged with the request id.
   */
  formatError(formatted: GraphQLFormattedError, error: unknown, log?: Logger): GraphQLFormattedError;
  /** Logs an error that escaped GraphQL handling (an HTTP-level failure) and returns its errorId. */
  report(log: Logger, error: unknown): string;
}

export function errorMasking({ logger, loggerFor }: ErrorMaskingOptions): ErrorMasking {
  const ids = new WeakMap<object, string>();

  const report = (log: Logger, error: unknown, facts: Record<string, unknown> = {}): string => {
    const errorId = randomUUID();
    const cause = error instanceof GraphQLError && error.originalError ? error.originalError : error;
    log.error({ errorId, err: cause, message: error instanceof Error ? error.message : String(error), ...facts }, 'unexpected error masked');
    if (typeof error === 'object' && error !== null) ids.set(error, errorId);
    return errorId;
  };

  return {
    report,
    plugin: {
      async requestDidStart() {
        return {
          async didEncounterErrors({ contextValue, errors, operationName }) {
            for (const error of errors) {
              if (!isUnexpectedError(error)) continue;
              report(loggerFor(contextValue), error, { operation: operationName ?? null, path: error.path, serviceName: error.extensions?.serviceName });
            }
          },
        };
      },
    },
    formatError(formatted, error, log) {
      const extensions = Object.fromEntries(Object.entries(formatted.extensions ?? {}).filter(([key]) => !PRIVATE_EXTENSIONS.includes(key)));
      const clientCode = clientErrorCode(error);
      if (clientCode) return { ...formatted, extensions: { ...extensions, code: clientCode } };
      if (!isUnexpectedError(error)) return { ...formatted, extensions };
      const errorId = (typeof error === 'object' && error !== null ? ids.get(error) : undefined) ?? report(log ?? logger, error);
      return {
        message: `${MASKED_MESSAGE} (errorId ${errorId})`,
        ...(formatted.locations ? { locations: formatted.locations } : {}),
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: {
          code: 'INTERNAL_SERVER_ERROR',
          errorId,
          ...(typeof extensions.serviceName === 'string' ? { serviceName: extensions.serviceName } : {}),
        },
      };
    },
  };
}
