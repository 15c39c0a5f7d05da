/** The rate limiter's settings, read from the environment (gateway/src/config.ts calls this). */
import { ConfigError, envNumber, type Env } from '../../../lib/env.js';
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
  const switchValue = env.RATE_LIMIT ?? '';
  if (!['', 'on', 'off', 'true', 'false', '1', '0'].includes(switchValue)) throw new ConfigError('RATE_LIMIT', `must be on or off, got "${switchValue}"`);
  return {
    enabled: !['off', 'false', '0'].includes(switchValue),
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
