/**
 * Requests and latency per operation, into the gateway's Prometheus registry:
 * `graphql_requests_total{operation, outcome}` and
 * `graphql_request_duration_seconds{operation}`. Timed from the start of the operation
 * to the moment its response is ready to send, so cache hits are counted too.
 *
 * Operation names come from clients, and every distinct label value is a time series
 * kept forever: the label is GatewayMetrics.operationLabel's, a bounded set of names
 * (the safelist's, or the first METRICS_MAX_OPERATION_NAMES seen) and `(other)`.
 */
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { GatewayMetrics } from '../../metrics.js';
import { operationNameOf } from '../operationName.js';

export interface OperationMetricsOptions {
  metrics: GatewayMetrics;
}

export function operationMetricsPlugin({ metrics }: OperationMetricsOptions): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      const stopTimer = metrics.requestDuration.startTimer();
      return {
        async willSendResponse(requestContext) {
          const body = requestContext.response.body;
          const errors = body.kind === 'single' ? body.singleResult.errors : body.initialResult.errors;
          const operation = metrics.operationLabel(operationNameOf(requestContext));
          metrics.requests.inc({ operation, outcome: errors?.length ? 'error' : 'ok' });
          stopTimer({ operation });
        },
      };
    },
  };
}
