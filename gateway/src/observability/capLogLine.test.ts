/**
 * No log line of the gateway carries more than its bound, whatever a client sent: long
 * strings are cut with a note of how much, a line of many long fields keeps what
 * identifies it, short lines pass untouched, and a secret is redacted before any cut.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_LOG_LINE_LIMITS } from './capLogLine.js';
import { createGatewayLogger } from './logger.js';

const JWT = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEiLCJhdWQiOiJncmFwaDM2MCJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
const { maxStringChars, maxLineChars } = DEFAULT_LOG_LINE_LIMITS;

function capture(): { lines: string[]; logger: ReturnType<typeof createGatewayLogger> } {
  const lines: string[] = [];
  return { lines, logger: createGatewayLogger({ destination: { write: (line: string) => void lines.push(line) } }).child({ requestId: 'req-1' }) };
}

describe('log line bounds', () => {
  it('cuts a 500 KB client string to the string bound and says how much was cut', () => {
    const { lines, logger } = capture();
    logger.info({ operation: 'N'.repeat(500_000), userAgent: 'short' }, 'graphql operation');
    logger.warn(`unknown operation ${'M'.repeat(500_000)}`);
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(maxLineChars);
    const first = JSON.parse(lines[0]!) as Record<string, string>;
    expect(first).toMatchObject({
      requestId: 'req-1',
      userAgent: 'short',
      msg: 'graphql operation',
      operation: `${'N'.repeat(maxStringChars)}…[${500_000 - maxStringChars} more characters]`,
    });
    expect((JSON.parse(lines[1]!) as { msg: string }).msg).toMatch(/^unknown operation M+…\[\d+ more characters\]$/);
  });

  it('keeps only the identifying fields of a line of many long strings', () => {
    const { lines, logger } = capture();
    const headers = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`x-header-${i}`, 'h'.repeat(4000)]));
    logger.error({ errorId: 'err-1', headers }, 'unexpected error masked');
    expect(lines[0]!.length).toBeLessThanOrEqual(maxLineChars);
    expect(JSON.parse(lines[0]!)).toEqual({
      level: 50,
      time: expect.any(Number),
      pid: process.pid,
      hostname: expect.any(String),
      name: 'gateway',
      requestId: 'req-1',
      errorId: 'err-1',
      msg: 'unexpected error masked',
      truncated: true,
      lineChars: expect.any(Number),
    });
  });

  it('passes ordinary lines as pino wrote them, and redacts a secret before cutting', () => {
    const { lines, logger } = capture();
    logger.info({ operation: 'CustomerOverview', durationMs: 1.5, errorCodes: [] }, 'graphql operation');
    expect(lines[0]).toMatch(
      /^\{"level":30,"time":\d+,"pid":\d+,"hostname":"[^"]*","name":"gateway","requestId":"req-1","operation":"CustomerOverview","durationMs":1.5,"errorCodes":\[\],"msg":"graphql operation"\}\n$/,
    );
    // The JWT straddles the cut: cut first, its start would be logged.
    logger.info({ header: `${'x'.repeat(maxStringChars - 7)} ${JWT}` }, 'header');
    expect(lines[1]).not.toContain(JWT.slice(0, 6));
    expect((JSON.parse(lines[1]!) as { header: string }).header).toBe(`${'x'.repeat(maxStringChars - 7)} [redac…[4 more characters]`);
  });
});
