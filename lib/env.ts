/**
 * Reading configuration from the environment, once, at an entry point. A bad value
 * stops start-up with a message that names the variable.
 */
export type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

export function envString(env: Env, name: string, fallback: string): string {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  return value;
}

export function envNumber(env: Env, name: string, fallback: number, range: { min: number; max: number; integer?: boolean }): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < range.min || value > range.max || (range.integer && !Number.isInteger(value))) {
    const kind = range.integer ? 'a whole number' : 'a number';
    throw new ConfigError(name, `must be ${kind} from ${range.min} to ${range.max}, got "${raw}"`);
  }
  return value;
}

export function envPort(env: Env, name: string, fallback: number): number {
  return envNumber(env, name, fallback, { min: 0, max: 65535, integer: true });
}

export function envList(env: Env, name: string): string[] {
  return envString(env, name, '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** REDIS_URL-style setting: a redis:// or rediss:// URL, or undefined when unset. Never echoed: it may carry a password. */
export function envRedisUrl(env: Env, name = 'REDIS_URL'): string | undefined {
  const value = envString(env, name, '');
  if (value === '') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(name, 'is not a URL');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new ConfigError(name, 'must be a redis:// or rediss:// URL');
  return value;
}
