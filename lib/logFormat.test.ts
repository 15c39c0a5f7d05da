import { describe, expect, it } from 'vitest';
import { ConfigError } from './env.js';
import { chooseLogFormat, prettyLines } from './logFormat.js';

describe('chooseLogFormat', () => {
  it('is pretty in development on a TTY, JSON otherwise', () => {
    expect(chooseLogFormat({}, true)).toBe('pretty');
    expect(chooseLogFormat({ NODE_ENV: 'development' }, true)).toBe('pretty');
    expect(chooseLogFormat({}, false)).toBe('json');
    expect(chooseLogFormat({ NODE_ENV: 'production' }, true)).toBe('json');
  });

  it('LOG_FORMAT wins either way, and a bad one names the variable', () => {
    expect(chooseLogFormat({ LOG_FORMAT: 'json' }, true)).toBe('json');
    expect(chooseLogFormat({ LOG_FORMAT: 'pretty' }, false)).toBe('pretty');
    expect(chooseLogFormat({ LOG_FORMAT: 'pretty', NODE_ENV: 'production' }, false)).toBe('pretty');
    expect(() => chooseLogFormat({ LOG_FORMAT: 'xml' }, true)).toThrow(ConfigError);
    expect(() => chooseLogFormat({ LOG_FORMAT: 'xml' }, true)).toThrow(/^LOG_FORMAT: /);
  });
});

describe('prettyLines', () => {
  const pretty = prettyLines(false);

  it('turns a pino JSON line into one readable line: time, level, message, fields', () => {
    const line = JSON.stringify({
      level: 30,
      time: Date.UTC(2026, 0, 1, 12, 0, 0),
      pid: 1,
      hostname: 'h',
      name: 'gateway',
      requestId: 'r1',
      msg: 'gateway caches configured',
    });
    const out = pretty(line);
    expect(out).not.toContain('\n');
    expect(out).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: gateway caches configured \{"requestId":"r1"\}$/);
    expect(out).not.toContain('hostname');
  });

  it('leaves other lines as they are', () => {
    expect(pretty('[gateway] listening on http://127.0.0.1:4000/graphql')).toBe('[gateway] listening on http://127.0.0.1:4000/graphql');
    expect(pretty('{not json')).toBe('{not json');
    expect(pretty('{"a":1}')).toBe('{"a":1}');
  });
});
