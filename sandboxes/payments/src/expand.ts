/**
 * `expand[]=latest_charge`, `expand[]=data.customer`, `expand[]=latest_charge.payment_intent`:
 * Stripe replaces an id in the response by the object it names. The sandbox does it for
 * the ids it stores (customers, payment methods, payment intents, charges, refunds).
 *
 * Paths are checked before a request runs (readExpand), so that expanding the answer
 * afterwards cannot fail once the request has written something.
 */
import { invalidRequest } from './errors.js';
import { formList, type FormObject } from './form.js';
import type { PaymentsState } from './PaymentsState.js';
import { serializeCharge, serializeCustomer, serializePaymentIntent, serializePaymentMethod, serializeRefund, type StripeObject } from './serializers.js';

const EXPANDABLE = new Set(['customer', 'payment_method', 'latest_charge', 'charge', 'payment_intent', 'default_payment_method']);

/** The request's `expand` paths, refused when one cannot be expanded. */
export function readExpand(raw: FormObject): string[] {
  const list = formList(raw.expand) ?? [];
  return list.map((path) => {
    if (typeof path !== 'string') throw invalidRequest('Invalid array: expand must be a list of strings.', { param: 'expand' });
    const segments = path.split('.');
    if (segments.length > 4) throw invalidRequest(`You cannot expand more than 4 levels of a property. Property: ${path}`, { param: 'expand' });
    const last = segments[segments.length - 1]!;
    if (!EXPANDABLE.has(last) && path !== 'total_count') {
      throw invalidRequest(`This property cannot be expanded (${last}).`, { param: 'expand' });
    }
    return path;
  });
}

function load(state: PaymentsState, id: string): StripeObject | undefined {
  switch (id.slice(0, id.indexOf('_'))) {
    case 'cus': {
      const record = state.customers.get(id);
      return record && serializeCustomer(record);
    }
    case 'pm': {
      const record = state.paymentMethods.get(id);
      return record && serializePaymentMethod(record);
    }
    case 'pi': {
      const record = state.paymentIntents.get(id);
      return record && serializePaymentIntent(state, record);
    }
    case 'ch': {
      const record = state.charges.get(id);
      return record && serializeCharge(state, record);
    }
    case 're': {
      const record = state.refunds.get(id);
      return record && serializeRefund(state, record);
    }
    default:
      return undefined;
  }
}

function walk(state: PaymentsState, node: StripeObject, path: readonly string[]): void {
  const [field, ...rest] = path as [string, ...string[]];
  if ((node.object === 'list' || node.object === 'search_result') && field === 'data') {
    for (const item of node.data as StripeObject[]) walk(state, item, rest);
    return;
  }
  let value = node[field];
  if (typeof value === 'string' && EXPANDABLE.has(field)) {
    const loaded = load(state, value);
    if (loaded) {
      node[field] = loaded;
      value = loaded;
    }
  }
  if (rest.length > 0 && value !== null && typeof value === 'object') walk(state, value as StripeObject, rest);
}

/** Expands `paths` (from readExpand) in `object`, changed in place and returned. */
export function expandObject(state: PaymentsState, object: StripeObject, paths: readonly string[]): StripeObject {
  for (const path of paths) {
    if (path !== 'total_count') walk(state, object, path.split('.'));
  }
  return object;
}
