/** The rate limiter's settings, read from the environment (gateway/src/config.ts calls this). */
import { envBoolean, envNumber, type Env } from '../../../lib/env.js';
import type { BucketRule } from './buckets.js';

export interface RateLimitConfig {
  /** RATE_LIMIT=on|off. Default on. */
  enabled: boolean;
  /** RATE_LIMIT_RPS (default 50) requests per second, RATE_LIMIT_BURST (default 100) at once. */
  requests: BucketRule;
  /** RATE_LIMIT_COST_PER_SECOND (default 50,000) of estimated cost per second, RATE_LIMIT_COST_BURST (default 100,000) at once. */
  cost: BucketRule;
}

export function readRateLimitConfig(env: Env): RateLimitConfig {
  return {
    enabled: envBoolean(env, 'RATE_LIMIT', true),
    requests: {
      perSecond: envNumber(env, 'RATE_LIMIT_RPS', 50, { min: 0.001, max: 1e9 }),
      burst: envNumber(env, 'RATE_LIMIT_BURST', 100, { min: 1, max: 1e9, integer: true }),
    },
    cost: {
      perSecond: envNumber(env, 'RATE_LIMIT_COST_PER_SECOND', 50_000, { min: 0.001, max: 1e12 }),
      burst: envNumber(env, 'RATE_LIMIT_COST_BURST', 100_000, { min: 1, max: 1e12, integer: true }),
    },
  };
}
