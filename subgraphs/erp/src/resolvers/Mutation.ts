/**
 * createSalesOrder: validates the input, checks that the customer and every product
 * exist (all before anything is written), creates and confirms the order in Odoo, then
 * reads it back through the request's loader so the payload carries what Odoo recorded
 * (order number, prices from the pricelist, totals).
 *
 * Odoo's `create` has no idempotency key of its own. With the client's `idempotencyKey`
 * the order carries it in sale.order's `origin` ("Source Document"), `graph360:<key>`,
 * and the key makes the mutation safe to send again:
 * - before creating, the customer's order with that origin is looked up; if there is one,
 *   it is the answer (confirmed first if its confirmation had failed), provided its lines
 *   are the ones asked for (else BAD_USER_INPUT: a key is for one order);
 * - a create whose outcome is unknown (connection reset, timeout, 5xx without an Odoo
 *   fault) is followed by that lookup once more, and by a second create only when no
 *   order carries the key;
 * - requests with the same key run one after the other (kit/keyLock.ts): in this process,
 *   and across replicas when REDIS_URL is set; without Redis, two replicas racing with
 *   one key in the same instant could both create (Odoo has no unique constraint).
 * Without a key the create is sent once, never retried: when it fails with
 * BACKEND_UNAVAILABLE, the order may exist. See the README for what a client should do.
 */
import { BackendError, markChanged, requireCustomer, userError } from '../../../kit/src/index.js';
import type { CreateSalesOrderInput, MutationResolvers } from '../__generated__/resolvers-types.js';
import type { NewOrderLine, OdooErpConnector } from '../connector/OdooErpConnector.js';
import type { OrderLineRecord, OrderRecord } from '../models.js';
import { parseOdooId } from '../loaders.js';

export const MAX_ORDER_LINES = 100;
export const MAX_LINE_QUANTITY = 10_000;

export const IDEMPOTENCY_KEY_LENGTH = { min: 8, max: 255 };
/** The `origin` an idempotency key is stored under: recognisably ours among other documents' references. */
export const originOf = (key: string): string => `graph360:${key}`;

export interface OrderRequest {
  customerId: string;
  lines: NewOrderLine[];
  /** Product ids that cannot name an Odoo record: reported as unknown with the others. */
  invalidProductIds: string[];
  idempotencyKey: string | undefined;
}

/** The input's shape checked, every problem named at once (BAD_USER_INPUT). */
export function orderRequest(input: CreateSalesOrderInput): OrderRequest {
  const problems: string[] = [];
  const customerId = input.customerId.trim();
  if (customerId === '') problems.push('customerId must not be empty');
  if (input.lines.length < 1 || input.lines.length > MAX_ORDER_LINES)
    problems.push(`an order has from 1 to ${MAX_ORDER_LINES} lines, got ${input.lines.length}`);
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
  const key = input.idempotencyKey ?? undefined;
  if (key !== undefined && (key.length < IDEMPOTENCY_KEY_LENGTH.min || key.length > IDEMPOTENCY_KEY_LENGTH.max)) {
    problems.push(`idempotencyKey must be ${IDEMPOTENCY_KEY_LENGTH.min} to ${IDEMPOTENCY_KEY_LENGTH.max} characters, got ${key.length}`);
  }
  if (problems.length > 0) throw userError('BAD_USER_INPUT', `Invalid createSalesOrder input: ${problems.join('; ')}`);
  return { customerId, lines, invalidProductIds, idempotencyKey: key };
}

/** A create that failed without saying whether Odoo made the order: no Odoo fault (which rolls back), no order id. */
function outcomeUnknown(error: unknown): boolean {
  return (
    error instanceof BackendError &&
    (error.code === 'BACKEND_UNAVAILABLE' || error.code === 'BACKEND_ERROR') &&
    error.details.odooFault === undefined &&
    error.details.orderId === undefined
  );
}

/** The lines as a comparable multiset: product and quantity, in a fixed order. */
function lineSignature(lines: ReadonlyArray<{ productId: number; quantity: number }>): string {
  return lines
    .map((line) => `${line.productId}x${line.quantity}`)
    .sort()
    .join(',');
}

/**
 * The order an idempotency key already made, made whole: confirmed if it is still a
 * quotation (its confirmation failed before), refused if it holds other lines.
 */
async function replay(
  connector: OdooErpConnector,
  existing: OrderRecord,
  lines: readonly NewOrderLine[],
  orderLines: (id: number) => Promise<OrderLineRecord[]>,
): Promise<number> {
  const recorded = await orderLines(existing.id);
  if (lineSignature(recorded) !== lineSignature(lines)) {
    throw userError('BAD_USER_INPUT', `This idempotencyKey was already used for order ${existing.name}, which has other lines; use a new key for a new order`, {
      argumentName: 'idempotencyKey',
      orderId: String(existing.id),
    });
  }
  if (existing.state === 'draft' || existing.state === 'sent') await connector.confirmOrder(existing.id);
  return existing.id;
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
    const unknown = [
      ...request.invalidProductIds,
      ...new Set(request.lines.filter((line) => !known.has(line.productId)).map((line) => String(line.productId))),
    ];
    if (unknown.length > 0) throw userError('NOT_FOUND', `No product has the id ${unknown.map((id) => `"${id}"`).join(', ')}`, { productIds: unknown });
    const partner = partners[0];
    if (!partner) throw userError('NOT_FOUND', `The ERP knows no customer with the id "${request.customerId.slice(0, 40)}"`);

    // The gateway evicts its cached copies of the customer's orders before answering the client,
    // also when the order was created but not confirmed (the error names it).
    const changed = (orderId: string) =>
      markChanged(context, [
        { __typename: 'Customer', id: request.customerId },
        { __typename: 'Order', id: orderId },
      ]);
    const noteCreatedQuotation = (error: unknown): never => {
      if (error instanceof BackendError && typeof error.details.orderId === 'string') changed(error.details.orderId);
      throw error;
    };
    const key = request.idempotencyKey;
    const orderId =
      key === undefined
        ? await connector.createSalesOrder(partner.id, request.lines).catch(noteCreatedQuotation)
        : await context.orderLock.run(`${partner.id}:${key}`, async () => {
            const origin = originOf(key);
            const orderLines = (id: number) => loaders.linesByOrderId.clear(id).load(id);
            const existing = await connector.orderByOrigin(partner.id, origin);
            if (existing) return replay(connector, existing, request.lines, orderLines).catch(noteCreatedQuotation);
            try {
              return await connector.createSalesOrder(partner.id, request.lines, origin);
            } catch (error) {
              if (!outcomeUnknown(error)) return noteCreatedQuotation(error);
              // Made or not? The key says: look it up; create again only if no order has it.
              logger.warn(
                { customerId: request.customerId, code: (error as BackendError).code },
                'sales order create outcome unknown; looking it up by its idempotency key',
              );
              const made = await connector.orderByOrigin(partner.id, origin).catch(() => {
                throw error;
              });
              if (made) return replay(connector, made, request.lines, orderLines).catch(noteCreatedQuotation);
              return connector.createSalesOrder(partner.id, request.lines, origin).catch(noteCreatedQuotation);
            }
          });
    changed(String(orderId));
    logger.info({ orderId, customerId: request.customerId, lines: request.lines.length }, 'sales order created');
    const order = await loaders.orderById.clear(orderId).load(orderId);
    if (!order)
      throw new BackendError('BACKEND_ERROR', `Sales order ${orderId} was created but the ERP does not return it`, {
        backend: 'erp',
        details: { orderId: String(orderId) },
      });
    return { order };
  },
};
