/**
 * Every subscriber this replica serves, whatever the transport: each gets its
 * SubscriptionDelivery here, with the limits applied when its subscription is about to
 * start (per WebSocket connection, per client), counted in /metrics, and ended here when
 * the gateway shuts down.
 */
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import type { GatewayMetrics } from '../metrics.js';
import type { GatewayContext } from '../pipeline/GatewayContext.js';
import { clientKey } from '../rateLimit/index.js';
import type { SubscriptionsConfig } from './config.js';
import { SubscriptionDelivery } from './SubscriptionDelivery.js';

export type SubscriptionTransport = 'websocket' | 'multipart';

export const SUBSCRIPTION_LIMIT = 'SUBSCRIPTION_LIMIT_EXCEEDED';
export const SHUTTING_DOWN = 'SHUTTING_DOWN';

/** A WebSocket's own count of open subscriptions. */
export interface ConnectionCount {
  open: number;
}

export interface SubscribersOptions {
  config: SubscriptionsConfig;
  /** How an error is sent (the gateway's masking; an unexpected one is logged with the subscription's request id). */
  formatError(error: GraphQLError | Error, context: GatewayContext): GraphQLFormattedError;
  metrics?: GatewayMetrics;
  /** One line per subscription when it ends (request id, transport, how it ended, how long it lived). */
  logger?: Pick<Logger, 'info'>;
}

export class Subscribers {
  private readonly perClient = new Map<string, number>();
  private readonly active = new Set<SubscriptionDelivery>();
  private closing = false;

  constructor(private readonly options: SubscribersOptions) {}

  /** How many subscriptions are being served. */
  get size(): number {
    return this.active.size;
  }

  /** A delivery for one subscription of this request's client (on this WebSocket, when it is one). */
  delivery(
    context: GatewayContext,
    transport: SubscriptionTransport,
    connection?: ConnectionCount,
    onEnd?: (code: string | undefined) => void,
  ): SubscriptionDelivery {
    const { config, metrics } = this.options;
    const client = clientKey(context);
    let admitted = false;
    let startedAt = 0;
    const delivery: SubscriptionDelivery = new SubscriptionDelivery({
      formatError: (error) => this.options.formatError(error, context),
      maxQueued: config.maxQueued,
      expiresAt: context.auth.expiresAt,
      admit: () => {
        if (this.closing)
          return new GraphQLError('The gateway is shutting down; subscribe again in a moment.', { extensions: { code: SHUTTING_DOWN, http: { status: 503 } } });
        if (connection && connection.open >= config.maxPerConnection) return limitError('connection', config.maxPerConnection);
        const open = this.perClient.get(client) ?? 0;
        if (open >= config.maxPerClient) return limitError('client', config.maxPerClient);
        this.perClient.set(client, open + 1);
        if (connection) connection.open++;
        this.active.add(delivery);
        metrics?.subscriptions.inc({ transport });
        admitted = true;
        startedAt = Date.now();
        return undefined;
      },
      onEnd: (code) => {
        if (admitted) {
          const open = (this.perClient.get(client) ?? 1) - 1;
          if (open > 0) this.perClient.set(client, open);
          else this.perClient.delete(client);
          if (connection) connection.open--;
          this.active.delete(delivery);
          metrics?.subscriptions.dec({ transport });
          metrics?.subscriptionsEnded.inc({ reason: code ?? 'complete' });
          this.options.logger?.info(
            { requestId: context.requestId, transport, endedWith: code ?? 'complete', durationMs: Date.now() - startedAt },
            'subscription ended',
          );
        }
        onEnd?.(code);
      },
    });
    return delivery;
  }

  /** Ends every subscription with SHUTTING_DOWN (clients subscribe again, to another replica), and refuses new ones. */
  shutDown(): void {
    this.closing = true;
    for (const delivery of [...this.active]) delivery.fail(SHUTTING_DOWN, 'The gateway is shutting down; subscribe again.');
  }
}

function limitError(scope: 'connection' | 'client', limit: number): GraphQLError {
  const where = scope === 'connection' ? 'on one connection' : 'for one client';
  return new GraphQLError(`Too many subscriptions ${where}: the limit is ${limit}.`, {
    extensions: { code: SUBSCRIPTION_LIMIT, scope, limit, http: { status: 429 } },
  });
}
