/**
 * The payments backend through the official `stripe` client, pointed at the sandbox or
 * at api.stripe.com by one URL. Every call runs under the subgraph's BackendPolicy, so
 * the client's own retries are off (`maxNetworkRetries: 0`): our policy retries, and its
 * breaker sees every failure. Reads may be repeated; POSTs only when they carry an
 * idempotency key, which Stripe uses to replay the first result instead of acting twice.
 */
import Stripe from 'stripe';
import { BackendError, BackendPolicy, type BackendPolicyOptions, type ErrorCode, type Logger } from '../../../kit/src/index.js';
import type { CurrencyCode } from '../__generated__/resolvers-types.js';
import type { PaymentMethodModel, PaymentModel, RefundModel, StripeCustomerModel } from '../models.js';
import { newestFirst, parseCustomer, parsePaymentIntent, parsePaymentMethod, parseRefund } from './parseStripe.js';
import { translateStripeError } from './translateStripeError.js';
import { tracingEnabled, withTraceHeaders } from '../../../../lib/tracing.js';
import { requestTraceContext } from '../../../kit/src/requestDeadline.js';

/** Stripe's search takes at most 10 clauses per query (docs.stripe.com/search); the sandbox enforces the same. */
export const MAX_SEARCH_CLAUSES = 10;
/** Largest page Stripe's lists and searches return. */
const PAGE_LIMIT = 100;
/** Stripe counts search hits accurately up to 10,000; past that we would page forever. */
const MAX_SEARCH_PAGES = 100;
/** Expanded with every payment intent, so charges, cards and customers cost no extra call. */
const PAYMENT_EXPAND = ['latest_charge', 'payment_method', 'customer'];

export interface StripePaymentsConnectorOptions {
  /** Origin of the Stripe API, e.g. https://api.stripe.com or the sandbox's http://127.0.0.1:4103. */
  apiUrl: string;
  secretKey: string;
  webhookSecret: string;
  /** The resilience policy; its timeoutMs is also the client's per-request timeout. */
  policy?: Omit<BackendPolicyOptions, 'backend'>;
  /** Receives one line per failed attempt (never a credential). Default: none. */
  logger?: Logger;
}

export interface CreatePaymentInput {
  stripeCustomerId: string;
  paymentMethodId: string;
  amount: number;
  currency: CurrencyCode;
  invoiceId: string;
  companyId: string;
  idempotencyKey: string;
}

export interface CreateRefundInput {
  paymentId: string;
  /** Minor units; everything not yet refunded when absent. */
  amount?: number;
  idempotencyKey: string;
}

/** Failures that say something about the backend or our setup, as opposed to one bad request. */
const WARN_CODES: readonly ErrorCode[] = ['BACKEND_UNAVAILABLE', 'BACKEND_ERROR', 'RATE_LIMITED', 'UNAUTHENTICATED', 'FORBIDDEN'];

/**
 * True when the backend answered (an HTTP status came back) or the request certainly never
 * left (the connection was refused): either way the write's outcome is known.
 */
function isDefiniteAnswer(error: unknown): boolean {
  if (!(error instanceof Stripe.errors.StripeError)) return false;
  if (error instanceof Stripe.errors.StripeConnectionError) {
    const detail = (error as { detail?: unknown }).detail;
    return typeof detail === 'object' && detail !== null && (detail as { code?: unknown }).code === 'ECONNREFUSED';
  }
  return error.statusCode !== undefined;
}

/**
 * Stripe's HTTP client with the trace context (traceparent) of the attempt it is called
 * for added to each request's headers: BackendPolicy runs each traced attempt with its
 * context in the request's store (kit/requestDeadline.ts), found here inside Stripe's SDK.
 */
function withTraceContext(client: Stripe.HttpClient): Stripe.HttpClient {
  return Object.assign(Object.create(client) as Stripe.HttpClient, {
    makeRequest: (...[host, port, path, method, headers, data, protocol, timeout]: Parameters<Stripe.HttpClient['makeRequest']>) =>
      client.makeRequest(host, port, path, method, withTraceHeaders(headers, requestTraceContext()), data, protocol, timeout),
  });
}

