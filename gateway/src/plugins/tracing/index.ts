/**
 * Spans for Apollo Server's steps of an operation, when tracing is on (lib/tracing.ts):
 * `graphql.parse` and `graphql.validate`, children of the request's server span (the
 * active span when Apollo Server runs the request), and the operation's name and type on
 * that server span. Planning and execution have their spans in the executor
 * (execution/graph360Gateway.ts), where they can be the parent of the subgraph fetches.
 * With tracing off, the plugin does nothing per request.
 */
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { trace } from '@opentelemetry/api';
import { recordError, startSpan, tracingEnabled } from '../../../../lib/tracing.js';

export function tracingPlugin<TContext extends BaseContext>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      if (!tracingEnabled()) return;
      const server = trace.getActiveSpan();
      return {
        async parsingDidStart() {
          const span = startSpan('graphql.parse');
          return async (error) => {
            if (error) recordError(span, error);
            span.end();
          };
        },
        async validationDidStart() {
          const span = startSpan('graphql.validate');
          return async (errors) => {
            if (errors && errors.length > 0) {
              span.setAttribute('graphql.validation.errors', errors.length);
              recordError(span, errors[0]);
            }
            span.end();
          };
        },
        async didResolveOperation({ operation, operationName }) {
          if (operation) server?.setAttribute('graphql.operation.type', operation.operation);
          if (operationName) server?.setAttribute('graphql.operation.name', operationName);
        },
      };
    },
  };
}
