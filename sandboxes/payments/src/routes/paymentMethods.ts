/**
 * /v1/payment_methods: retrieve, list (by customer), attach and detach. Cards only; the
 * test ids (pm_card_visa...) may be attached, which makes a new PaymentMethod as in Stripe.
 */
import type { HandlerContext, RouteDef } from '../context.js';
import { invalidRequest } from '../errors.js';
import { LIST_PARAMS, listObject, listPage } from '../lists.js';
import { serializePaymentMethod } from '../serializers.js';
import { customerOrThrow, materialize, paymentMethodRef } from './common.js';

function retrieve(ctx: HandlerContext, id: string) {
  const p = ctx.params(['expand']);
  const pm = ctx.state.paymentMethods.get(id);
  if (!pm) throw invalidRequest(`No such PaymentMethod: '${id}'`, { code: 'resource_missing', param: 'payment_method', status: 404 });
  return ctx.ok(serializePaymentMethod(pm), p);
}

function list(ctx: HandlerContext) {
  const p = ctx.params([...LIST_PARAMS, 'customer', 'type']);
  const customer = p.string('customer');
  p.oneOf('type', ['card']);
  const table = ctx.state.paymentMethods;
  let entries = table.all.entries;
  if (customer !== undefined) {
    customerOrThrow(ctx.state, customer, 'customer', 400);
    entries = table.lookup('customer', customer);
  }
  const page = listPage(p, entries, (id) => table.entry(id), 'payment_method');
  return ctx.ok(
    listObject(
      '/v1/payment_methods',
      page.ids.map((id) => serializePaymentMethod(table.get(id)!)),
      page.hasMore,
    ),
    p,
  );
}

function attach(ctx: HandlerContext, id: string) {
  const p = ctx.params(['customer', 'expand']);
  const ref = paymentMethodRef(ctx.state, id, 'payment_method', 404);
  const customer = p.string('customer', { required: true })!;
  customerOrThrow(ctx.state, customer, 'customer', 400);
  if (ref.kind === 'stored' && ref.record.customer !== null && ref.record.customer !== customer) {
    throw invalidRequest('The payment method you provided has already been attached to a customer.', { param: 'payment_method' });
  }
  const pm = materialize(ctx, ref, customer);
  const attached = ctx.state.paymentMethods.put({ ...pm, customer });
  const object = serializePaymentMethod(attached);
  if (pm.customer !== customer || ref.kind === 'test') ctx.emit('payment_method.attached', object);
  return ctx.ok(object, p);
}

function detach(ctx: HandlerContext, id: string) {
  const p = ctx.params(['expand']);
  const pm = ctx.state.paymentMethods.get(id);
  if (!pm) throw invalidRequest(`No such PaymentMethod: '${id}'`, { code: 'resource_missing', param: 'payment_method', status: 404 });
  if (pm.customer === null) {
    throw invalidRequest('The payment method you provided is not attached to a customer so detachment is impossible.', { param: 'payment_method' });
  }
  const detached = ctx.state.paymentMethods.put({ ...pm, customer: null });
  const customer = ctx.state.customers.get(pm.customer);
  if (customer && customer.defaultPaymentMethod === id) ctx.state.customers.put({ ...customer, defaultPaymentMethod: null });
  const object = serializePaymentMethod(detached);
  ctx.emit('payment_method.detached', object, { customer: pm.customer });
  return ctx.ok(object, p);
}

export const paymentMethodRoutes: RouteDef[] = [
  { method: 'GET', pattern: '/v1/payment_methods', operation: 'payment_methods.list', handler: list },
  { method: 'GET', pattern: '/v1/payment_methods/:id', operation: 'payment_methods.retrieve', handler: retrieve },
  { method: 'POST', pattern: '/v1/payment_methods/:id/attach', operation: 'payment_methods.attach', handler: attach },
  { method: 'POST', pattern: '/v1/payment_methods/:id/detach', operation: 'payment_methods.detach', handler: detach },
];