/** A search value in single quotes, with Stripe's backslash escapes. */
export function quote(value: string): string {
  return `'${value.replace(/[\\']/g, '\\$&')}'`;
}

function orQuery(field: string, values: readonly string[]): string {
  if (values.length === 0 || values.length > MAX_SEARCH_CLAUSES) {
    throw new RangeError(`a Stripe search takes 1 to ${MAX_SEARCH_CLAUSES} clauses, got ${values.length}`);
  }
  return values.map((value) => `${field}:${quote(value)}`).join(' OR ');
}

export class StripePaymentsConnector {
  readonly policy: BackendPolicy;
  private readonly stripe: Stripe;
  private readonly secrets: readonly string[];
  private readonly webhookSecret: string;
  private readonly logger: Logger | undefined;

  constructor(options: StripePaymentsConnectorOptions) {
    const url = new URL(options.apiUrl);
    const protocol = url.protocol === 'https:' ? 'https' : 'http';
    this.policy = new BackendPolicy({ backend: 'payments', ...options.policy });
    this.stripe = new Stripe(options.secretKey, {
      host: url.hostname,
      port: url.port || (protocol === 'https' ? 443 : 80),
      protocol,
      maxNetworkRetries: 0,
      timeout: options.policy?.timeoutMs ?? 5000,
      telemetry: false,
      // With tracing on, each request carries its attempt's traceparent (lib/tracing.ts).
      ...(tracingEnabled() ? { httpClient: withTraceContext(Stripe.createNodeHttpClient()) } : {}),
    });
    this.secrets = [options.secretKey, options.webhookSecret];
    this.webhookSecret = options.webhookSecret;
    this.logger = options.logger;
  }

  /**
   * One backend call under the policy, Stripe's errors translated inside it so the breaker
   * and retry see our codes. The policy fits every call inside the request's deadline
   * (kit/requestDeadline.ts).
   */
  private call<T>(request: () => Promise<T>, options: { retry: boolean }): Promise<T> {
    return this.policy.execute(async () => {
      try {
        return await request();
      } catch (error) {
        const translated = translateStripeError(error, this.secrets);
        if (translated instanceof BackendError) {
          const line = { backend: 'payments', code: translated.code, status: translated.status, retryable: translated.retryable };
          if (WARN_CODES.includes(translated.code)) this.logger?.warn(line, `payments call failed: ${translated.message}`);
          else this.logger?.debug(line, `payments refused a request: ${translated.message}`);
        }
        throw translated;
      }
    }, options);
  }

  /** Logs how a keyed write of unknown outcome ended, so it is on record even though the client was told "unknown". */
  private followCutWrite(attempt: Promise<unknown>, idempotencyKey: string): void {
    attempt.then(
      (result) => {
        const id = typeof result === 'object' && result !== null && 'id' in result ? (result as { id: unknown }).id : undefined;
        this.logger?.warn({ backend: 'payments', idempotencyKey, id }, 'payments write of unknown outcome has completed');
      },
      (error: unknown) => {
        const translated = translateStripeError(error, this.secrets);
        const code = translated instanceof BackendError ? translated.code : 'UNKNOWN';
        this.logger?.warn({ backend: 'payments', idempotencyKey, code }, 'payments write of unknown outcome has failed');
      },
    );
  }

  /** Every page of a search, one call per page of 100. */
  private async searchAll<T>(search: (page: string | undefined) => Promise<Stripe.ApiSearchResult<T>>): Promise<T[]> {
    const found: T[] = [];
    let page: string | undefined;
    for (let i = 0; i < MAX_SEARCH_PAGES; i++) {
      const result = await this.call(() => search(page), { retry: true });
      found.push(...result.data);
      if (!result.has_more || !result.next_page) return found;
      page = result.next_page;
    }
    throw new BackendError('BACKEND_ERROR', `payments search matched more than ${MAX_SEARCH_PAGES * PAGE_LIMIT} objects`, { backend: 'payments' });
  }

