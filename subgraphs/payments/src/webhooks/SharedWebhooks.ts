/**
 * What one payments replica learns from a webhook, the others know at once, through Redis
 * (REDIS_URL); without it, one process keeps it in memory.
 *
 * - De-duplication: claim(id) is true for the first replica to see an event id (Redis:
 *   `SET <channel>:webhook:<id> 1 NX PX <3 days>`, Stripe's redelivery window), so an
 *   event redelivered to another replica is acknowledged as a duplicate there too.
 *   forget(id) releases the claim when processing failed, for the redelivery. While Redis
 *   is unreachable, each replica remembers the ids it saw itself (the read model's
 *   merges are idempotent, so a duplicate processed twice changes nothing).
 * - The change: share(event) publishes the verified event on `<channel>:webhooks`; every
 *   other replica applies it to its read model when the message arrives (milliseconds),
 *   instead of at its next catch-up. A replica ignores its own messages.
 */
import { randomUUID } from 'node:crypto';
import { createClient, type RedisClientType } from '@keyv/redis';
import type Stripe from 'stripe';
import type { Logger } from '../../../kit/src/index.js';

export interface SharedWebhooks {
  readonly kind: 'memory' | 'redis';
  /** True when no replica has claimed this event id before (this call claims it). */
  claim(eventId: string): Promise<boolean>;
  /** Releases a claim, so that a redelivery of the event is processed. */
  forget(eventId: string): Promise<void>;
  /** Tells the other replicas about a verified event. Never throws. */
  share(event: Stripe.Event): Promise<void>;
  /** Resolves once events shared from now on by other replicas reach this one (with Redis: subscribed). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export interface SharedWebhooksOptions {
  redisUrl: string | undefined;
  /** The payment events' channel: prefix of this one's channel and keys. */
  channel: string;
  logger: Logger;
  /** Receives each event another replica shared. Must not throw. */
  onShared: (event: Stripe.Event) => void | Promise<void>;
  /** How long a claim lasts. Default 3 days. */
  claimMs?: number;
  /** How many event ids are remembered in memory. Default 10,000. */
  rememberEvents?: number;
}

const THREE_DAYS_MS = 3 * 24 * 60 * 60 * 1000;

/** Insertion-ordered ids, the oldest forgotten first. */
function memoryIds(limit: number) {
  const ids = new Set<string>();
  return {
    claim(id: string): boolean {
      if (ids.has(id)) return false;
      ids.add(id);
      if (ids.size > limit) ids.delete(ids.values().next().value as string);
      return true;
    },
    forget: (id: string) => void ids.delete(id),
  };
}

export function createSharedWebhooks(options: SharedWebhooksOptions): SharedWebhooks {
  const local = memoryIds(options.rememberEvents ?? 10_000);
  if (!options.redisUrl) {
    return {
      kind: 'memory',
      claim: async (id) => local.claim(id),
      forget: async (id) => local.forget(id),
      share: async () => undefined,
      ready: async () => undefined,
      close: async () => undefined,
    };
  }
  const { logger } = options;
  const channel = `${options.channel}:webhooks`;
  const claimMs = options.claimMs ?? THREE_DAYS_MS;
  const replica = randomUUID();
  const reconnectStrategy = (attempt: number): number => Math.min(100 * 2 ** attempt, 2000);
  // Commands fail at once while disconnected (disableOfflineQueue): a webhook never waits on a Redis that is down.
  const client = createClient({
    url: options.redisUrl,
    disableOfflineQueue: true,
    socket: { connectTimeout: 1000, reconnectStrategy },
  }) as unknown as RedisClientType;
  // node-redis subscribes again after each reconnect.
  const subscriber = createClient({ url: options.redisUrl, socket: { connectTimeout: 1000, reconnectStrategy } }) as unknown as RedisClientType;
  const failing = new Set<string>();
  for (const [name, c] of [
    ['client', client],
    ['subscriber', subscriber],
  ] as const) {
    // One warning per outage, not one per reconnect attempt.
    c.on('error', (error: Error) => {
      if (!failing.has(name)) logger.warn({ err: error, channel }, `shared webhooks: Redis ${name} connection failed; reconnecting`);
      failing.add(name);
    });
    c.on('ready', () => failing.delete(name));
  }
  const onMessage = (message: string): void => {
    let parsed: { from?: string; event?: Stripe.Event };
    try {
      parsed = JSON.parse(message) as typeof parsed;
    } catch {
      logger.warn({ channel }, 'shared webhooks: a message that is not JSON was ignored');
      return;
    }
    if (parsed.from === replica || !parsed.event?.id) return;
    Promise.resolve(options.onShared(parsed.event)).catch((error: unknown) =>
      logger.error({ err: error, eventId: parsed.event?.id }, 'shared webhook not applied'),
    );
  };
  client.connect().catch(() => undefined);
  // SUBSCRIBE once connected, as the payment event bus does (PaymentEventBus.ts says why).
  const subscribed = subscriber.connect().then(() => subscriber.subscribe(channel, onMessage));
  subscribed.catch(() => undefined);
  const key = (id: string): string => `${options.channel}:webhook:${id}`;

  return {
    kind: 'redis',
    async claim(id) {
      // This replica's own memory first: a redelivery it has seen needs no round trip.
      if (!local.claim(id)) return false;
      try {
        const claimed = (await client.set(key(id), replica, { NX: true, PX: claimMs })) === 'OK';
        if (!claimed) local.forget(id);
        return claimed;
      } catch (error) {
        logger.warn({ err: error, eventId: id }, 'shared webhooks: Redis unavailable; de-duplicated by this replica only');
        return true;
      }
    },
    async forget(id) {
      local.forget(id);
      await client.del(key(id)).catch((error: unknown) => logger.warn({ err: error, eventId: id }, 'shared webhooks: claim not released (it expires)'));
    },
    async share(event) {
      try {
        await client.publish(channel, JSON.stringify({ from: replica, event }));
      } catch (error) {
        logger.warn({ err: error, eventId: event.id }, 'shared webhooks: not shared (Redis unavailable); the other replicas apply it at their next catch-up');
      }
    },
    ready: () => subscribed.then(() => undefined),
    async close() {
      for (const c of [client, subscriber]) if (c.isOpen) c.destroy();
    },
  };
}
