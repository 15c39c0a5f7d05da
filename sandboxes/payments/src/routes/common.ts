/**
 * Helpers the resource routes share: finding the objects a request names (404 when it
 * is the URL's object, 400 when a parameter's), test PaymentMethods, searches, and the
 * `previous_attributes` of update events.
 */
import type { HandlerContext } from '../context.js';
import { invalidRequest, noSuch } from '../errors.js';
import { newId } from '../ids.js';
import { searchPage } from '../lists.js';
import type { Params } from '../params.js';
import type { PaymentsState } from '../PaymentsState.js';
import type { BaseRecord, CustomerRecord, PaymentMethodRecord } from '../records.js';
import { candidatesFromIndexes, matchesQuery, parseSearchQuery, type Clause, type FieldKind, type FieldReader } from '../searchQuery.js';
import { fingerprint } from '../seedDocs.js';
import type { StripeObject } from '../serializers.js';
import type { SortEntry, Table } from '../Table.js';
import { TEST_CARDS, type TestCard } from '../testCards.js';

export function customerOrThrow(state: PaymentsState, id: string, param: string, status: 400 | 404): CustomerRecord {
  const customer = state.customers.get(id);
  if (!customer || customer.deleted) throw noSuch('customer', id, param, status);
  return customer;
}

/** A PaymentMethod named by a request: a stored one, or one of Stripe's test ids to be made. */
export type PaymentMethodRef = { kind: 'stored'; record: PaymentMethodRecord } | { kind: 'test'; card: TestCard };

export function paymentMethodRef(state: PaymentsState, id: string, param: string, status: 400 | 404): PaymentMethodRef {
  const record = state.paymentMethods.get(id);
  if (record) return { kind: 'stored', record };
  const card = TEST_CARDS[id];
  if (card) return { kind: 'test', card };
  throw invalidRequest(`No such PaymentMethod: '${id}'`, { code: 'resource_missing', param, status });
}

/** The stored PaymentMethod for a ref, creating it from the test card (a write: call after validating). */
export function materialize(ctx: HandlerContext, ref: PaymentMethodRef, customer: string | null): PaymentMethodRecord {
  if (ref.kind === 'stored') return ref.record;
  const created = ctx.now();
  const expYear = new Date(created * 1000).getUTCFullYear() + 3;
  return ctx.state.paymentMethods.put({
    id: newId('pm'),
    created,
    customer,
    brand: ref.card.brand,
    last4: ref.card.last4,
    expMonth: 12,
    expYear,
    funding: ref.card.funding,
    country: ref.card.country,
    fingerprint: fingerprint(ref.card.brand, ref.card.last4, expYear),
    metadata: {},
    decline: ref.card.decline,
  });
}

/** Top-level fields whose value changed, with their old value: an update event's previous_attributes. */
export function previousAttributes(before: StripeObject, after: StripeObject): Record<string, unknown> | null {
  const previous: Record<string, unknown> = {};
  for (const key of Object.keys(after)) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) previous[key] = before[key] ?? null;
  }
  return Object.keys(previous).length > 0 ? previous : null;
}

export interface SearchSpec<T extends BaseRecord> {
  table: Table<T>;
  resource: string;
  url: string;
  fields: Readonly<Record<string, FieldKind>>;
  read: (record: T) => FieldReader;
  /** Index entries for a clause on an indexed field, or null. */
  index: (clause: Clause) => readonly SortEntry[] | null;
  visible?: (record: T) => boolean;
  serialize: (record: T) => StripeObject;
}

/** GET /v1/<resource>/search: Stripe's search_result over `spec`. */
export function runSearch<T extends BaseRecord>(ctx: HandlerContext, spec: SearchSpec<T>): StripeObject {
  const p: Params = ctx.params(['query', 'limit', 'page', 'expand']);
  const query = parseSearchQuery(p.string('query', { required: true })!, spec.fields, spec.resource);
  const entries = candidatesFromIndexes(query, spec.index) ?? spec.table.all.entries;
  const matches: string[] = [];
  for (const entry of entries) {
    const record = spec.table.get(entry.id)!;
    if (spec.visible && !spec.visible(record)) continue;
    if (matchesQuery(query, spec.read(record), spec.fields)) matches.push(entry.id);
  }
  const page = searchPage(p, matches);
  const result: StripeObject = {
    object: 'search_result',
    data: page.ids.map((id) => spec.serialize(spec.table.get(id)!)),
    has_more: page.hasMore,
    next_page: page.nextPage,
    url: spec.url,
  };
  if (p.expand().includes('total_count')) result.total_count = page.totalCount;
  return ctx.ok(result, p).body;
}