  /** Every page of a list, paged with starting_after. */
  private async listAll<T extends { id: string }>(list: (startingAfter: string | undefined) => Promise<Stripe.ApiList<T>>): Promise<T[]> {
    const found: T[] = [];
    let startingAfter: string | undefined;
    for (;;) {
      const result = await this.call(() => list(startingAfter), { retry: true });
      found.push(...result.data);
      const last = result.data[result.data.length - 1];
      if (!result.has_more || !last) return found;
      startingAfter = last.id;
    }
  }

  /** The Stripe customers of up to 10 CRM companies, with their default card: one search. */
  async findCustomersByCompanyIds(companyIds: readonly string[]): Promise<StripeCustomerModel[]> {
    const query = orQuery("metadata['crm_company_id']", companyIds);
    const customers = await this.searchAll((page) =>
      this.stripe.customers.search({ query, limit: PAGE_LIMIT, page, expand: ['data.invoice_settings.default_payment_method'] }),
    );
    return customers.flatMap((customer) => parseCustomer(customer) ?? []);
  }

  /** Every payment intent of up to 10 ERP invoices, newest first: one search per 100 hits. */
  async searchPaymentsByInvoiceIds(invoiceIds: readonly string[]): Promise<PaymentModel[]> {
    return this.searchPayments(orQuery("metadata['erp_invoice_id']", invoiceIds));
  }

  /** Every payment intent of up to 10 Stripe customers, newest first: one search per 100 hits. */
  async searchPaymentsByCustomerIds(stripeCustomerIds: readonly string[]): Promise<PaymentModel[]> {
    return this.searchPayments(orQuery('customer', stripeCustomerIds));
  }

  private async searchPayments(query: string): Promise<PaymentModel[]> {
    const intents = await this.searchAll((page) =>
      this.stripe.paymentIntents.search({ query, limit: PAGE_LIMIT, page, expand: PAYMENT_EXPAND.map((path) => `data.${path}`) }),
    );
    return intents.map(parsePaymentIntent).sort(newestFirst);
  }

  /** One payment intent, or null when Stripe has none with this id. */
  async retrievePayment(id: string): Promise<PaymentModel | null> {
    try {
      return parsePaymentIntent(await this.call(() => this.stripe.paymentIntents.retrieve(id, { expand: PAYMENT_EXPAND }), { retry: true }));
    } catch (error) {
      if (error instanceof BackendError && error.code === 'NOT_FOUND') return null;
      throw error;
    }
  }

  /** A customer's saved cards. Stripe has no batch form of this list: one call per customer. */
  async listPaymentMethods(stripeCustomerId: string): Promise<PaymentMethodModel[]> {
    const methods = await this.listAll((startingAfter) =>
      this.stripe.customers.listPaymentMethods(stripeCustomerId, { type: 'card', limit: PAGE_LIMIT, starting_after: startingAfter }),
    );
    return methods.flatMap((pm) => parsePaymentMethod(pm) ?? []);
  }

  /** A payment's refunds, oldest first. Stripe lists refunds per payment intent: one call per payment. */
  async listRefunds(paymentId: string): Promise<RefundModel[]> {
    const refunds = await this.listAll((startingAfter) =>
      this.stripe.refunds.list({ payment_intent: paymentId, limit: PAGE_LIMIT, starting_after: startingAfter }),
    );
    // Stripe lists newest first; reversed, then a stable sort, gives oldest first with ties in creation order.
    return refunds
      .map(parseRefund)
      .reverse()
      .sort((a, b) => -newestFirst(a, b));
  }

