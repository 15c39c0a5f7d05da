/**
 * Money as the graph gives it: whole minor units (Stripe's own), the currency, and a
 * display string formatted without a float by the kit.
 */
import { formatMinor } from '../../kit/src/index.js';
import type { CurrencyCode, Money } from './__generated__/resolvers-types.js';

export { formatMinor as formatMoney, minorToDecimalString } from '../../kit/src/index.js';

export function toMoney(amount: number, currency: CurrencyCode): Money {
  return { amount, currency, formatted: formatMinor(amount, currency) };
}
