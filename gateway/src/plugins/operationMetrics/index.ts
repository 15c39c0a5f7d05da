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
import { summariseOperation } from '../operationLog/index.js';

export interface OperationMetricsOptions {
  metrics: GatewayMetrics;
}

export function operationMetricsPlugin({ metrics }: OperationMetricsOptions): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse(requestContext) {
          const { operation, outcome } = summariseOperation(requestContext);
          metrics.countOperation(operation, outcome, (performance.now() - started) / 1000);
        },
      };
    },
  };
}
