/**
 * The shared readers of settings: on/off switches, log levels and URLs, each refusing a
 * bad value with a message that names the variable.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkUrl, ConfigError, envBoolean, envLogLevel, envRedisUrl, envUrl, LOG_LEVELS, parseOnOff } from './env.js';

describe('envBoolean', () => {
  it('reads on, true, 1 and off, false, 0 in any case, and the fallback when unset or empty', () => {
    for (const word of ['on', 'true', '1', 'ON', 'True', ' on ']) expect(envBoolean({ X: word }, 'X', false), word).toBe(true);
    for (const word of ['off', 'false', '0', 'OFF', 'False']) expect(envBoolean({ X: word }, 'X', true), word).toBe(false);
    expect(envBoolean({}, 'X', true)).toBe(true);
    expect(envBoolean({ X: '' }, 'X', false)).toBe(false);
  });

  it('refuses any other word, naming the variable and quoting the value', () => {
    expect(() => envBoolean({ EXPOSE_CACHE_STATUS: 'sometimes' }, 'EXPOSE_CACHE_STATUS', true)).toThrow(
      new ConfigError('EXPOSE_CACHE_STATUS', 'must be on or off, got "sometimes"'),
    );
    expect(() => envBoolean({ X: 'yes please' }, 'X', true)).toThrow(ConfigError);
    expect(parseOnOff('maybe')).toBeUndefined();
  });
});

describe('envLogLevel', () => {
  it("accepts pino's levels and silent, default info", () => {
    for (const level of LOG_LEVELS) expect(envLogLevel({ LOG_LEVEL: level })).toBe(level);
    expect(envLogLevel({})).toBe('info');
    expect(envLogLevel({ LOG_LEVEL: '' })).toBe('info');
    expect(envLogLevel({ OTHER: 'warn' }, 'OTHER', 'error')).toBe('warn');
  });

  it('refuses another word, listing the levels', () => {
    expect(() => envLogLevel({ LOG_LEVEL: 'loud' })).toThrow('LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent, got "loud"');
  });

  it("is the gateway configuration file's list too", () => {
    const schema = JSON.parse(readFileSync(new URL('../gateway/config.schema.json', import.meta.url), 'utf8'));
    expect(schema.properties.log.properties.level.enum).toEqual([...LOG_LEVELS]);
  });
});

describe('envUrl and checkUrl', () => {
  it('reads an http(s) URL, the fallback when unset, undefined without one', () => {
    expect(envUrl({ U: 'https://example.com/a' }, 'U')?.href).toBe('https://example.com/a');
    expect(envUrl({}, 'U', 'http://127.0.0.1:4000').origin).toBe('http://127.0.0.1:4000');
    expect(envUrl({ U: '' }, 'U')).toBeUndefined();
  });

  it('refuses text that is not a URL and another scheme, naming the variable', () => {
    expect(() => envUrl({ U: 'not a url' }, 'U')).toThrow('U: must be an http(s) URL, got "not a url"');
    expect(() => envUrl({ U: 'ftp://example.com' }, 'U')).toThrow('U: must be an http(s) URL, got "ftp://example.com"');
  });

  it('does not quote the value when told not to', () => {
    expect(() => checkUrl('S', 'ftp://user:key@cdn.example', { echo: false })).toThrow(new ConfigError('S', 'must be an http(s) URL, got a ftp: URL'));
    expect(() => checkUrl('S', 'nope', { echo: false })).toThrow(new ConfigError('S', 'must be an http(s) URL'));
  });

  it('refuses credentials when the rules say where they go instead', () => {
    expect(() => checkUrl('ERP_URL', 'https://admin:pw@erp.example', { credentials: 'use ERP_USERNAME and ERP_PASSWORD' })).toThrow(
      'ERP_URL: must not carry credentials; use ERP_USERNAME and ERP_PASSWORD',
    );
    expect(checkUrl('ERP_URL', 'https://admin:pw@erp.example').username).toBe('admin');
  });

  it('takes other schemes: a redis URL, never quoted', () => {
    expect(envRedisUrl({ REDIS_URL: 'rediss://:pw@cache:6380' })).toBe('rediss://:pw@cache:6380');
    expect(envRedisUrl({})).toBeUndefined();
    expect(() => envRedisUrl({ REDIS_URL: 'http://:secret@cache' })).toThrow(
      new ConfigError('REDIS_URL', 'must be a redis:// or rediss:// URL, got a http: URL'),
    );
    expect(() => envRedisUrl({ REDIS_URL: 'secret' })).toThrow(new ConfigError('REDIS_URL', 'must be a redis:// or rediss:// URL'));
  });
});
