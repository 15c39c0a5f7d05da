/**
 * Spans for Apollo Server's steps of an operation, when its request is traced
 * (lib/tracing.ts): `graphql.parse` and `graphql.validate`, children of the request's
 * server span (the trace context on the request's context), and the operation's name and
 * type on that server span. Planning and execution have their spans in the executor
 * (execution/graph360Gateway.ts), where they can be the parent of the subgraph fetches.
 * With tracing off, or for a request sampled out, the plugin does nothing per request.
 */
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { isRecording, recordError, spanOf, startSpan, type TraceContext } from '../../../../lib/tracing.js';

export function tracingPlugin<TContext extends BaseContext & { trace?: TraceContext }>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart({ contextValue }) {
      const parent = contextValue.trace;
      if (!isRecording(parent)) return;
      const server = spanOf(parent);
      return {
        async parsingDidStart() {
          const span = startSpan('graphql.parse', {}, parent);
          return async (error) => {
            if (error) recordError(span, error);
            span.end();
          };
        },
        async validationDidStart() {
          const span = startSpan('graphql.validate', {}, parent);
          return async (errors) => {
            if (errors && errors.length > 0) {
              span.setAttribute('graphql.validation.errors', errors.length);
              recordError(span, errors[0]);
            }
            span.end();
          };
        },
        async didResolveOperation({ operation, operationName }) {
          if (operation) server.setAttribute('graphql.operation.type', operation.operation);
          if (operationName) server.setAttribute('graphql.operation.name', operationName);
        },
      };
    },
  };
}
