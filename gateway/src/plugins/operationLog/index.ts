/**
 * One log line per GraphQL operation, written when its response is sent: the request id,
 * the operation name and type, how long it took, whether it succeeded and the codes of
 * its errors. This is the line to grep when a client reports a failure: the errorId of a
 * masked error is in a line of its own (plugins/errorMasking), with the same request id.
 *
 * It is written through a logger without redaction by path (observability/logger.ts
 * withoutRedactedPaths): its fields are fixed and hold no credentials, and the whole line
 * still has secrets scrubbed. No child logger is made for it: the request id is a field.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { Logger } from 'pino';
import { operationNameOf } from '../operationName.js';
import type { RequestIdContext } from '../requestId/index.js';

export interface OperationLogOptions {
  /** Where the lines go. */
  logger: Logger;
}

export function operationLogPlugin({ logger }: OperationLogOptions): ApolloServerPlugin<RequestIdContext> {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse(requestContext) {
          const { contextValue, operation, response } = requestContext;
          const body = response.body;
          const errors = (body.kind === 'single' ? body.singleResult.errors : body.initialResult.errors) ?? [];
          const errorCodes = [...new Set(errors.map((e) => String(e.extensions?.code ?? 'UNKNOWN')))];
          logger.info(
            {
              requestId: contextValue.requestId,
              operation: operationNameOf(requestContext),
              operationType: operation?.operation ?? null,
              durationMs: Number(process.hrtime.bigint() - started) / 1e6,
              outcome: errors.length === 0 ? 'ok' : 'error',
              errorCodes,
              status: response.http.status ?? 200,
            },
            'graphql operation',
          );
        },
      };
    },
  };
}