  /**
   * Creates and confirms a payment intent; the idempotency key makes a retry replay the
   * first result. The key also goes into the intent's metadata, so that a later request
   * with it can find the intent without Stripe's (24 h) idempotency memory.
   */
  async createPayment(input: CreatePaymentInput): Promise<PaymentModel> {
    const intent = await this.write(
      () =>
        this.stripe.paymentIntents.create(
          {
            amount: input.amount,
            currency: input.currency.toLowerCase(),
            customer: input.stripeCustomerId,
            payment_method: input.paymentMethodId,
            // A saved card charged from the back office: no redirect-based methods, so no return_url is needed.
            allowed_payment_method_types: ['card'],
            confirm: true,
            description: `Payment for ERP invoice ${input.invoiceId}`,
            metadata: { erp_invoice_id: input.invoiceId, crm_company_id: input.companyId, idempotency_key: input.idempotencyKey },
            expand: PAYMENT_EXPAND,
          },
          { idempotencyKey: input.idempotencyKey },
        ),
      input.idempotencyKey,
    );
    return parsePaymentIntent(intent);
  }

  /** Refunds a payment intent's charge, all that is left when no amount is given. */
  async createRefund(input: CreateRefundInput): Promise<RefundModel> {
    const params: Stripe.RefundCreateParams = { payment_intent: input.paymentId };
    if (input.amount !== undefined) params.amount = input.amount;
    const refund = await this.write(() => this.stripe.refunds.create(params, { idempotencyKey: input.idempotencyKey }), input.idempotencyKey);
    return parseRefund(refund);
  }

  /**
   * Every payment intent of one Stripe customer, newest first, with its charge expanded
   * (so refunds are known). A list, not a search: Stripe's lists show a new intent at once,
   * its search only after a delay, and payInvoice must see the payment made a moment ago.
   */
  async listPaymentsOfCustomer(stripeCustomerId: string): Promise<PaymentModel[]> {
    const intents = await this.listAll((startingAfter) =>
      this.stripe.paymentIntents.list({ customer: stripeCustomerId, limit: PAGE_LIMIT, starting_after: startingAfter, expand: ['data.latest_charge'] }),
    );
    return intents.map(parsePaymentIntent);
  }

  /**
   * A write that carries an idempotency key, retried by the policy. When it fails after a
   * request went out and no answer came back (a timeout, a reset connection, the breaker
   * opening between retries, the request's deadline running out), nobody knows whether
   * the money moved: that is PAYMENT_OUTCOME_UNKNOWN, which tells the client to send the
   * same request again with the same key (Stripe then replays the first result), never
   * BACKEND_UNAVAILABLE. An attempt still in flight (the Stripe client does not cancel it)
   * is followed to its end and its outcome logged with the key.
   */
  private async write<T>(request: () => Promise<T>, idempotencyKey: string): Promise<T> {
    const inFlight = new Set<Promise<T>>();
    let unanswered = 0;
    try {
      return await this.call(
        async () => {
          unanswered++;
          const attempt = request();
          inFlight.add(attempt);
          try {
            const result = await attempt;
            unanswered--;
            return result;
          } catch (error) {
            if (isDefiniteAnswer(error)) unanswered--;
            throw error;
          } finally {
            inFlight.delete(attempt);
          }
        },
        { retry: true },
      );
    } catch (error) {
      if (unanswered === 0) throw error;
      for (const attempt of inFlight) this.followCutWrite(attempt, idempotencyKey);
      this.logger?.warn(
        { backend: 'payments', idempotencyKey, reason: error instanceof Error ? error.message : String(error) },
        'payments write of unknown outcome',
      );
      throw new BackendError(
        'PAYMENT_OUTCOME_UNKNOWN',
        'payments did not confirm whether this write happened; send the same request again with the same idempotencyKey to learn its outcome (it is not made twice)',
        {
          backend: 'payments',
          details: { retryWithSameKey: true },
          cause: error,
        },
      );
    }
  }

  // ---- What the read model (../readModel) syncs with: Stripe's lists, paged by 100, and single objects. ----

