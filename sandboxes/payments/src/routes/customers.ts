/**
 * /v1/customers: create, retrieve, update, delete, list, search, and a customer's
 * PaymentMethods. Customers carry the CRM company id in metadata.crm_company_id, which
 * search finds through an index.
 */
import type { HandlerContext, RouteDef } from '../context.js';
import { invalidRequest } from '../errors.js';
import { derivedId, newId } from '../ids.js';
import { createdFilter, LIST_PARAMS, listObject, listPage } from '../lists.js';
import { applyMetadata, type Params } from '../params.js';
import type { CustomerRecord } from '../records.js';
import { serializeCustomer, serializePaymentMethod } from '../serializers.js';
import { customerOrThrow, materialize, paymentMethodRef, previousAttributes, runSearch, type PaymentMethodRef } from './common.js';

const WRITABLE = ['name', 'email', 'phone', 'description', 'metadata', 'payment_method', 'invoice_settings', 'expand'] as const;

interface CustomerChanges {
  fields: Partial<Pick<CustomerRecord, 'name' | 'email' | 'phone' | 'description'>>;
  paymentMethod: PaymentMethodRef | null;
  defaultPaymentMethod: string | null | undefined;
}

/** Reads and checks a create/update body; writes nothing. */
function readChanges(ctx: HandlerContext, p: Params, customerId: string | null): CustomerChanges {
  const fields: CustomerChanges['fields'] = {};
  for (const name of ['name', 'email', 'phone', 'description'] as const) {
    const value = p.nullableString(name);
    if (value !== undefined) fields[name] = value;
  }
  if (fields.email && !/^[^@\s]+@[^@\s]+$/.test(fields.email)) {
    throw invalidRequest(`Invalid email address: ${fields.email}`, { code: 'email_invalid', param: 'email' });
  }
  const pmId = p.string('payment_method');
  const paymentMethod = pmId ? paymentMethodRef(ctx.state, pmId, 'payment_method', 400) : null;
  if (paymentMethod?.kind === 'stored' && paymentMethod.record.customer && paymentMethod.record.customer !== customerId) {
    throw invalidRequest('The payment method you provided has already been attached to a customer.', { param: 'payment_method' });
  }
  const settings = p.hash('invoice_settings', ['default_payment_method']);
  const defaultPaymentMethod = settings?.nullableString('default_payment_method');
  if (defaultPaymentMethod) {
    const pm = ctx.state.paymentMethods.get(defaultPaymentMethod);
    if (!pm || pm.customer !== customerId || customerId === null) {
      throw invalidRequest(`No such PaymentMethod: '${defaultPaymentMethod}'; the default payment method must be attached to the customer.`, {
        code: 'resource_missing',
        param: 'invoice_settings[default_payment_method]',
      });
    }
  }
  return { fields, paymentMethod, defaultPaymentMethod };
}

function create(ctx: HandlerContext) {
  const p = ctx.params(WRITABLE);
  const changes = readChanges(ctx, p, null);
  const metadata = applyMetadata({}, p.metadata());
  const id = newId('cus', 14);
  const customer: CustomerRecord = {
    id,
    created: ctx.now(),
    name: null,
    email: null,
    phone: null,
    description: null,
    ...changes.fields,
    metadata,
    invoicePrefix: derivedId('x', id, 8).slice(2).toUpperCase(),
    defaultPaymentMethod: null,
    deleted: false,
  };
  ctx.state.customers.put(customer);
  if (changes.paymentMethod) {
    const pm = materialize(ctx, changes.paymentMethod, id);
    ctx.state.paymentMethods.put({ ...pm, customer: id });
    ctx.emit('payment_method.attached', serializePaymentMethod(ctx.state.paymentMethods.get(pm.id)!));
  }
  const object = serializeCustomer(customer);
  ctx.emit('customer.created', object);
  return ctx.ok(object, p);
}

function retrieve(ctx: HandlerContext, id: string) {
  const p = ctx.params(['expand']);
  const customer = ctx.state.customers.get(id);
  if (!customer) throw invalidRequest(`No such customer: '${id}'`, { code: 'resource_missing', param: 'id', status: 404 });
  return ctx.ok(serializeCustomer(customer), p);
}

