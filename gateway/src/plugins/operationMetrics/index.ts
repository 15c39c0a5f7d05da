/**
 * Requests and latency per operation, into the gateway's Prometheus registry:
 * `graphql_requests_total{operation, outcome}` and
 * `graphql_request_duration_seconds{operation}`. Timed from the start of the operation
 * to the moment its response is ready to send, so cache hits are counted too.
 *
 * Operation names come from clients, and every distinct label value is a time series
 * kept forever: past `maxOperations` distinct names, new names are counted as
 * `(other)` rather than letting one client grow the registry without bound.
 */
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { GatewayMetrics } from '../../metrics.js';
import { operationNameOf } from '../operationName.js';

export interface OperationMetricsOptions {
  metrics: GatewayMetrics;
  /** Distinct operation names kept as labels. Default 500. */
  maxOperations?: number;
}

export const ANONYMOUS_OPERATION = '(anonymous)';
export const OTHER_OPERATION = '(other)';

export function operationMetricsPlugin({ metrics, maxOperations = 500 }: OperationMetricsOptions): ApolloServerPlugin<BaseContext> {
  const known = new Set<string>();
  const label = (name: string | null | undefined): string => {
    const operation = name || ANONYMOUS_OPERATION;
    if (known.has(operation)) return operation;
    if (known.size >= maxOperations) return OTHER_OPERATION;
    known.add(operation);
    return operation;
  };
  return {
    async requestDidStart() {
      const stopTimer = metrics.requestDuration.startTimer();
      return {
        async willSendResponse(requestContext) {
          const body = requestContext.response.body;
          const errors = body.kind === 'single' ? body.singleResult.errors : body.initialResult.errors;
          const operation = label(operationNameOf(requestContext));
          metrics.requests.inc({ operation, outcome: errors?.length ? 'error' : 'ok' });
          stopTimer({ operation });
        },
      };
    },
  };
}
