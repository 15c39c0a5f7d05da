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
import type { ApolloServerPlugin, GraphQLRequestContextWillSendResponse } from '@apollo/server';
import type { Logger } from 'pino';
import { traceLogFields } from '../../../../lib/tracing.js';
import { operationNameOf } from '../operationName.js';
import type { RequestIdContext } from '../requestId/index.js';

export interface OperationLogOptions {
  /** Where the lines go. */
  logger: Logger;
}

/** What an operation's line (and its metrics) say about how it ended. */
export interface OperationSummary {
  operation: string | null;
  outcome: 'ok' | 'error';
  errorCodes: string[];
}

// The log, the metrics and response sharing each ask, once the response is ready: worked out once per response.
const summaries = new WeakMap<object, OperationSummary>();

export function summariseOperation(requestContext: GraphQLRequestContextWillSendResponse<object>): OperationSummary {
  const { response } = requestContext;
  let summary = summaries.get(response);
  if (!summary) {
    const body = response.body;
    const errors = (body.kind === 'single' ? body.singleResult.errors : body.initialResult.errors) ?? [];
    summary = {
      operation: operationNameOf(requestContext),
      outcome: errors.length === 0 ? 'ok' : 'error',
      errorCodes: [...new Set(errors.map((e) => String(e.extensions?.code ?? 'UNKNOWN')))],
    };
    summaries.set(response, summary);
  }
  return summary;
}

/** The line itself; `sharedWith` names the request whose response a shared one got (inboundDedup/sharedResponses.ts). */
export function logOperation(
  logger: Logger,
  line: OperationSummary & {
    requestId: string | undefined;
    operationType: string | null;
    durationMs: number;
    status: number;
    sharedWith?: string;
    trace_id?: string;
    span_id?: string;
  },
): void {
  logger.info(line, 'graphql operation');
}

export function operationLogPlugin({ logger }: OperationLogOptions): ApolloServerPlugin<RequestIdContext> {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse(requestContext) {
          const { contextValue, operation, response } = requestContext;
          const { operation: name, outcome, errorCodes } = summariseOperation(requestContext);
          logOperation(logger, {
            requestId: contextValue.requestId,
            operation: name,
            operationType: operation?.operation ?? null,
            durationMs: Number(process.hrtime.bigint() - started) / 1e6,
            outcome,
            errorCodes,
            status: response.http.status ?? 200,
            // The request's trace and server span, when tracing is on.
            ...(contextValue.trace ? traceLogFields(contextValue.trace) : undefined),
          });
        },
      };
    },
  };
}
