/**
 * The Odoo 17 models the sandbox serves, with the subset of their fields that the seed
 * world fills, named and typed as in Odoo (fields_get answers from these).
 *
 * Computed fields are computed on read from the records they depend on, so an order's
 * amounts always agree with its lines, and a partner's orders with the orders.
 */
import { USD_ID, productCategory, productProduct, resCountry, resCurrency, resPartner } from './baseModels.js';
import type { ModelDef } from './Registry.js';
import { paymentTransaction } from './paymentModels.js';
import { accountMove, saleOrder, saleOrderLine } from './salesModels.js';

export { USD_ID };

export const MODELS: readonly ModelDef[] = [
  resCountry,
  resCurrency,
  productCategory,
  resPartner,
  productProduct,
  saleOrder,
  saleOrderLine,
  accountMove,
  paymentTransaction,
];
