/**
 * Deal: HubSpot's amount is a decimal string in currency units; the graph's Money is
 * whole minor units, parsed from the string without floats (money.ts). The currency is the
 * deal's own when HubSpot records one (multi-currency portals), else the customer's.
 */
import { BackendError } from '../../../kit/src/index.js';
import type { DealResolvers } from '../__generated__/resolvers-types.js';
import { isCurrencyCode } from '../models.js';
import { AmountError, decimalToMinor, money } from '../money.js';
import { dealStageOf } from '../stages.js';

export const Deal: DealResolvers = {
  name: (deal) => deal.name ?? `Deal ${deal.id}`,
  stage: (deal) => dealStageOf(deal.stage),
  amount: (deal) => {
    if (deal.amount === null) return null;
    const currency = deal.currency ?? deal.customerCurrency;
    if (!isCurrencyCode(currency)) {
      throw new BackendError('BACKEND_ERROR', `Deal ${deal.id} is in ${currency}, which this graph does not support`, { backend: 'crm' });
    }
    try {
      return money(decimalToMinor(deal.amount, currency), currency);
    } catch (error) {
      if (error instanceof AmountError)
        throw new BackendError('BACKEND_ERROR', `Deal ${deal.id} has an amount the graph cannot represent: ${error.message}`, { backend: 'crm' });
      throw error;
    }
  },
};
