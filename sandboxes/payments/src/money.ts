/**
 * Amounts in Stripe's messages ("Refund amount ($20.00) is greater than ...") and the
 * currency rules payment intents are checked against: supported currencies, minimum and
 * maximum charge amounts. Amounts are integers in the currency's minor unit.
 */
import { invalidRequest } from './errors.js';

const SYMBOLS: Readonly<Record<string, string>> = { usd: '$', eur: '€', gbp: '£', cad: 'CA$', aud: 'A$', jpy: '¥', chf: 'CHF ' };
const ZERO_DECIMAL = new Set(['jpy', 'krw', 'vnd', 'clp', 'isk', 'ugx', 'xaf', 'xof']);
export const SUPPORTED_CURRENCIES = [
  'usd',
  'eur',
  'gbp',
  'cad',
  'aud',
  'chf',
  'jpy',
  'sek',
  'nok',
  'dkk',
  'nzd',
  'sgd',
  'hkd',
  'mxn',
  'brl',
  'pln',
  'czk',
  'inr',
];
/** Stripe's minimum charge amounts, in minor units; 50 where not listed. */
const MINIMUMS: Readonly<Record<string, number>> = { gbp: 30, jpy: 50, chf: 50, dkk: 250, nok: 300, sek: 300, hkd: 400, mxn: 1000, czk: 1500, pln: 200 };
export const MAX_AMOUNT = 99_999_999;

export function formatAmount(amount: number, currency: string): string {
  const symbol = SYMBOLS[currency] ?? '';
  const value = ZERO_DECIMAL.has(currency) ? String(amount) : (amount / 100).toFixed(2);
  return symbol ? `${symbol}${value}` : `${value} ${currency.toUpperCase()}`;
}

export function readCurrency(value: string, param = 'currency'): string {
  const currency = value.toLowerCase();
  if (!SUPPORTED_CURRENCIES.includes(currency)) {
    throw invalidRequest(`Invalid currency: ${value}. Stripe currently supports these currencies: ${SUPPORTED_CURRENCIES.join(', ')}`, { param });
  }
  return currency;
}

/** Checks a charge amount against the currency's minimum and Stripe's maximum. */
export function checkChargeAmount(amount: number, currency: string): void {
  const minimum = MINIMUMS[currency] ?? 50;
  if (amount < minimum) {
    throw invalidRequest(`Amount must be at least ${formatAmount(minimum, currency)} ${currency}`, { code: 'amount_too_small', param: 'amount' });
  }
  if (amount > MAX_AMOUNT) {
    throw invalidRequest(`Amount must be no more than ${formatAmount(MAX_AMOUNT, currency)}`, { code: 'amount_too_large', param: 'amount' });
  }
}
