import { describe, expect, it } from 'vitest';
import { formatMoney, minorToDecimalString, toMoney } from './money.js';

describe('money', () => {
  it('formats minor units exactly, without going through a float', () => {
    expect(formatMoney(123_456, 'USD')).toBe('$1,234.56');
    expect(formatMoney(5, 'EUR')).toBe('€0.05');
    expect(formatMoney(100, 'GBP')).toBe('£1.00');
    // 2^53 - 1 cents: a float of the major amount would round the last digits.
    expect(formatMoney(Number.MAX_SAFE_INTEGER, 'USD')).toBe('$90,071,992,547,409.91');
    expect(toMoney(-250, 'USD')).toEqual({ amount: -250, currency: 'USD', formatted: '-$2.50' });
  });

  it('splits minor units into an exact decimal string and refuses fractions', () => {
    expect(minorToDecimalString(7, 2)).toBe('0.07');
    expect(minorToDecimalString(-1234, 2)).toBe('-12.34');
    expect(minorToDecimalString(42, 0)).toBe('42');
    expect(() => minorToDecimalString(1.5, 2)).toThrow(RangeError);
  });
});
