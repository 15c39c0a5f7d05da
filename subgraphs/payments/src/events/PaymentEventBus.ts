/**
 * Where payment events go between their sources (webhooks, the read model's catch-up, the
 * reconciliation watch) and the paymentEvents subscriptions: publish(event) and
 * subscribe(listener) → unsubscribe.
 *
 * - Without REDIS_URL, in this process.
 * - With REDIS_URL, through one Redis pub/sub channel (PAYMENTS_EVENTS_CHANNEL, default
 *   `graph360:payments:events`): every replica's subscribers get every event, so any
 *   replica can serve any subscriber. A replica's own events come back to it through the
 *   channel too (one path for all).
 *
 * Each event id is published once: every replica's catch-up sees every provider event, and
 * a webhook brings it to one replica as well, so publish() first claims the id (Redis:
 * `SET <channel>:published:<id> 1 NX PX <1 day>`; memory: the last 10,000 ids) and publishes
 * only if the claim is its own. It never throws: with Redis down the event is logged and
 * not published (the webhook that brought it must not fail for that). node-redis
 * reconnects the subscriber connection by itself and subscribes again.
 */
import { createClient, type RedisClientType } from '@keyv/redis';
import type { Logger } from '../../../kit/src/index.js';
import type { PaymentEventModel } from '../models.js';

export type PaymentEventListener = (event: PaymentEventModel) => void;

export interface PaymentEventBus {
  readonly kind: 'memory' | 'redis';
  /** Publishes the event unless its id was published before (here or, with Redis, by any replica); true when this call published it. Never throws. */
  publish(event: PaymentEventModel): Promise<boolean>;
  subscribe(listener: PaymentEventListener): () => void;
  /** Resolves once an event published from now on reaches this bus's listeners (with Redis: once connected and the channel is subscribed). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export interface PaymentEventBusOptions {
  redisUrl: string | undefined;
  logger: Logger;
  /** The Redis channel, also the prefix of the de-duplication keys. */
  channel: string;
  /** How long an event id stays claimed in Redis. Default one day (Stripe redelivers for 3 days, but the catch-up sees an event within seconds). */
  claimMs?: number;
  /** How many event ids the in-memory bus remembers. Default 10,000. */
  rememberEvents?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Calls each listener; one that throws is logged and does not keep the event from the others. */
function deliver(listeners: ReadonlySet<PaymentEventListener>, event: PaymentEventModel, logger: Logger): void {
  for (const listener of listeners) {
    try {
      listener(event);
    } catch (error) {
      logger.error({ err: error, eventId: event.id }, 'payment event listener failed');
    }
  }
}

export function createPaymentEventBus(options: PaymentEventBusOptions): PaymentEventBus {
  return options.redisUrl ? redisBus(options.redisUrl, options) : memoryBus(options);
}

function memoryBus(options: PaymentEventBusOptions): PaymentEventBus {
  const limit = options.rememberEvents ?? 10_000;
  const listeners = new Set<PaymentEventListener>();
  // Insertion-ordered, so the oldest ids are the first forgotten.
  const published = new Set<string>();
  return {
    kind: 'memory',
    async publish(event) {
      if (published.has(event.id)) return false;
      published.add(event.id);
      if (published.size > limit) published.delete(published.values().next().value as string);
      deliver(listeners, event, options.logger);
      return true;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    ready: async () => undefined,
    async close() {
      listeners.clear();
    },
  };
}

function redisBus(url: string, options: PaymentEventBusOptions): PaymentEventBus {
  const { channel } = options;
  const claimMs = options.claimMs ?? DAY_MS;
  const { logger } = options;
  const listeners = new Set<PaymentEventListener>();
  const reconnectStrategy = (attempt: number): number => Math.min(100 * 2 ** attempt, 2000);
  // Claims and publishes fail at once while disconnected (disableOfflineQueue): nothing waits on a Redis that is down.
  const publisher = createClient({ url, disableOfflineQueue: true, socket: { connectTimeout: 1000, reconnectStrategy } }) as unknown as RedisClientType;
  // node-redis subscribes again after each reconnect.
  const subscriber = createClient({ url, socket: { connectTimeout: 1000, reconnectStrategy } }) as unknown as RedisClientType;
  const publisherReady = new Promise<void>((resolve) => publisher.once('ready', () => resolve()));
  const failing = new Set<string>();
  for (const [name, client] of [
    ['publisher', publisher],
    ['subscriber', subscriber],
  ] as const) {
    // One warning per outage, not one per reconnect attempt.
    client.on('error', (error: Error) => {
      if (!failing.has(name)) logger.warn({ err: error, channel }, `payment events: Redis ${name} connection failed; reconnecting`);
      failing.add(name);
    });
    client.on('ready', () => failing.delete(name));
  }
  const onMessage = (message: string): void => {
    let event: PaymentEventModel;
    try {
      event = JSON.parse(message) as PaymentEventModel;
    } catch {
      logger.warn({ channel }, 'payment events: a message that is not JSON was ignored');
      return;
    }
    deliver(listeners, event, logger);
  };
  publisher.connect().catch(() => undefined);
  // SUBSCRIBE once connected (connect() retries until it is): one queued while a first attempt
  // fails leaves node-redis 5's reply decoder out of pub/sub mode, and the channel's messages break it.
  const subscribed = subscriber.connect().then(() => subscriber.subscribe(channel, onMessage));
  subscribed.catch(() => undefined);

  return {
    kind: 'redis',
    async publish(event) {
      const claim = `${channel}:published:${event.id}`;
      let claimed = false;
      try {
        claimed = (await publisher.set(claim, '1', { NX: true, PX: claimMs })) === 'OK';
        if (claimed) await publisher.publish(channel, JSON.stringify(event));
        return claimed;
      } catch (error) {
        logger.warn({ err: error, eventId: event.id, type: event.type }, 'payment event not published: Redis is unavailable');
        // Best effort: a claim without its publish would keep another source from publishing the event.
        if (claimed) await publisher.del(claim).catch(() => undefined);
        return false;
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    ready: () => Promise.all([publisherReady, subscribed]).then(() => undefined),
    async close() {
      listeners.clear();
      for (const client of [publisher, subscriber]) if (client.isOpen) client.destroy();
    },
  };
}
