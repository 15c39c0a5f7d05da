import type { QueryResolvers } from '../__generated__/resolvers-types.js';
import { parseOdooId } from '../loaders.js';
import { productPage } from '../productList.js';
import { selectsField } from '../../../kit/src/index.js';
import { ownedBy } from './shared.js';

export const Query: QueryResolvers = {
  // An id that cannot be an Odoo id names nothing: null, without a call.
  product: (_parent, { id }, { loaders }) => {
    const productId = parseOdooId(id);
    return productId === null ? null : loaders.productById.load(productId);
  },
  products: async (_parent, args, { connector, loaders }, info) => {
    const page = await productPage(connector, args, selectsField(info, 'totalCount'));
    // Fresh from Odoo: later lookups of these products in this request are free.
    for (const product of page.nodes) loaders.productById.prime(product.id, product);
    return page;
  },
  // A caller bound to one customer gets FORBIDDEN for another's (ownedBy).
  order: async (_parent, { id }, context) => {
    const orderId = parseOdooId(id);
    return orderId === null ? null : ownedBy(await context.loaders.orderById.load(orderId), context);
  },
  invoice: async (_parent, { id }, context) => {
    const invoiceId = parseOdooId(id);
    return invoiceId === null ? null : ownedBy(await context.loaders.invoiceById.load(invoiceId), context);
  },
};