function update(ctx: HandlerContext, id: string) {
  const p = ctx.params(WRITABLE);
  const before = customerOrThrow(ctx.state, id, 'id', 404);
  const changes = readChanges(ctx, p, id);
  const metadata = applyMetadata(before.metadata, p.metadata());
  if (changes.paymentMethod) {
    const pm = materialize(ctx, changes.paymentMethod, id);
    if (pm.customer !== id) {
      ctx.state.paymentMethods.put({ ...pm, customer: id });
      ctx.emit('payment_method.attached', serializePaymentMethod(ctx.state.paymentMethods.get(pm.id)!));
    }
  }
  const after: CustomerRecord = {
    ...before,
    ...changes.fields,
    metadata,
    defaultPaymentMethod: changes.defaultPaymentMethod === undefined ? before.defaultPaymentMethod : changes.defaultPaymentMethod,
  };
  ctx.state.customers.put(after);
  const object = serializeCustomer(after);
  const previous = previousAttributes(serializeCustomer(before), object);
  if (previous) ctx.emit('customer.updated', object, previous);
  return ctx.ok(object, p);
}

function remove(ctx: HandlerContext, id: string) {
  ctx.params([]);
  const customer = customerOrThrow(ctx.state, id, 'id', 404);
  const object = serializeCustomer(customer);
  ctx.state.customers.put({ ...customer, deleted: true });
  ctx.emit('customer.deleted', object);
  return { status: 200, body: { id, object: 'customer', deleted: true } };
}

function list(ctx: HandlerContext) {
  const p = ctx.params([...LIST_PARAMS, 'email', 'created']);
  const email = p.string('email');
  const created = createdFilter(p);
  const table = ctx.state.customers;
  const page = listPage(
    p,
    table.all.entries,
    (id) => table.entry(id),
    'customer',
    (id) => {
      const c = table.get(id)!;
      return !c.deleted && (email === undefined || c.email === email) && (created === null || created(c.created));
    },
  );
  return ctx.ok(
    listObject(
      '/v1/customers',
      page.ids.map((id) => serializeCustomer(table.get(id)!)),
      page.hasMore,
    ),
    p,
  );
}

function search(ctx: HandlerContext) {
  const table = ctx.state.customers;
  const body = runSearch(ctx, {
    table,
    resource: 'customers',
    url: '/v1/customers/search',
    fields: { created: 'numeric', email: 'string', name: 'string', phone: 'string' },
    read: (c) => (field, key) => (key !== null ? c.metadata[key] : (c[field as 'created' | 'email' | 'name' | 'phone'] ?? null)),
    index: (clause) => (clause.metadataKey === 'crm_company_id' ? table.lookup('crm_company_id', clause.value!) : null),
    visible: (c) => !c.deleted,
    serialize: serializeCustomer,
  });
  return { status: 200, body };
}

function listPaymentMethods(ctx: HandlerContext, id: string) {
  const p = ctx.params([...LIST_PARAMS, 'type', 'allow_redisplay']);
  customerOrThrow(ctx.state, id, 'customer', 404);
  p.oneOf('type', ['card']);
  const table = ctx.state.paymentMethods;
  const page = listPage(p, table.lookup('customer', id), (pmId) => table.entry(pmId), 'payment_method');
  const url = `/v1/customers/${id}/payment_methods`;
  return ctx.ok(
    listObject(
      url,
      page.ids.map((pmId) => serializePaymentMethod(table.get(pmId)!)),
      page.hasMore,
    ),
    p,
  );
}

function retrievePaymentMethod(ctx: HandlerContext, customerId: string, pmId: string) {
  const p = ctx.params(['expand']);
  customerOrThrow(ctx.state, customerId, 'customer', 404);
  const pm = ctx.state.paymentMethods.get(pmId);
  if (!pm || pm.customer !== customerId) {
    throw invalidRequest(`No such PaymentMethod: '${pmId}'`, { code: 'resource_missing', param: 'payment_method', status: 404 });
  }
  return ctx.ok(serializePaymentMethod(pm), p);
}

export const customerRoutes: RouteDef[] = [
  { method: 'GET', pattern: '/v1/customers/search', operation: 'customers.search', handler: search },
  { method: 'GET', pattern: '/v1/customers', operation: 'customers.list', handler: list },
  { method: 'POST', pattern: '/v1/customers', operation: 'customers.create', handler: create },
  { method: 'GET', pattern: '/v1/customers/:id', operation: 'customers.retrieve', handler: retrieve },
  { method: 'POST', pattern: '/v1/customers/:id', operation: 'customers.update', handler: update },
  { method: 'DELETE', pattern: '/v1/customers/:id', operation: 'customers.delete', handler: remove },
  { method: 'GET', pattern: '/v1/customers/:id/payment_methods', operation: 'customers.list_payment_methods', handler: listPaymentMethods },
  {
    method: 'GET',
    pattern: '/v1/customers/:id/payment_methods/:pm',
    operation: 'customers.retrieve_payment_method',
    handler: retrievePaymentMethod,
  },
];
