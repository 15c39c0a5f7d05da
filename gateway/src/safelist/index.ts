/**
 * Safelist mode (SAFELIST=on): the gateway runs only the operations of the
 * persisted-operation manifest that the clients are built with, and nothing else. Off
 * by default, for development and GraphiQL; production should turn it on (docs/security.md, "Safelist mode").
 *
 * A request may name its operation two ways, and anything else is refused before it is
 * parsed or planned, with the codes and statuses of Apollo Router's safelisting:
 *
 * | request                                              | answer                                   |
 * |------------------------------------------------------|------------------------------------------|
 * | extensions.persistedQuery.sha256Hash in the manifest | runs the manifest's body                 |
 * | the same, with a `query` that is not that body       | 400 PERSISTED_QUERY_HASH_MISMATCH        |
 * | an id that is not in the manifest (with or without   | 404 PERSISTED_QUERY_NOT_IN_LIST: APQ     |
 * |   a `query`: an APQ registration)                    |   registers nothing while the list is on |
 * | a `query` equal, character for character, to a body | runs                                     |
 * | any other `query`                                    | 403 QUERY_NOT_IN_SAFELIST                |
 *
 * It is an Apollo Server plugin so that every transport Apollo parses (POST, GET,
 * batches) goes through the same check. requestDidStart runs before Apollo reads the
 * query or the APQ cache: an id from the manifest is swapped there for its body and the
 * persistedQuery extension removed (Apollo's own APQ is off in this mode: createGateway).
 * A refused request's document is swapped for a constant one (`{ __typename }`), so an
 * unlisted document is never parsed, validated or planned, and the refusal is thrown
 * from didResolveOperation: Apollo answers an error thrown there with the error's HTTP
 * status and still runs didEncounterErrors and willSendResponse, so the refusal is
 * logged and counted like any failed operation (an error thrown from requestDidStart
 * itself would become a 500).
 */
import { HeaderMap, type ApolloServerPlugin, type BaseContext, type GraphQLRequest } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import type { PersistedQueryManifest } from './PersistedQueryManifest.js';

export { PersistedQueryManifest, SafelistManifestError, parseManifest, type PersistedOperation } from './PersistedQueryManifest.js';

/** What a refused request runs instead of its own document: trivial to parse and validate. */
const REFUSED_PLACEHOLDER = '{ __typename }';

export type SafelistCode = 'PERSISTED_QUERY_NOT_IN_LIST' | 'QUERY_NOT_IN_SAFELIST' | 'PERSISTED_QUERY_HASH_MISMATCH';

/** A refusal: the code, the status and `Cache-Control: private, no-store` (a later manifest may allow it). */
export function safelistError(code: SafelistCode, message: string): GraphQLError {
  const status = code === 'PERSISTED_QUERY_NOT_IN_LIST' ? 404 : code === 'QUERY_NOT_IN_SAFELIST' ? 403 : 400;
  return new GraphQLError(message, {
    extensions: { code, http: { status, headers: new HeaderMap([['cache-control', 'private, no-store']]) } },
  });
}

export interface SafelistPluginOptions<TContext extends BaseContext> {
  manifest: Pick<PersistedQueryManifest, 'byId' | 'hasBody'>;
  /** The request's logger, for the one line per refusal. */
  loggerFor(context: TContext): Logger;
}

export function safelistPlugin<TContext extends BaseContext>({ manifest, loggerFor }: SafelistPluginOptions<TContext>): ApolloServerPlugin<TContext> {
  /** Why this request may not run, or undefined when it may (after swapping a manifest id for its body). */
  const check = (request: GraphQLRequest): { error: GraphQLError; fields: Record<string, unknown> } | undefined => {
    const persisted = request.extensions?.persistedQuery as { sha256Hash?: unknown } | undefined;
    const operationName = request.operationName ?? undefined;
    if (persisted !== undefined && persisted !== null) {
      const id = typeof persisted.sha256Hash === 'string' ? persisted.sha256Hash : '';
      const operation = manifest.byId(id);
      if (!operation) {
        const message = `Persisted query '${id}' is not in the safelist: this gateway runs only the operations its clients were built with, and registers no new ones.`;
        return { error: safelistError('PERSISTED_QUERY_NOT_IN_LIST', message), fields: { id, operationName, registration: request.query !== undefined } };
      }
      if (request.query !== undefined && request.query !== operation.body) {
        return {
          error: safelistError('PERSISTED_QUERY_HASH_MISMATCH', `The query sent is not the body of persisted query '${id}'.`),
          fields: { id, operationName },
        };
      }
      request.query = operation.body;
      const { persistedQuery: _dropped, ...extensions } = request.extensions!;
      request.extensions = extensions;
      return undefined;
    }
    // No query at all: Apollo's own 400 (BAD_REQUEST) says what is missing.
    if (request.query === undefined || request.query === '' || manifest.hasBody(request.query)) return undefined;
    const message = 'The operation is not in the safelist: send a persisted operation by its id (extensions.persistedQuery.sha256Hash) or its document.';
    return { error: safelistError('QUERY_NOT_IN_SAFELIST', message), fields: { operationName } };
  };

  return {
    async requestDidStart({ request }) {
      const refusal = check(request);
      if (!refusal) return;
      request.query = REFUSED_PLACEHOLDER;
      request.operationName = undefined;
      if (request.extensions?.persistedQuery !== undefined) {
        const { persistedQuery: _dropped, ...extensions } = request.extensions;
        request.extensions = extensions;
      }
      return {
        async didResolveOperation({ contextValue }) {
          loggerFor(contextValue).warn({ code: refusal.error.extensions.code, ...refusal.fields }, 'operation refused by the safelist');
          throw refusal.error;
        },
      };
    },
  };
}
