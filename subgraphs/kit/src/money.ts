/**
 * Formatting Money for display without a float: the minor units are split into whole
 * and fraction digits as text, and Intl.NumberFormat formats that exact decimal string
 * (ECMA-402 NumberFormat v3). Every subgraph parses its backend's amounts its own way
 * (HubSpot decimal strings, Odoo doubles, Stripe minor units) and formats them here.
 */
const formatters = new Map<string, Intl.NumberFormat>();

function formatter(currency: string): Intl.NumberFormat {
  let format = formatters.get(currency);
  if (!format) {
    format = new Intl.NumberFormat('en-US', { style: 'currency', currency });
    formatters.set(currency, format);
  }
  return format;
}

/** 123456 with 2 fraction digits → "1234.56": the exact decimal, as text. */
export function minorToDecimalString(amount: number, fractionDigits: number): Intl.StringNumericLiteral {
  if (!Number.isSafeInteger(amount)) throw new RangeError(`money amounts are whole minor units, got ${amount}`);
  const digits = String(Math.abs(amount)).padStart(fractionDigits + 1, '0');
  const whole = digits.slice(0, digits.length - fractionDigits);
  const fraction = digits.slice(digits.length - fractionDigits);
  return `${amount < 0 ? '-' : ''}${whole}${fractionDigits > 0 ? `.${fraction}` : ''}` as Intl.StringNumericLiteral;
}

/** 123450 USD → "$1,234.50"; the currency's own minor-unit digits come from Intl (ISO 4217). */
export function formatMinor(amount: number, currency: string): string {
  const format = formatter(currency);
  return format.format(minorToDecimalString(amount, format.resolvedOptions().maximumFractionDigits ?? 2));
}
