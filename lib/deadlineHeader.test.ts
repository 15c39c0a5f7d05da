/**
 * lib/deadlineHeader.ts: a subgraph takes the gateway's deadline when it is a whole number
 * of milliseconds, clamps a huge one, and has none when the header is absent or malformed.
 */
import { describe, expect, it } from 'vitest';
import { deadlineFromHeader, MAX_DEADLINE_MS } from './deadlineHeader.js';

describe('deadlineFromHeader', () => {
  const receivedAt = 1_000_000;

  it('counts the milliseconds from when the request was received', () => {
    expect(deadlineFromHeader('2500', receivedAt)).toBe(receivedAt + 2500);
    expect(deadlineFromHeader(' 0 ', receivedAt)).toBe(receivedAt);
  });

  it('clamps a deadline longer than MAX_DEADLINE_MS', () => {
    expect(deadlineFromHeader(String(MAX_DEADLINE_MS + 1), receivedAt)).toBe(receivedAt + MAX_DEADLINE_MS);
    expect(deadlineFromHeader('9999999999999999', receivedAt)).toBe(receivedAt + MAX_DEADLINE_MS);
  });

  it('gives no deadline for an absent or malformed header', () => {
    for (const value of [undefined, '', 'soon', '-5', '1.5', '1e3', '10, 20', '0x10', '99999999999999999', ['100', '200']]) {
      expect(deadlineFromHeader(value, receivedAt), JSON.stringify(value)).toBeUndefined();
    }
  });
});
