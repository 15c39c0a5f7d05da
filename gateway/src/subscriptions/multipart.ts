/**
 * Subscriptions over HTTP, in Apollo's multipart protocol (what Apollo Client's HttpLink,
 * Apollo Kotlin and iOS, and Apollo Router speak): a POST whose Accept names
 * `multipart/mixed;subscriptionSpec=1.0` is answered `multipart/mixed;boundary="graphql";
 * subscriptionSpec=1.0` (lib/http.ts: acceptsMultipartSubscription), one JSON part per event, `{"payload": <result>}`, and an empty
 * part `{}` as a heartbeat at the start and then every `heartbeatMs`. A subscription
 * that ends with an error (expired credential, slow consumer, shutdown, unreachable
 * subgraph) sends it in a last part's payload; the body then ends with the closing boundary.
 *
 * An operation refused before it starts (validation, limits, authorization) is answered
 * as any other request, with a JSON body and its status.
 */
import type { ServerResponse } from 'node:http';
import type { GatewayMetrics } from '../metrics.js';
import type { SubscriptionDelivery } from './SubscriptionDelivery.js';

export const MULTIPART_SUBSCRIPTION_CONTENT_TYPE = 'multipart/mixed;boundary="graphql";subscriptionSpec="1.0"';

const PART = '\r\nContent-Type: application/json\r\n\r\n';
const BOUNDARY = '\r\n--graphql';

/**
 * The body of a streamed subscription: chunks ready to write, each ending with the
 * boundary so that the client can read the part at once; heartbeats while no event comes.
 */
export async function* multipartSubscriptionBody(
  delivery: SubscriptionDelivery,
  options: { heartbeatMs: number; metrics?: GatewayMetrics },
): AsyncGenerator<string> {
  try {
    // The opening boundary and a first heartbeat: the client knows at once that the subscription is live.
    yield `${BOUNDARY}${PART}{}${BOUNDARY}`;
    let pending = delivery.next();
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const beat = new Promise<'beat'>((resolve) => (timer = setTimeout(() => resolve('beat'), options.heartbeatMs)));
      const next = await Promise.race([pending, beat]);
      clearTimeout(timer);
      if (next === 'beat') {
        yield `${PART}{}${BOUNDARY}`;
        continue;
      }
      if (next.done) break;
      options.metrics?.subscriptionEvents.inc();
      yield `${PART}${JSON.stringify({ payload: next.value })}${BOUNDARY}`;
      pending = delivery.next();
    }
    yield '--\r\n';
  } finally {
    // The client went away, or the body ended: either way the subscription stops.
    delivery.close();
  }
}

/**
 * Stops the subscription when its client goes away. A client that does not read is
 * bounded by the delivery: lib/http.ts's writeStreamed waits for 'drain' when the socket
 * is full, results queue in the delivery meanwhile, and past its bound it ends as
 * SLOW_CONSUMER, whereupon the transport drops the response (createGateway.ts).
 */
export function watchSubscriber(res: ServerResponse, delivery: SubscriptionDelivery): void {
  res.once('close', () => delivery.close());
}
