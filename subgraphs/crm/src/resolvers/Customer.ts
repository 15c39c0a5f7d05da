/**
 * Customer: a HubSpot company. The gateway reaches it by id (`_entities`), and every
 * list under it loads through a loader keyed by the company id, so the contacts and deals
 * of all the customers in one request come from one batched lookup each.
 */
import { BackendError, requireCustomer } from '../../../kit/src/index.js';
import type { CustomerResolvers } from '../__generated__/resolvers-types.js';
import { isCurrencyCode, type CurrencyCode, type CustomerModel } from '../models.js';
import { offsetPage, pageOf } from '../pagination.js';
import { lifecycleStageOf } from '../stages.js';

/** The customer's currency, or a field error when the CRM holds one the graph has no enum value for. */
export function customerCurrency(customer: CustomerModel): CurrencyCode {
  if (isCurrencyCode(customer.currency)) return customer.currency;
  throw new BackendError('BACKEND_ERROR', `Customer ${customer.id} is billed in ${customer.currency}, which this graph does not support`, { backend: 'crm' });
}

export const Customer: CustomerResolvers = {
  // A representation comes from another subgraph's JSON: the id may arrive as a number.
  __resolveReference: (reference, context) => {
    requireCustomer(context, String(reference.id));
    return context.loaders.companyById.load(String(reference.id));
  },
  // A company without a name is possible in HubSpot; the schema promises a string.
  name: (customer) => customer.name ?? customer.domain ?? `Company ${customer.id}`,
  lifecycleStage: (customer) => lifecycleStageOf(customer.lifecycleStage),
  currency: (customer) => customerCurrency(customer),
  contacts: async (customer, { first, after }, { loaders }) => {
    const page = offsetPage(first, after);
    return pageOf(await loaders.contactsByCompanyId.load(customer.id), page);
  },
  deals: async (customer, { first, after }, { loaders }) => {
    const page = offsetPage(first, after);
    const deals = await loaders.dealsByCompanyId.load(customer.id);
    return pageOf(
      deals.map((deal) => ({ ...deal, customerCurrency: customer.currency })),
      page,
    );
  },
};
