/**
 * Product: a product.product, read through the shared catalog cache (its stock may be up
 * to CATALOG_CACHE_TTL_MS old). List prices are in the company currency.
 */
import type { ProductResolvers } from '../__generated__/resolvers-types.js';
import { parseOdooId } from '../loaders.js';
import { money } from '../money.js';

export const Product: ProductResolvers = {
  __resolveReference: (reference, { loaders }) => {
    const id = parseOdooId(reference.id);
    return id === null ? null : loaders.productById.load(id);
  },
  id: (product) => String(product.id),
  // Odoo allows a product without an internal reference; an empty SKU says so without inventing one.
  sku: (product) => product.sku ?? '',
  price: (product, _args, { companyCurrency }) => money(product.listPrice, companyCurrency, `The price of product ${product.id}`),
  // Whole units on hand: a fractional quantity (units of measure) is rounded down.
  stockOnHand: (product) => Math.floor(product.qtyAvailable),
  // The same test as Query.products(inStockOnly: true) sends to Odoo.
  inStock: (product) => product.qtyAvailable > 0,
};
