import { describe, expect, it } from 'vitest';
import { AmountError, floatToMinor, formatMinor, money } from './money.js';

/** The decimal text Odoo sends for `cents` minor units (Python's repr of the nearest float). */
function odooText(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

describe('floatToMinor', () => {
  it('recovers every cent value up to ten million exactly from the double Odoo sends', () => {
    let wrong = 0;
    for (let cents = 0; cents < 10_000_000; cents++) if (floatToMinor(Number(odooText(cents))) !== cents) wrong++;
    expect(wrong).toBe(0);
  });

  it('recovers cent values across the whole Int range and far past it', () => {
    // A fixed LCG, so a failure names the same values on every run.
    let state = 42;
    const next = (): number => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31);
    const wrong: number[] = [];
    for (let i = 0; i < 200_000; i++) {
      const cents = (next() % 2 ** 31) * (i % 2 === 0 ? 1 : -1);
      if (floatToMinor(Number(odooText(cents))) !== cents) wrong.push(cents);
    }
    for (let i = 0; i < 50_000; i++) {
      const cents = next() * 2 ** 19 + next();
      if (floatToMinor(Number(odooText(cents))) !== cents) wrong.push(cents);
    }
    expect(wrong).toEqual([]);
  });

  it('gets the classic float traps right and refuses what is not an amount', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(floatToMinor(0.1 + 0.2)).toBe(30);
    expect(floatToMinor(19.99)).toBe(1999);
    // Past the currency's decimals it is the double that rounds: 1.005 is 1.00499999999999989...
    expect(floatToMinor(1.005)).toBe(100);
    expect(floatToMinor(1.0051)).toBe(101);
    expect(floatToMinor(-0.001)).toBe(0);
    expect(Object.is(floatToMinor(-0.001), 0)).toBe(true);
    for (const bad of [NaN, Infinity, -Infinity, 2 ** 51]) expect(() => floatToMinor(bad), String(bad)).toThrow(AmountError);
  });
});

describe('money', () => {
  it('formats minor units for display in English, and refuses amounts beyond a 32-bit Int', () => {
    expect(formatMinor(123450, 'USD')).toBe('$1,234.50');
    expect(formatMinor(5, 'EUR')).toBe('€0.05');
    expect(formatMinor(-99, 'GBP')).toBe('-£0.99');
    expect(money(2 ** 31 - 1, 'USD')).toEqual({ amount: 2147483647, currency: 'USD', formatted: '$21,474,836.47' });
    expect(() => money(2 ** 31, 'USD', 'The total of S00001')).toThrow(/^The total of S00001 \(2147483648 minor units of USD\) is beyond/);
    expect(() => money(2 ** 31, 'USD')).toThrow(expect.objectContaining({ code: 'BACKEND_ERROR' }));
  });
});
