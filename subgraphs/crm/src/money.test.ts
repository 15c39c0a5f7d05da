import { describe, expect, it } from 'vitest';
import { AmountError, decimalToMinor, formatMinor, money } from './money.js';

describe('decimalToMinor', () => {
  it('parses HubSpot decimal strings into minor units without float error', () => {
    expect(decimalToMinor('1500.00', 'USD')).toBe(150000);
    expect(decimalToMinor('1500', 'EUR')).toBe(150000);
    expect(decimalToMinor('1500.5', 'GBP')).toBe(150050);
    // 19.99 * 100 is 1998.9999999999998 in floating point; 0.29 * 100 is 28.999999999999996.
    expect(decimalToMinor('19.99', 'USD')).toBe(1999);
    expect(decimalToMinor('0.29', 'USD')).toBe(29);
    expect(decimalToMinor('.5', 'USD')).toBe(50);
    expect(decimalToMinor(' 7. ', 'USD')).toBe(700);
    expect(decimalToMinor('-3.5', 'USD')).toBe(-350);
    expect(decimalToMinor('+0.01', 'USD')).toBe(1);
  });

  it('rounds digits past the exponent half away from zero', () => {
    expect(decimalToMinor('10.005', 'USD')).toBe(1001);
    expect(decimalToMinor('10.00499', 'USD')).toBe(1000);
    expect(decimalToMinor('-10.005', 'USD')).toBe(-1001);
  });

  it('refuses text that is not a plain decimal, and amounts beyond a 32-bit Int', () => {
    for (const bad of ['', '.', 'abc', '1,500.00', '1e6', '12.3.4', '--1']) {
      expect(() => decimalToMinor(bad, 'USD'), bad).toThrow(AmountError);
    }
    expect(decimalToMinor('21474836.47', 'USD')).toBe(2 ** 31 - 1);
    expect(() => decimalToMinor('21474836.48', 'USD')).toThrow(/32-bit/);
    expect(decimalToMinor('-21474836.48', 'USD')).toBe(-(2 ** 31));
  });
});

describe('formatMinor', () => {
  it('formats minor units for display in English', () => {
    expect(formatMinor(123450, 'USD')).toBe('$1,234.50');
    expect(formatMinor(5, 'EUR')).toBe('€0.05');
    expect(formatMinor(-99, 'GBP')).toBe('-£0.99');
    expect(formatMinor(0, 'USD')).toBe('$0.00');
    expect(money(2 ** 31 - 1, 'USD')).toEqual({ amount: 2147483647, currency: 'USD', formatted: '$21,474,836.47' });
  });
});
