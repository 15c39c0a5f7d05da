/** The subscriptions' settings, read from the environment (gateway/src/config.ts calls this). */
import { envNumber, type Env } from '../../../lib/env.js';

export interface SubscriptionsConfig {
  /** Subscriptions one WebSocket may have open at once (SUBSCRIPTIONS_MAX_PER_CONNECTION). Default 25. */
  maxPerConnection: number;
  /** Subscriptions one client (token subject, API key, or address when anonymous) may have open on this replica (SUBSCRIPTIONS_MAX_PER_CLIENT). Default 100. */
  maxPerClient: number;
  /** Results that may wait for a subscriber before it is dropped as a slow consumer (SUBSCRIPTIONS_MAX_QUEUED). Default 100. */
  maxQueued: number;
  /** Bytes a WebSocket or a multipart response may have waiting to be sent before its client is dropped as a slow consumer (SUBSCRIPTIONS_MAX_BUFFERED_BYTES). Default 1 MiB. */
  maxBufferedBytes: number;
  /** Heartbeat interval in ms (SUBSCRIPTIONS_HEARTBEAT_MS): a WebSocket ping (a socket that does not answer within as long again is closed), an empty part `{}` on multipart responses. Default 10,000. */
  heartbeatMs: number;
  /** How long a WebSocket may take to send its connection_init, in ms (SUBSCRIPTIONS_INIT_TIMEOUT_MS). Default 5,000. */
  initTimeoutMs: number;
}

export function readSubscriptionsConfig(env: Env): SubscriptionsConfig {
  return {
    maxPerConnection: envNumber(env, 'SUBSCRIPTIONS_MAX_PER_CONNECTION', 25, { min: 1, max: 10_000, integer: true }),
    maxPerClient: envNumber(env, 'SUBSCRIPTIONS_MAX_PER_CLIENT', 100, { min: 1, max: 1_000_000, integer: true }),
    maxQueued: envNumber(env, 'SUBSCRIPTIONS_MAX_QUEUED', 100, { min: 1, max: 100_000, integer: true }),
    maxBufferedBytes: envNumber(env, 'SUBSCRIPTIONS_MAX_BUFFERED_BYTES', 1024 * 1024, { min: 1024, max: 1024 * 1024 * 1024, integer: true }),
    heartbeatMs: envNumber(env, 'SUBSCRIPTIONS_HEARTBEAT_MS', 10_000, { min: 100, max: 600_000, integer: true }),
    initTimeoutMs: envNumber(env, 'SUBSCRIPTIONS_INIT_TIMEOUT_MS', 5000, { min: 100, max: 600_000, integer: true }),
  };
}
