/**
 * Money without floats. HubSpot sends an amount as a decimal string in currency units
 * ("1500.5"); the graph wants whole minor units (150050). Parsing the string digit by
 * digit, in BigInt, avoids the classic `Math.round(19.99 * 100)` errors, and formatting
 * hands Intl an exact decimal string rather than a float.
 */
import { formatMinor } from '../../kit/src/index.js';
import type { CurrencyCode } from './models.js';

/** Minor-unit digits per currency (ISO 4217 exponent). */
const EXPONENT: Readonly<Record<CurrencyCode, number>> = { USD: 2, EUR: 2, GBP: 2 };

/** GraphQL's Int is 32-bit signed: Money.amount cannot hold more. */
const INT_MAX = 2 ** 31 - 1;

const DECIMAL = /^([+-])?(\d*)(?:\.(\d*))?$/;

export class AmountError extends Error {}

/**
 * "1500.5" in GBP -> 150050. Digits past the currency's exponent are rounded half away
 * from zero (HubSpot stores what a user typed, e.g. "10.005"). Throws AmountError for
 * text that is not a plain decimal or an amount beyond Money.amount's 32-bit range.
 */
export function decimalToMinor(value: string, currency: CurrencyCode): number {
  const match = DECIMAL.exec(value.trim());
  const [, sign, whole = '', fraction = ''] = match ?? [];
  if (!match || (whole === '' && fraction === '')) throw new AmountError(`"${value}" is not a decimal amount`);
  const exponent = EXPONENT[currency];
  const kept = fraction.slice(0, exponent).padEnd(exponent, '0');
  let minor = BigInt(whole || '0') * 10n ** BigInt(exponent) + BigInt(kept || '0');
  if ((fraction[exponent] ?? '0') >= '5') minor += 1n;
  if (sign === '-') minor = -minor;
  if (minor > BigInt(INT_MAX) || minor < BigInt(-INT_MAX - 1)) {
    throw new AmountError(`${value} ${currency} is beyond what Money.amount (a 32-bit Int of minor units) can hold`);
  }
  return Number(minor);
}

export { formatMinor } from '../../kit/src/index.js';

export interface MoneyValue {
  amount: number;
  currency: CurrencyCode;
  formatted: string;
}

export function money(amount: number, currency: CurrencyCode): MoneyValue {
  return { amount, currency, formatted: formatMinor(amount, currency) };
}
