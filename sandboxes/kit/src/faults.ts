/**
 * Faults switched on at run time through POST /__sandbox/faults, so tests and
 * benchmarks can make a backing system slow, flaky, rate limited, hung or down.
 */

export interface FaultConfig {
  /** Added latency before each answer, in ms. Default 0. */
  latencyMs: number;
  /** Up to this many ms more, drawn at random per call. Default 0. */
  jitterMs: number;
  /** Share of calls (0..1) answered with the product's server error. Default 0. */
  errorRate: number;
  /** Share of calls (0..1) answered with the product's 429. Default 0. */
  rateLimitRate: number;
  /** Retry-After (seconds) sent with injected 429s. Default 1. */
  retryAfterSeconds: number;
  /** When true, calls are accepted and never answered. Default false. */
  hang: boolean;
  /** When true, connections are reset without an answer. Default false. */
  down: boolean;
  /**
   * When true, calls run (what they write is written) and then the connection is reset
   * instead of answering: the caller cannot tell whether the call happened, as after a
   * timeout or a proxy's 502 once the request had left. Default false.
   */
  lostAnswer: boolean;
  /** Only calls whose operation name starts with one of these are affected. Default: all. */
  operations: string[] | null;
  /** Only the next N affected calls get a fault, then faults switch off. Default: no limit. */
  remaining: number | null;
}

export const NO_FAULTS: FaultConfig = {
  latencyMs: 0,
  jitterMs: 0,
  errorRate: 0,
  rateLimitRate: 0,
  retryAfterSeconds: 1,
  hang: false,
  down: false,
  lostAnswer: false,
  operations: null,
  remaining: null,
};

export type FaultAction = 'none' | 'error' | 'rateLimit' | 'hang' | 'down' | 'lostAnswer';

export class FaultParseError extends Error {}

function num(input: Record<string, unknown>, key: keyof FaultConfig, min: number, max: number): number | undefined {
  const value = input[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new FaultParseError(`${key} must be a number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function bool(input: Record<string, unknown>, key: keyof FaultConfig): boolean | undefined {
  const value = input[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw new FaultParseError(`${key} must be true or false, got ${JSON.stringify(value)}`);
  return value;
}

/** Validates a POSTed fault body; unknown keys are refused so a typo is not silently ignored. */
export function parseFaultConfig(input: unknown): FaultConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new FaultParseError('the body must be a JSON object');
  }
  const body = input as Record<string, unknown>;
  for (const key of Object.keys(body)) {
    if (!(key in NO_FAULTS)) throw new FaultParseError(`unknown fault setting "${key}"; known: ${Object.keys(NO_FAULTS).join(', ')}`);
  }
  const operations = body.operations;
  if (operations !== undefined && operations !== null && !(Array.isArray(operations) && operations.every((o) => typeof o === 'string'))) {
    throw new FaultParseError('operations must be a list of operation-name prefixes');
  }
  const remaining = body.remaining === null ? undefined : num(body, 'remaining', 1, 1_000_000);
  if (remaining !== undefined && !Number.isInteger(remaining)) throw new FaultParseError('remaining must be a whole number');
  return {
    latencyMs: num(body, 'latencyMs', 0, 600_000) ?? 0,
    jitterMs: num(body, 'jitterMs', 0, 600_000) ?? 0,
    errorRate: num(body, 'errorRate', 0, 1) ?? 0,
    rateLimitRate: num(body, 'rateLimitRate', 0, 1) ?? 0,
    retryAfterSeconds: num(body, 'retryAfterSeconds', 0, 3600) ?? 1,
    hang: bool(body, 'hang') ?? false,
    down: bool(body, 'down') ?? false,
    lostAnswer: bool(body, 'lostAnswer') ?? false,
    operations: (operations as string[] | undefined) ?? null,
    remaining: remaining ?? null,
  };
}

export class FaultInjector {
  private config: FaultConfig = NO_FAULTS;

  set(config: FaultConfig): void {
    this.config = config;
  }

  clear(): void {
    this.config = NO_FAULTS;
  }

  current(): FaultConfig {
    return this.config;
  }

  /** Decides the fault for one call and the latency to add before answering it. */
  decide(operation: string): { action: FaultAction; delayMs: number; retryAfterSeconds: number } {
    const c = this.config;
    const none = { action: 'none' as const, delayMs: 0, retryAfterSeconds: c.retryAfterSeconds };
    if (c === NO_FAULTS) return none;
    if (c.operations && !c.operations.some((prefix) => operation.startsWith(prefix))) return none;
    const delayMs = c.latencyMs + (c.jitterMs > 0 ? Math.random() * c.jitterMs : 0);
    let action: FaultAction = 'none';
    if (c.down) action = 'down';
    else if (c.hang) action = 'hang';
    else if (c.lostAnswer) action = 'lostAnswer';
    else if (c.errorRate > 0 && Math.random() < c.errorRate) action = 'error';
    else if (c.rateLimitRate > 0 && Math.random() < c.rateLimitRate) action = 'rateLimit';
    if (c.remaining !== null) {
      const remaining = c.remaining - 1;
      this.config = remaining <= 0 ? NO_FAULTS : { ...c, remaining };
    }
    // The settings this call was decided with: `remaining` may have switched them off since.
    return { action, delayMs, retryAfterSeconds: c.retryAfterSeconds };
  }
}
