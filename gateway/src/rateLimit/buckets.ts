/**
 * Token buckets, by key: each holds up to `burst` tokens and refills at `perSecond`; a
 * request takes `amount` tokens or is refused with the time until enough are back.
 * An amount larger than the whole bucket takes the whole (full) bucket, so that one
 * operation dearer than the burst is possible at all, once per refill.
 *
 * Two stores, matching the gateway's cache stores:
 * - in memory (one gateway process): a Map; taking is synchronous, so atomic.
 * - in Redis (REDIS_URL: replicas share budgets): a Lua script run by EVALSHA through
 *   the same Redis client as the keyv caches. The read-refill-take-write of a bucket is
 *   one script, which Redis runs atomically, and the clock is Redis's (TIME), so
 *   replicas with skewed clocks still agree. keyv's get/set cannot do this (two
 *   replicas reading the same state would both spend it), which is why the Redis
 *   store talks to the client keyv's store uses rather than to keyv itself.
 *   Keys are `<CACHE_KEY_PREFIX>:ratelimit::<bucket>:<client>` and expire once a bucket
 *   would be full again.
 */
import { createHash } from 'node:crypto';

export interface BucketRule {
  /** Tokens added per second. */
  perSecond: number;
  /** Largest number of tokens the bucket holds (and starts with). */
  burst: number;
}

export interface Take {
  allowed: boolean;
  /** Tokens left after this take. */
  remaining: number;
  /** When refused: ms until the amount is available. */
  retryAfterMs: number;
}

export interface BucketStore {
  readonly kind: 'memory' | 'redis';
  take(key: string, amount: number, rule: BucketRule): Promise<Take>;
}

export class MemoryBuckets implements BucketStore {
  readonly kind = 'memory';
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 100_000,
  ) {}

  async take(key: string, amount: number, rule: BucketRule): Promise<Take> {
    const now = this.now();
    const state = this.buckets.get(key);
    const wanted = Math.min(amount, rule.burst);
    let tokens = state ? Math.min(rule.burst, state.tokens + ((now - state.at) / 1000) * rule.perSecond) : rule.burst;
    let allowed = false;
    let retryAfterMs = 0;
    if (tokens >= wanted) {
      tokens -= wanted;
      allowed = true;
    } else {
      retryAfterMs = Math.ceil(((wanted - tokens) / rule.perSecond) * 1000);
    }
    // Re-insert so the Map's order is least recently used first, and drop the oldest beyond maxKeys.
    this.buckets.delete(key);
    this.buckets.set(key, { tokens, at: now });
    if (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
    return { allowed, remaining: Math.floor(tokens), retryAfterMs };
  }
}

/** KEYS[1]: the bucket. ARGV: tokens per ms, burst, amount. Returns {allowed, remaining, retryAfterMs}. */
export const TOKEN_BUCKET_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local wanted = math.min(tonumber(ARGV[3]), burst)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then
  tokens = burst
else
  tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
end
local allowed = 0
local retry = 0
if tokens >= wanted then
  tokens = tokens - wanted
  allowed = 1
else
  retry = math.ceil((wanted - tokens) / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate) + 1000)
return {allowed, math.floor(tokens), retry}
`;

/** What the Redis store needs of a node-redis client (the one createCacheStores made). */
export interface ScriptClient {
  readonly isReady: boolean;
  evalSha(sha1: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

export class RedisBuckets implements BucketStore {
  readonly kind = 'redis';
  private readonly sha = createHash('sha1').update(TOKEN_BUCKET_SCRIPT).digest('hex');

  constructor(
    private readonly client: ScriptClient,
    private readonly keyPrefix: string,
  ) {}

  /** False while Redis is not connected (FallbackBuckets then takes from memory without asking it). */
  get available(): boolean {
    return this.client.isReady;
  }

  async take(key: string, amount: number, rule: BucketRule): Promise<Take> {
    const options = { keys: [`${this.keyPrefix}:ratelimit::${key}`], arguments: [String(rule.perSecond / 1000), String(rule.burst), String(amount)] };
    let reply: unknown;
    try {
      reply = await this.client.evalSha(this.sha, options);
    } catch (error) {
      if (!/NOSCRIPT/.test((error as Error).message)) throw error;
      reply = await this.client.eval(TOKEN_BUCKET_SCRIPT, options); // loads the script for the next EVALSHA
    }
    const [allowed, remaining, retryAfterMs] = reply as [number, number, number];
    return { allowed: allowed === 1, remaining, retryAfterMs };
  }
}
