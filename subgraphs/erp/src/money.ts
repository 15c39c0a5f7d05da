/**
 * Money without floats past the edge. Odoo sends amounts as XML-RPC doubles in currency
 * units (1234.56); the graph wants whole minor units (123456).
 *
 * Why `Math.round(value * 100)` is exact here: Odoo stores monetary amounts in PostgreSQL
 * `numeric` columns rounded to the currency's decimals, and sends each as Python's repr of
 * the float nearest to it, which parses back to that same double d. So d = c/100·(1+e1)
 * for the true count of cents c, with |e1| ≤ 2⁻⁵³; multiplying by 100 rounds once more,
 * (1+e2) with |e2| ≤ 2⁻⁵³. The product is c·(1+e1)(1+e2), off from c by at most
 * |c|·2.3·10⁻¹⁶, which is below 0.5 for every |c| < 2⁵¹ (about 22 trillion currency
 * units). Rounding to the nearest integer therefore gives back c exactly; money.test.ts
 * checks every cent value up to ten million and a sample across the whole Int range.
 * A value with more decimals than the currency has (a unit price with Odoo's "Product
 * Price" precision raised to 4 digits) is rounded to the nearest minor unit as its double
 * lies: 1.0051 gives 101, but a value exactly half-way in decimal may go either way
 * (1.005 is 1.00499999999999989... as a double, so it gives 100).
 */
import { BackendError, formatMinor } from '../../kit/src/index.js';
import type { CurrencyCode } from './models.js';

/** Minor-unit digits the parser assumes for every currency Odoo sends; all of CURRENCY_CODES have 2. */
export const MINOR_DIGITS = 2;

/** Past this many minor units, doubles no longer carry exact cents (see the note above). */
const EXACT_LIMIT = 2 ** 51;

/** GraphQL's Int is 32-bit signed: Money.amount cannot hold more. */
const INT_MAX = 2 ** 31 - 1;
const INT_MIN = -(2 ** 31);

export class AmountError extends Error {}

/** 1234.56 -> 123456. Throws AmountError for NaN, infinities and amounts too large to be exact. */
export function floatToMinor(value: number): number {
  if (!Number.isFinite(value)) throw new AmountError(`${value} is not an amount`);
  const minor = Math.round(value * 10 ** MINOR_DIGITS);
  if (Math.abs(minor) >= EXACT_LIMIT) throw new AmountError(`${value} is too large to convert to minor units exactly`);
  // Math.round(-0.004 * 100) is -0, which JSON would print as 0 anyway; keep it a plain 0.
  return minor === 0 ? 0 : minor;
}

export { formatMinor } from '../../kit/src/index.js';

export interface MoneyValue {
  amount: number;
  currency: CurrencyCode;
  formatted: string;
}

/**
 * The graph's Money, or a field error (BACKEND_ERROR, naming `what`) when the amount does
 * not fit Money.amount's 32-bit Int.
 */
export function money(amount: number, currency: CurrencyCode, what = 'An amount'): MoneyValue {
  if (!Number.isSafeInteger(amount) || amount > INT_MAX || amount < INT_MIN) {
    throw new BackendError('BACKEND_ERROR', `${what} (${amount} minor units of ${currency}) is beyond what Money.amount, a 32-bit Int, can hold`, {
      backend: 'erp',
    });
  }
  return { amount, currency, formatted: formatMinor(amount, currency) };
}
