import { describe, expect, it } from 'vitest';
import { createGatewayLogger } from '../../observability/logger.js';
import { requestIdFrom, requestIdPlugin } from './index.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('request ids', () => {
  it('keeps sane client ids and replaces the rest with a UUID', () => {
    for (const sane of ['abc', '01HZX3K9Q4R7', 'trace:span.1_2-3', 'a'.repeat(128)]) expect(requestIdFrom(sane)).toBe(sane);
    for (const insane of ['', 'a b', 'a\nfake log line', 'x'.repeat(129), '<script>', undefined, null]) expect(requestIdFrom(insane)).toMatch(UUID);
    expect(requestIdFrom(['first', 'second'])).toBe('first');
  });

  it('gives each request context one child logger that carries its id', () => {
    const lines: Array<Record<string, unknown>> = [];
    const plugin = requestIdPlugin({
      logger: createGatewayLogger({ destination: { write: (l: string) => void lines.push(JSON.parse(l) as Record<string, unknown>) } }),
    });
    const a = { requestId: 'req-a' };
    const b: { requestId?: string } = {};
    expect(plugin.loggerFor(a)).toBe(plugin.loggerFor(a));
    plugin.loggerFor(a).info('one');
    plugin.loggerFor(b).info({ authorization: 'Bearer s3cret', headers: { authorization: 'Bearer s3cret' } }, 'two');
    expect(lines.map((l) => [l.msg, l.requestId])).toEqual([
      ['one', 'req-a'],
      ['two', b.requestId],
    ]);
    expect(b.requestId).toMatch(UUID);
    expect(JSON.stringify(lines)).not.toContain('s3cret');
  });
});
