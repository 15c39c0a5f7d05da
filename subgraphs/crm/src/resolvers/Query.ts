import type { QueryResolvers } from '../__generated__/resolvers-types.js';
import { customerPage } from '../customerList.js';
import { selectsField } from '../../../kit/src/index.js';

export const Query: QueryResolvers = {
  customer: (_parent, { id }, { loaders }) => loaders.companyById.load(id),
  customers: async (_parent, args, { connector, loaders }, info) => {
    const page = await customerPage(connector, args, selectsField(info, 'totalCount'));
    // The list already holds whole records: later lookups of these ids in this request are free.
    for (const company of page.nodes) loaders.companyById.prime(company.id, company);
    return page;
  },
};
