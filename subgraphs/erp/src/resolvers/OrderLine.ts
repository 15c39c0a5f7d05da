/**
 * OrderLine: a sale.order.line with a product. Odoo's quantities are floats (units of
 * measure may be fractional); the graph's is an Int, so a fractional one is a field error
 * rather than a silently rounded number.
 */
import { BackendError } from '../../../kit/src/index.js';
import type { OrderLineResolvers } from '../__generated__/resolvers-types.js';
import { money } from '../money.js';
import { currencyOf } from './shared.js';

export const OrderLine: OrderLineResolvers = {
  id: (line) => String(line.id),
  product: async (line, _args, { loaders }) => {
    const product = await loaders.productById.load(line.productId);
    if (product) return product;
    throw new BackendError('BACKEND_ERROR', `Order line ${line.id} names product ${line.productId}, which the ERP no longer has`, { backend: 'erp' });
  },
  quantity: (line) => {
    if (Number.isInteger(line.quantity) && Math.abs(line.quantity) <= 2 ** 31 - 1) return line.quantity;
    throw new BackendError('BACKEND_ERROR', `Order line ${line.id} has a quantity of ${line.quantity}, which is not a whole number of units`, {
      backend: 'erp',
    });
  },
  unitPrice: (line) => money(line.priceUnit, currencyOf(line.currency, `Order line ${line.id}`), `The unit price of order line ${line.id}`),
  subtotal: (line) => money(line.priceSubtotal, currencyOf(line.currency, `Order line ${line.id}`), `The subtotal of order line ${line.id}`),
};
