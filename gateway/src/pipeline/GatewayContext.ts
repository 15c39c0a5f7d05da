/**
 * What the steps of one GraphQL request share: the Apollo Server context the HTTP steps
 * build (request id, then authentication and the client's address) and every later step
 * reads. Apollo Server gives each operation of an HTTP batch its own shallow copy, so
 * per-operation state keyed on it (cache/requestCacheState.ts) is per operation.
 * Steps keep their own per-request state in WeakMaps keyed on it, never as fields here.
 */
import type { TraceContext } from '../../../lib/tracing.js';
import type { AuthIdentity } from '../auth/identity.js';
import type { IncrementalDelivery } from '../execution/incremental.js';
import type { SubscriptionDelivery } from '../subscriptions/SubscriptionDelivery.js';

export type GatewayContext = {
  /** The incoming headers, `x-request-id` being the request's own id (what the data sources forward). */
  headers: Record<string, string | string[] | undefined>;
  /** The request id (plugins/requestId/): the client's when sane, else a fresh one. */
  requestId: string;
  /** The client's address (rateLimit/clientIp.ts): anonymous callers are rate limited by it. */
  clientIp: string;
  /** Who is asking (auth/): anonymous when no credential was sent. */
  auth: AuthIdentity;
  /**
   * Identical requests in flight may share this one's response under this key
   * (inboundDedup/sharedResponses.ts); absent when it must run on its own.
   */
  shareKey?: string;
  /**
   * Set when the client takes @defer answers streamed (a single operation with
   * `Accept: multipart/mixed; deferSpec=20220824`): execution/incremental.ts.
   */
  incremental?: IncrementalDelivery;
  /**
   * Set when the transport streams a subscription's events (graphql-ws, or HTTP with
   * `Accept: multipart/mixed;subscriptionSpec=1.0`): subscriptions/.
   */
  subscription?: SubscriptionDelivery;
  /**
   * The request's trace context (lib/tracing.ts): its server span, the parent of the
   * operation's spans and what its log lines are tagged with. Undefined when tracing is
   * off; a non-recording span when the request was sampled out.
   */
  trace?: TraceContext;
};