  /** Every customer with a CRM company id, with its default card expanded: one call per 100 customers. */
  async listAllCustomers(): Promise<StripeCustomerModel[]> {
    const customers = await this.listAll((startingAfter) =>
      this.stripe.customers.list({ limit: PAGE_LIMIT, starting_after: startingAfter, expand: ['data.invoice_settings.default_payment_method'] }),
    );
    return customers.flatMap((customer) => parseCustomer(customer) ?? []);
  }

  /**
   * Every payment intent, newest first, with its card expanded: one call per 100. The charge
   * and the customer are not expanded: the read model sums refunds itself and knows the customers.
   */
  async listAllPayments(): Promise<PaymentModel[]> {
    const intents = await this.listAll((startingAfter) =>
      this.stripe.paymentIntents.list({ limit: PAGE_LIMIT, starting_after: startingAfter, expand: ['data.payment_method'] }),
    );
    return intents.map(parsePaymentIntent);
  }

  /** Every refund (of every payment), one call per 100. */
  async listAllRefunds(): Promise<Array<{ paymentId: string; refund: RefundModel }>> {
    const refunds = await this.listAll((startingAfter) => this.stripe.refunds.list({ limit: PAGE_LIMIT, starting_after: startingAfter }));
    return refunds.flatMap((refund) => {
      const paymentId = typeof refund.payment_intent === 'string' ? refund.payment_intent : (refund.payment_intent?.id ?? null);
      return paymentId === null ? [] : [{ paymentId, refund: parseRefund(refund) }];
    });
  }

  /** The newest event's id, or null when the account has none: where a catch-up starts after a full sync. */
  async newestEventId(): Promise<string | null> {
    const page = await this.call(() => this.stripe.events.list({ limit: 1 }), { retry: true });
    return page.data[0]?.id ?? null;
  }

  /**
   * Events newer than `afterEventId` (all events when null), oldest first. Stripe lists newest
   * first; `ending_before` pages towards newer events, 100 at a time.
   */
  async listEventsSince(afterEventId: string | null): Promise<Stripe.Event[]> {
    if (afterEventId === null)
      return (await this.listAll((startingAfter) => this.stripe.events.list({ limit: PAGE_LIMIT, starting_after: startingAfter }))).reverse();
    const events: Stripe.Event[] = [];
    let cursor = afterEventId;
    for (;;) {
      const page = await this.call(() => this.stripe.events.list({ limit: PAGE_LIMIT, ending_before: cursor }), { retry: true });
      // The page holds the events just newer than the cursor, newest first.
      events.push(...[...page.data].reverse());
      const newest = page.data[0];
      if (!page.has_more || !newest) return events;
      cursor = newest.id;
    }
  }

  /** A customer as Stripe has it now (default card expanded); null when deleted, unknown or without a CRM company. */
  async retrieveCustomer(id: string): Promise<StripeCustomerModel | null> {
    try {
      const customer = await this.call(() => this.stripe.customers.retrieve(id, { expand: ['invoice_settings.default_payment_method'] }), { retry: true });
      return 'deleted' in customer && customer.deleted ? null : parseCustomer(customer as Stripe.Customer);
    } catch (error) {
      if (error instanceof BackendError && error.code === 'NOT_FOUND') return null;
      throw error;
    }
  }

  /** A card by id; null when unknown or not a card. */
  async retrievePaymentMethod(id: string): Promise<PaymentMethodModel | null> {
    try {
      return parsePaymentMethod(await this.call(() => this.stripe.paymentMethods.retrieve(id), { retry: true }));
    } catch (error) {
      if (error instanceof BackendError && error.code === 'NOT_FOUND') return null;
      throw error;
    }
  }

  /** Verifies a webhook's Stripe-Signature over the raw body and parses the event; throws when it does not match. */
  constructEvent(rawBody: Buffer, signature: string): Stripe.Event {
    return this.stripe.webhooks.constructEvent(rawBody, signature, this.webhookSecret);
  }
}
