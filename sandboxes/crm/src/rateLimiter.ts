/**
 * HubSpot's burst limit: at most `max` requests per token in any rolling window of
 * `windowMs` (10 s). Each admitted request is remembered until it leaves the window;
 * refused ones are not, so a client that backs off gets in again as soon as the oldest
 * request it made ages out.
 */

export interface RateDecision {
  allowed: boolean;
  /** X-HubSpot-RateLimit-* headers for the response (none when the limit is off). */
  headers: Record<string, string>;
}

export class RollingRateLimiter {
  private readonly hits = new Map<string, number[]>();

  /**
   * @param max requests per window per token; 0 turns the limit off.
   * @param windowMs length of the rolling window. Default 10,000 (HubSpot's TEN_SECONDLY_ROLLING).
   */
  constructor(
    readonly max: number,
    readonly windowMs = 10_000,
    private readonly clock: () => number = Date.now,
  ) {}

  take(token: string): RateDecision {
    if (this.max <= 0) return { allowed: true, headers: {} };
    const now = this.clock();
    let hits = this.hits.get(token);
    if (!hits) this.hits.set(token, (hits = []));
    // Timestamps are in arrival order, so the expired ones are at the front.
    let expired = 0;
    while (expired < hits.length && hits[expired]! <= now - this.windowMs) expired++;
    if (expired > 0) hits.splice(0, expired);
    const allowed = hits.length < this.max;
    if (allowed) hits.push(now);
    return {
      allowed,
      headers: {
        'x-hubspot-ratelimit-interval-milliseconds': String(this.windowMs),
        'x-hubspot-ratelimit-max': String(this.max),
        'x-hubspot-ratelimit-remaining': String(this.max - hits.length),
      },
    };
  }
}
