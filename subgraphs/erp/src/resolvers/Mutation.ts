/**
 * createSalesOrder: validates the input, checks that the customer and every product
 * exist (all before anything is written), creates and confirms the order in Odoo, then
 * reads it back through the request's loader so the payload carries what Odoo recorded
 * (order number, prices from the pricelist, totals).
 *
 * The create is not retried (Odoo has no idempotency key): when it fails with
 * BACKEND_UNAVAILABLE, the order may exist. See the README for what a client should do.
 */
import { BackendError, markChanged, requireCustomer, userError } from '../../../kit/src/index.js';
import type { CreateSalesOrderInput, MutationResolvers } from '../__generated__/resolvers-types.js';
import type { NewOrderLine } from '../connector/OdooErpConnector.js';
import { parseOdooId } from '../loaders.js';

export const MAX_ORDER_LINES = 100;
export const MAX_LINE_QUANTITY = 10_000;

export interface OrderRequest {
  customerId: string;
  lines: NewOrderLine[];
  /** Product ids that cannot name an Odoo record: reported as unknown with the others. */
  invalidProductIds: string[];
}

/** The input's shape checked, every problem named at once (BAD_USER_INPUT). */
export function orderRequest(input: CreateSalesOrderInput): OrderRequest {
  const problems: string[] = [];
  const customerId = input.customerId.trim();
  if (customerId === '') problems.push('customerId must not be empty');
  if (input.lines.length < 1 || input.lines.length > MAX_ORDER_LINES) problems.push(`an order has from 1 to ${MAX_ORDER_LINES} lines, got ${input.lines.length}`);
  const lines: NewOrderLine[] = [];
  const invalidProductIds: string[] = [];
  input.lines.forEach((line, i) => {
    if (!Number.isInteger(line.quantity) || line.quantity < 1 || line.quantity > MAX_LINE_QUANTITY) {
      problems.push(`lines[${i}].quantity must be from 1 to ${MAX_LINE_QUANTITY}, got ${line.quantity}`);
    }
    const productId = parseOdooId(line.productId);
    if (productId === null) invalidProductIds.push(line.productId.slice(0, 40));
    else lines.push({ productId, quantity: line.quantity });
  });
  if (problems.length > 0) throw userError('BAD_USER_INPUT', `Invalid createSalesOrder input: ${problems.join('; ')}`);
  return { customerId, lines, invalidProductIds };
}

export const Mutation: MutationResolvers = {
  createSalesOrder: async (_parent, { input }, context) => {
    const { connector, loaders, logger } = context;
    const request = orderRequest(input);
    requireCustomer(context, request.customerId);
    const [partners, products] = await Promise.all([
      loaders.partnersByRef.load(request.customerId),
      loaders.productById.loadMany([...new Set(request.lines.map((line) => line.productId))]),
    ]);
    const failed = products.find((product): product is Error => product instanceof Error);
    if (failed) throw failed;
    const known = new Set(products.flatMap((product) => (product && !(product instanceof Error) ? [product.id] : [])));
    const unknown = [...request.invalidProductIds, ...new Set(request.lines.filter((line) => !known.has(line.productId)).map((line) => String(line.productId)))];
    if (unknown.length > 0) throw userError('NOT_FOUND', `No product has the id ${unknown.map((id) => `"${id}"`).join(', ')}`, { productIds: unknown });
    const partner = partners[0];
    if (!partner) throw userError('NOT_FOUND', `The ERP knows no customer with the id "${request.customerId.slice(0, 40)}"`);

    // The gateway evicts its cached copies of the customer's orders before answering the client,
    // also when the order was created but not confirmed (the error names it).
    const changed = (orderId: string) => markChanged(context, [{ __typename: 'Customer', id: request.customerId }, { __typename: 'Order', id: orderId }]);
    const orderId = await connector.createSalesOrder(partner.id, request.lines).catch((error: unknown) => {
      if (error instanceof BackendError && typeof error.details.orderId === 'string') changed(error.details.orderId);
      throw error;
    });
    changed(String(orderId));
    logger.info({ orderId, customerId: request.customerId, lines: request.lines.length }, 'sales order created');
    const order = await loaders.orderById.clear(orderId).load(orderId);
    if (!order) throw new BackendError('BACKEND_ERROR', `Sales order ${orderId} was created but the ERP does not return it`, { backend: 'erp', details: { orderId: String(orderId) } });
    return { order };
  },
};
