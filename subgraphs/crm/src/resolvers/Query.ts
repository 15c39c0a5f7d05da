import type { QueryResolvers } from '../__generated__/resolvers-types.js';
import { customerPage } from '../customerList.js';
import { requireCustomer, selectsField } from '../../../kit/src/index.js';
import { encodeCursor } from '../pagination.js';

export const Query: QueryResolvers = {
  customer: (_parent, { id }, context) => {
    requireCustomer(context, id);
    return context.loaders.companyById.load(id);
  },
  customers: async (_parent, args, context, info) => {
    const { connector, loaders, auth } = context;
    // A caller bound to one customer lists that customer only (one page, whatever the filter).
    const bound = auth.customerId;
    if (bound !== undefined) {
      const company = args.after ? null : await loaders.companyById.load(bound);
      const nodes = company ? [company] : [];
      return {
        edges: nodes.map((node) => ({ node, cursor: encodeCursor({ k: 'l', a: null, s: 1 }) })),
        nodes,
        pageInfo: { hasNextPage: false, endCursor: nodes.length > 0 ? encodeCursor({ k: 'l', a: null, s: 1 }) : null },
        totalCount: nodes.length,
      };
    }
    const page = await customerPage(connector, args, selectsField(info, 'totalCount'));
    // The list already holds whole records: later lookups of these ids in this request are free.
    for (const company of page.nodes) loaders.companyById.prime(company.id, company);
    return page;
  },
};
