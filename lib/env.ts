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
  checkUrl(name, value, { protocols: ['redis:', 'rediss:'], echo: false });
  return value;
}

/** The words an on/off switch accepts, in any case. */
const ON_WORDS = ['on', 'true', '1'];
const OFF_WORDS = ['off', 'false', '0'];

/** An on/off word (on, true, 1 / off, false, 0, in any case) as a boolean; undefined for any other text. */
export function parseOnOff(raw: string): boolean | undefined {
  const word = raw.trim().toLowerCase();
  if (ON_WORDS.includes(word)) return true;
  if (OFF_WORDS.includes(word)) return false;
  return undefined;
}

/** An on/off switch (parseOnOff's words); `fallback` when unset or empty. */
export function envBoolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = parseOnOff(raw);
  if (value === undefined) throw new ConfigError(name, `must be on or off, got "${raw}"`);
  return value;
}

/** pino's levels, most severe first, and `silent`: what every service's LOG_LEVEL accepts. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** LOG_LEVEL-style setting: one of LOG_LEVELS; `fallback` (info) when unset or empty. */
export function envLogLevel(env: Env, name = 'LOG_LEVEL', fallback: LogLevel = 'info'): LogLevel {
  const value = envString(env, name, fallback);
  if (!(LOG_LEVELS as readonly string[]).includes(value)) throw new ConfigError(name, `must be one of ${LOG_LEVELS.join(', ')}, got "${value}"`);
  return value as LogLevel;
}

export interface UrlRules {
  /** The schemes accepted, as URL.protocol spells them. Default http: and https:. */
  protocols?: readonly string[];
  /** Whether the message may quote the value. Default true; false for a URL that may carry a secret. */
  echo?: boolean;
  /** When set, a URL with user or password is refused; this says where they go instead. */
  credentials?: string;
}

const HTTP = ['http:', 'https:'];

function kindOfUrl(protocols: readonly string[]): string {
  if (protocols.length === HTTP.length && HTTP.every((p) => protocols.includes(p))) return 'an http(s) URL';
  return `a ${protocols.map((p) => `${p}//`).join(' or ')} URL`;
}

/** Checks one URL against the rules; the ConfigError names `name`. */
export function checkUrl(name: string, value: string, rules: UrlRules = {}): URL {
  const protocols = rules.protocols ?? HTTP;
  const echo = rules.echo ?? true;
  const kind = kindOfUrl(protocols);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(name, echo ? `must be ${kind}, got "${value}"` : `must be ${kind}`);
  }
  if (!protocols.includes(url.protocol)) throw new ConfigError(name, echo ? `must be ${kind}, got "${value}"` : `must be ${kind}, got a ${url.protocol} URL`);
  if (rules.credentials !== undefined && (url.username || url.password)) throw new ConfigError(name, `must not carry credentials; ${rules.credentials}`);
  return url;
}

/** A URL setting (http or https unless `rules` say otherwise); `fallback` when unset or empty, undefined without one. */
export function envUrl(env: Env, name: string, fallback: string, rules?: UrlRules): URL;
export function envUrl(env: Env, name: string, fallback?: string, rules?: UrlRules): URL | undefined;
export function envUrl(env: Env, name: string, fallback?: string, rules?: UrlRules): URL | undefined {
  const value = envString(env, name, fallback ?? '');
  if (value === '') return undefined;
  return checkUrl(name, value, rules);
}
