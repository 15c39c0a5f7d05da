/**
 * One DataLoader per kind of lookup, made fresh for each request (context.ts). Lookups
 * Stripe can search batch as OR clauses, ten per query, Stripe's limit: N keys cost
 * ceil(N / 10) searches (plus one per further 100 hits). Lookups Stripe only lists one
 * parent at a time (a customer's cards, a payment's refunds, a payment by id) cost one
 * call per key; they are deduplicated per request and only made when a field asks.
 */
import DataLoader from 'dataloader';
import { tracedBatch } from '../../kit/src/index.js';
import { MAX_SEARCH_CLAUSES, type StripePaymentsConnector } from './connector/StripePaymentsConnector.js';
import type { PaymentMethodModel, PaymentModel, RefundModel, StripeCustomerModel } from './models.js';
import type { ReadModelStore } from './readModel/ReadModelStore.js';

export interface PaymentsLoaders {
  /** CRM company id → its Stripe customer (with default card), or null. */
  stripeCustomerByCompanyId: DataLoader<string, StripeCustomerModel | null>;
  /** ERP invoice id → its payment intents, newest first. */
  paymentsByInvoiceId: DataLoader<string, PaymentModel[]>;
  /** CRM company id → its Stripe customer's payment intents, newest first. */
  paymentsByCompanyId: DataLoader<string, PaymentModel[]>;
  /** pi_… → the payment, or null. */
  paymentById: DataLoader<string, PaymentModel | null>;
  /** Stripe customer id → its saved cards. */
  paymentMethodsByStripeCustomerId: DataLoader<string, PaymentMethodModel[]>;
  /** pi_… → its refunds, oldest first. */
  refundsByPaymentId: DataLoader<string, RefundModel[]>;
}

/** Groups `items` by `keyOf`, in the order of `keys`; a key without items gets []. */
function groupBy<T>(keys: readonly string[], items: readonly T[], keyOf: (item: T) => string | null): T[][] {
  const groups = new Map<string, T[]>(keys.map((key) => [key, []]));
  for (const item of items) {
    const key = keyOf(item);
    if (key !== null) groups.get(key)?.push(item);
  }
  return keys.map((key) => groups.get(key)!);
}

/**
 * Calls Stripe lets us make in parallel for per-key lookups. Its test mode allows 25
 * requests a second: fifty cards lists at once would buy 429s, not speed.
 */
export const PER_KEY_CONCURRENCY = 8;

/** One call per key, at most PER_KEY_CONCURRENCY at a time: a value or the Error of that key, in key order. */
async function eachKey<V>(keys: readonly string[], load: (key: string) => Promise<V>): Promise<Array<V | Error>> {
  const results = new Array<V | Error>(keys.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < keys.length) {
      const i = next++;
      try {
        results[i] = await load(keys[i]!);
      } catch (error) {
        results[i] = error instanceof Error ? error : new Error(String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PER_KEY_CONCURRENCY, keys.length) }, worker));
  return results;
}

/**
 * The loaders of one request: from the read model when one is served (no backend call,
 * but for payments by an id the model does not hold yet, and the first look at a
 * customer's saved cards), else through Stripe's search.
 */
export function createPaymentsLoaders(connector: StripePaymentsConnector, readModel: ReadModelStore | null = null): PaymentsLoaders {
  return readModel ? readModelLoaders(connector, readModel) : searchLoaders(connector);
}

