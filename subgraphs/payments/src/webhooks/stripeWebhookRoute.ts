/**
 * POST /webhooks/stripe: Stripe's signed events. The Stripe-Signature header is checked
 * over the raw body with the endpoint's signing secret (stripe.webhooks.constructEvent,
 * which also refuses stale timestamps); a bad one gets a 400 and is never processed.
 * Stripe delivers at least once, so an event id seen before is acknowledged and skipped
 * (by any replica, with `dedup` shared through Redis: SharedWebhooks.ts).
 * A failing onEvent answers 500 and forgets the id: Stripe delivers again later.
 */
import type Stripe from 'stripe';
import type { ExtraRoute, Logger } from '../../../kit/src/index.js';
import { sendJson } from '../../../../lib/http.js';
import type { StripePaymentsConnector } from '../connector/StripePaymentsConnector.js';

export type StripeEventHandler = (event: Stripe.Event) => void | Promise<void>;

export interface StripeWebhookRouteOptions {
  connector: StripePaymentsConnector;
  logger: Logger;
  /** Receives every verified event once (the gateway uses it to invalidate caches). */
  onEvent?: StripeEventHandler;
  /** How many event ids are remembered for de-duplication. Default 10,000. */
  rememberEvents?: number;
  /** The event ids seen, when they are kept elsewhere (shared by replicas). Default: the last `rememberEvents` ids, here. */
  dedup?: WebhookDedup;
}

/** Which event ids were seen: claim is true for an id not seen before (and marks it seen); forget unmarks it. */
export interface WebhookDedup {
  claim(eventId: string): Promise<boolean>;
  forget(eventId: string): Promise<void>;
}

export const STRIPE_WEBHOOK_PATH = '/webhooks/stripe';

export function stripeWebhookRoute(options: StripeWebhookRouteOptions): ExtraRoute {
  const limit = options.rememberEvents ?? 10_000;
  // Insertion-ordered, so the oldest ids are the first forgotten.
  const seen = new Set<string>();
  const dedup: WebhookDedup = options.dedup ?? {
    async claim(id) {
      if (seen.has(id)) return false;
      seen.add(id);
      if (seen.size > limit) seen.delete(seen.values().next().value as string);
      return true;
    },
    forget: async (id) => void seen.delete(id),
  };

  return {
    method: 'POST',
    path: STRIPE_WEBHOOK_PATH,
    async handle(req, body, res) {
      const header = req.headers['stripe-signature'];
      const signature = Array.isArray(header) ? header[0] : header;
      if (!signature) {
        sendJson(res, 400, { error: 'missing Stripe-Signature header' });
        return;
      }
      let event: Stripe.Event;
      try {
        event = options.connector.constructEvent(body, signature);
      } catch (error) {
        options.logger.warn({ reason: (error as Error).message }, 'webhook refused: bad signature');
        sendJson(res, 400, { error: 'invalid signature' });
        return;
      }
      // Claimed before the hook runs, so a redelivery racing this one is not processed twice.
      if (!(await dedup.claim(event.id))) {
        options.logger.debug({ eventId: event.id, type: event.type }, 'webhook duplicate ignored');
        sendJson(res, 200, { received: true, duplicate: true });
        return;
      }
      try {
        await options.onEvent?.(event);
      } catch (error) {
        await dedup.forget(event.id);
        options.logger.error({ err: error, eventId: event.id, type: event.type }, 'webhook handler failed; Stripe will deliver again');
        sendJson(res, 500, { error: 'event not processed' });
        return;
      }
      options.logger.info({ eventId: event.id, type: event.type, objectId: (event.data.object as { id?: string }).id }, 'webhook received');
      sendJson(res, 200, { received: true });
    },
  };
}
