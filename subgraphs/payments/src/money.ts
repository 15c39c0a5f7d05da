/**
 * Money as the graph gives it: whole minor units, the currency, and a display string.
 * Formatting never goes through a float: the minor units are split into whole and
 * fraction digits as text, and Intl formats that exact decimal string.
 */
import type { CurrencyCode, Money } from './__generated__/resolvers-types.js';

const formatters = new Map<CurrencyCode, Intl.NumberFormat>();

function formatter(currency: CurrencyCode): Intl.NumberFormat {
  let format = formatters.get(currency);
  if (!format) {
    format = new Intl.NumberFormat('en-US', { style: 'currency', currency });
    formatters.set(currency, format);
  }
  return format;
}

/** 123456 USD → "1234.56": the exact decimal, as text. */
export function minorToDecimalString(amount: number, fractionDigits: number): Intl.StringNumericLiteral {
  if (!Number.isSafeInteger(amount)) throw new RangeError(`money amounts are whole minor units, got ${amount}`);
  const digits = String(Math.abs(amount)).padStart(fractionDigits + 1, '0');
  const whole = digits.slice(0, digits.length - fractionDigits);
  const fraction = digits.slice(digits.length - fractionDigits);
  return `${amount < 0 ? '-' : ''}${whole}${fractionDigits > 0 ? `.${fraction}` : ''}` as Intl.StringNumericLiteral;
}

export function formatMoney(amount: number, currency: CurrencyCode): string {
  const format = formatter(currency);
  const decimal = minorToDecimalString(amount, format.resolvedOptions().maximumFractionDigits ?? 2);
  // Intl.NumberFormat formats a decimal string exactly (ECMA-402 NumberFormat v3), so no float is involved.
  return format.format(decimal);
}

export function toMoney(amount: number, currency: CurrencyCode): Money {
  return { amount, currency, formatted: formatMoney(amount, currency) };
}