function readModelLoaders(connector: StripePaymentsConnector, store: ReadModelStore): PaymentsLoaders {
  const answer =
    <V>(lookup: (key: string) => V) =>
    async (keys: readonly string[]): Promise<V[]> =>
      keys.map(lookup);
  return {
    stripeCustomerByCompanyId: new DataLoader(
      tracedBatch(
        'stripeCustomerByCompanyId',
        answer((id) => store.customerOfCompany(id)),
      ),
    ),
    paymentsByInvoiceId: new DataLoader(
      tracedBatch(
        'paymentsByInvoiceId',
        answer((id) => store.paymentsOfInvoice(id)),
      ),
    ),
    paymentsByCompanyId: new DataLoader(
      tracedBatch(
        'paymentsByCompanyId',
        answer((id) => store.paymentsOfCompany(id)),
      ),
    ),
    // A payment made a moment ago may not have reached the model yet: an id it lacks is asked of Stripe.
    paymentById: new DataLoader(
      tracedBatch('paymentById', (ids) => eachKey(ids, async (id) => store.payment(id) ?? (await connector.retrievePayment(id)))),
      { maxBatchSize: 100 },
    ),
    refundsByPaymentId: new DataLoader(
      tracedBatch(
        'refundsByPaymentId',
        answer((id) => store.refundsOf(id)),
      ),
    ),
    // Stripe lists cards one customer at a time (no list across customers): the first ask lists them, card events drop them.
    paymentMethodsByStripeCustomerId: new DataLoader(
      tracedBatch('paymentMethodsByStripeCustomerId', (customerIds) =>
        eachKey(customerIds, async (id) => {
          const known = store.cardsOf(id);
          if (known) return known;
          const generation = store.cardGeneration(id);
          const cards = await connector.listPaymentMethods(id);
          store.putCards(id, cards, generation);
          return cards;
        }),
      ),
      { maxBatchSize: 100 },
    ),
  };
}

function searchLoaders(connector: StripePaymentsConnector): PaymentsLoaders {
  const searchBatch = { maxBatchSize: MAX_SEARCH_CLAUSES };

  const paymentById: PaymentsLoaders['paymentById'] = new DataLoader(
    tracedBatch('paymentById', (ids) => eachKey(ids, (id) => connector.retrievePayment(id))),
    { maxBatchSize: 100 },
  );
  // Payments found by a search are the same objects a later reference would fetch one by one.
  const primed = (payments: PaymentModel[]): PaymentModel[] => {
    for (const payment of payments) paymentById.prime(payment.id, payment);
    return payments;
  };

  const stripeCustomerByCompanyId: PaymentsLoaders['stripeCustomerByCompanyId'] = new DataLoader(
    tracedBatch('stripeCustomerByCompanyId', async (companyIds) => {
      const customers = await connector.findCustomersByCompanyIds(companyIds);
      // A company with several Stripe customers (a duplicate made by hand) maps to the oldest.
      const oldestFirst = [...customers].sort((a, b) => a.created - b.created || (a.id < b.id ? -1 : 1));
      return groupBy(companyIds, oldestFirst, (c) => c.companyId).map((group) => group[0] ?? null);
    }),
    searchBatch,
  );

  return {
    stripeCustomerByCompanyId,

    paymentsByInvoiceId: new DataLoader(
      tracedBatch('paymentsByInvoiceId', async (invoiceIds) => {
        const payments = primed(await connector.searchPaymentsByInvoiceIds(invoiceIds));
        return groupBy(invoiceIds, payments, (p) => p.invoiceId);
      }),
      searchBatch,
    ),

    // Keyed by company, not by Stripe customer: every Customer.payments field loads here in the same
    // tick, so batches are always full tens. Waiting for the customer search first would let its
    // answers, arriving at different times, split the payment searches into ragged batches.
    paymentsByCompanyId: new DataLoader(
      tracedBatch('paymentsByCompanyId', async (companyIds) => {
        const customers = await stripeCustomerByCompanyId.loadMany(companyIds);
        const companyOf = new Map<string, string>();
        customers.forEach((customer, i) => {
          if (customer && !(customer instanceof Error)) companyOf.set(customer.id, companyIds[i]!);
        });
        const payments = companyOf.size === 0 ? [] : primed(await connector.searchPaymentsByCustomerIds([...companyOf.keys()]));
        const groups = groupBy(companyIds, payments, (p) => (p.stripeCustomerId === null ? null : (companyOf.get(p.stripeCustomerId) ?? null)));
        // A company whose customer lookup failed gets that failure, not an empty list.
        return groups.map((group, i) => {
          const customer = customers[i];
          return customer instanceof Error ? customer : group;
        });
      }),
      searchBatch,
    ),

    paymentById,

    paymentMethodsByStripeCustomerId: new DataLoader(
      tracedBatch('paymentMethodsByStripeCustomerId', (customerIds) => eachKey(customerIds, (id) => connector.listPaymentMethods(id))),
      {
        maxBatchSize: 100,
      },
    ),

    refundsByPaymentId: new DataLoader(
      tracedBatch('refundsByPaymentId', (paymentIds) => eachKey(paymentIds, (id) => connector.listRefunds(id))),
      { maxBatchSize: 100 },
    ),
  };
}
