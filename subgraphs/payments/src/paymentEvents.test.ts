/**
 * Subscription.paymentEvents end to end, with both sandboxes in process: a graphql-ws
 * client connects as the gateway does (its token in connection_init, the caller's in
 * each subscribe), a payment is made, the provider's webhook (or, without it, the read
 * model's catch-up) brings the event, and the subscriber gets PAYMENT_SUCCEEDED, then
 * INVOICE_RECONCILED once the ERP has applied the payment, then PAYMENT_REFUNDED. Each
 * once, although webhooks and catch-ups both see every event; other customers' and other
 * invoices' events never. Refused: a connection without the gateway token (4403), a
 * subscription without its caller's token (UNAUTHENTICATED), without payments:read, or
 * for another customer than the caller's (FORBIDDEN). close() closes the sockets 1001.
 *
 * With REDIS_URL, two replicas on one Redis: subscribers of either get each event once,
 * whichever replica the webhook reached. Without it that case is skipped with one line,
 * unless REQUIRE_ALL_SUITES=1 (CI), where a missing Redis fails it.
 */
import { randomUUID } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import Stripe from 'stripe';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { createPaymentsSubgraph, type PaymentsSubgraph } from './createPaymentsSubgraph.js';
import { startMoneySandboxes, type MoneySandboxes, type OpenInvoice } from './testSandboxes.js';
import { capturingLogger, gatewayToken, postGraphQL, sandboxOperator, stripeGet, testSubgraphConfig, waitFor } from './testSupport.js';
import { requireOrSkip, TEST_REDIS_URL } from '../../../test/support.js';

const PAYMENT_EVENTS = `subscription($customerId: ID!, $invoiceId: ID) {
  paymentEvents(customerId: $customerId, invoiceId: $invoiceId) {
    id type occurredAt
    payment { id status amount { amount currency } amountRefunded { amount } failureCode invoice { id } customer { id } }
    invoice { id }
    customer { id }
  }
}`;
const PAY = 'mutation($input: PayInvoiceInput!) { payInvoice(input: $input) { payment { id } } }';
const REFUND = 'mutation($input: RefundPaymentInput!) { refundPayment(input: $input) { refund { id } } }';

interface PaymentEventResult {
  id: string;
  type: string;
  occurredAt: string;
  payment: {
    id: string;
    status: string;
    amount: { amount: number; currency: string };
    amountRefunded: { amount: number };
    failureCode: string | null;
    invoice: { id: string } | null;
    customer: { id: string } | null;
  };
  invoice: { id: string } | null;
  customer: { id: string };
}

interface GraphQLErrorShape {
  message: string;
  extensions?: Record<string, unknown>;
}

/** What one subscription got: its events, the errors of results without data, the error it ended with. */
interface Followed {
  events: PaymentEventResult[];
  errors: GraphQLErrorShape[];
  error?: unknown;
  stop: () => void;
}

const REDIS_URL = TEST_REDIS_URL;
/** The ERP sandbox's operation for Stripe's webhooks (faults may target it). */
const ERP_WEBHOOK_OPERATION = 'payment.stripe.webhook';

let sandboxes: MoneySandboxes;
let stripe: Stripe;
let endpointId: string;
let subgraph: PaymentsSubgraph;
let httpUrl: string;
let logLines: string[];
let keySeq = 0;
const clients: Client[] = [];
/** Each test's payments are for companies no other test uses, so that no late event of one reaches another. */
const usedCompanies = new Set<string>();

beforeAll(async () => {
  sandboxes = await startMoneySandboxes({ paymentsEnv: { PAYMENTS_SANDBOX_WEBHOOK_RETRY_BASE_MS: '100' } });
  const port = Number(new URL(sandboxes.paymentsUrl).port);
  stripe = new Stripe('sk_test_sandbox', { host: '127.0.0.1', port, protocol: 'http', maxNetworkRetries: 0 });
  // The endpoint's signing secret is needed before the subgraph listens; its URL is set once the port is known.
  const endpoint = await stripe.webhookEndpoints.create({ url: 'http://127.0.0.1:9/not-yet', enabled_events: ['*'] });
  endpointId = endpoint.id;
  const { logger, lines } = capturingLogger();
  logLines = lines;
  subgraph = await createPaymentsSubgraph(
    testSubgraphConfig(sandboxes.paymentsUrl, {
      ERP_URL: sandboxes.erpUrl,
      STRIPE_WEBHOOK_SECRET: endpoint.secret!,
      PAYMENTS_READ_MODEL: 'on',
      PAYMENTS_READ_MODEL_CATCHUP_MS: '200',
      PAYMENTS_RECONCILE_WATCH_MS: '3000',
    }),
    { logger },
  );
  httpUrl = await subgraph.server.listen(0);
  await stripe.webhookEndpoints.update(endpointId, { url: httpUrl.replace('/graphql', '/webhooks/stripe') });
  await waitFor(() => (subgraph.readModel!.state === 'ready' ? true : undefined), 'the read model');
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
});

afterAll(async () => {
  await subgraph?.server.close();
  await sandboxes?.close();
});

/** A graphql-ws client as the gateway makes one: its token in connection_init (unless `connectionToken` is null). */
function gatewayClient(url: string, options: { connectionToken?: string | null; closed?: number[] } = {}): Client {
  const client = createClient({
    url: url.replace('http:', 'ws:'),
    webSocketImpl: WebSocket,
    connectionParams: async () => {
      const token = options.connectionToken === undefined ? await gatewayToken() : options.connectionToken;
      return token === null ? {} : { 'x-graph360-gateway': token };
    },
    retryAttempts: 0,
    on: { closed: (event) => void options.closed?.push((event as { code: number }).code) },
  });
  clients.push(client);
  return client;
}

/** Subscribes to paymentEvents for a caller (its token in the subscribe message's extensions, unless null). */
async function follow(
  client: Client,
  variables: { customerId: string; invoiceId?: string },
  caller: { scopes?: string[]; customerId?: string } | null = {},
): Promise<Followed> {
  const followed: Followed = { events: [], errors: [], stop: () => undefined };
  const extensions = caller === null ? {} : { 'x-graph360-gateway': await gatewayToken(caller) };
  followed.stop = client.subscribe<{ paymentEvents: PaymentEventResult }>(
    { query: PAYMENT_EVENTS, variables, extensions },
    {
      next: (result) => {
        if (result.data) followed.events.push(result.data.paymentEvents);
        else followed.errors.push(...((result.errors ?? []) as GraphQLErrorShape[]));
      },
      error: (error) => void (followed.error = error),
      complete: () => undefined,
    },
  );
  return followed;
}

/** Lets a subscription reach the server before the test makes the payments it should see. */
async function subscribed(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 200));
}

/** An open invoice of a company no other test has used (and, with `company`, of that one). */
function invoiceOf(options: { company?: string; min?: number } = {}): OpenInvoice {
  const invoice = sandboxes.takeInvoice(
    (i) => i.residual >= (options.min ?? 5_000) && (options.company ? i.companyId === options.company : !usedCompanies.has(i.companyId)),
  );
  usedCompanies.add(invoice.companyId);
  return invoice;
}

async function pay(
  invoice: OpenInvoice,
  amount: number,
  options: { paymentMethodId?: string; url?: string } = {},
): Promise<{ id: string | undefined; errors: GraphQLErrorShape[] | undefined }> {
  const { paymentMethodId, url = httpUrl } = options;
  const input = {
    customerId: invoice.companyId,
    invoiceId: invoice.invoiceId,
    amount: { amount, currency: invoice.currency },
    idempotencyKey: `events-test-${process.pid}-${++keySeq}`,
    ...(paymentMethodId ? { paymentMethodId } : {}),
  };
  const result = await postGraphQL<{ payInvoice: { payment: { id: string } } }>(url, PAY, { input });
  return { id: result.data?.payInvoice.payment.id, errors: result.errors };
}

async function stripeCustomerOf(companyId: string): Promise<string> {
  const found = await stripeGet<{ data: Array<{ id: string }> }>(sandboxes.paymentsUrl, '/v1/customers/search', {
    query: `metadata['crm_company_id']:'${companyId}'`,
  });
  return found.data[0]!.id;
}

const types = (followed: Followed): string[] => followed.events.map((event) => event.type);
/** Waits until the subscription has these event types, in order; then a little longer, so that a duplicate would have shown. */
async function expectTypes(followed: Followed, expected: string[], what: string, timeoutMs = 10_000): Promise<void> {
  await waitFor(() => (followed.events.length >= expected.length ? true : undefined), what, timeoutMs);
  // Two catch-up intervals: every source has seen the events by then.
  await new Promise((resolve) => setTimeout(resolve, 600));
  expect(types(followed)).toEqual(expected);
}

describe('paymentEvents', () => {
  it("tells a customer's subscriber of its invoice PAYMENT_SUCCEEDED, INVOICE_RECONCILED once the ERP has applied it, and PAYMENT_REFUNDED, each once; nothing of other invoices or customers", async () => {
    const invoice = invoiceOf();
    const otherInvoice = invoiceOf({ company: invoice.companyId });
    const elsewhere = invoiceOf();
    const client = gatewayClient(httpUrl);
    // A caller bound to the customer may follow its own payments.
    const ofInvoice = await follow(client, { customerId: invoice.companyId, invoiceId: invoice.invoiceId }, { customerId: invoice.companyId });
    const ofCustomer = await follow(client, { customerId: invoice.companyId });
    const ofElsewhere = await follow(client, { customerId: elsewhere.companyId });
    await subscribed();

    const paid = await pay(invoice, 4_200);
    expect(paid.errors).toBeUndefined();
    await waitFor(() => (ofInvoice.events.length > 0 ? true : undefined), 'PAYMENT_SUCCEEDED');
    expect(ofInvoice.events[0]).toEqual({
      id: expect.stringMatching(/^evt_/),
      type: 'PAYMENT_SUCCEEDED',
      occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      payment: {
        id: paid.id,
        status: 'SUCCEEDED',
        amount: { amount: 4_200, currency: invoice.currency },
        amountRefunded: { amount: 0 },
        failureCode: null,
        invoice: { id: invoice.invoiceId },
        customer: { id: invoice.companyId },
      },
      invoice: { id: invoice.invoiceId },
      customer: { id: invoice.companyId },
    });

    await waitFor(() => (ofInvoice.events.length > 1 ? true : undefined), 'INVOICE_RECONCILED');
    const succeeded = ofInvoice.events[0]!;
    expect(ofInvoice.events[1]).toEqual({ ...succeeded, id: `${succeeded.id}:reconciled`, type: 'INVOICE_RECONCILED', occurredAt: expect.any(String) });
    // Published after the ERP showed it: the ERP has the payment on the invoice.
    expect((await sandboxes.invoice(invoice.invoiceId)).residual).toBe(invoice.residual - 4_200);

    const refund = await postGraphQL(httpUrl, REFUND, {
      input: { paymentId: paid.id, amount: { amount: 1_000, currency: invoice.currency }, idempotencyKey: `events-refund-${process.pid}-${++keySeq}` },
    });
    expect(refund.errors).toBeUndefined();
    expect(await pay(otherInvoice, 2_000)).toMatchObject({ errors: undefined });
    expect(await pay(elsewhere, 3_000)).toMatchObject({ errors: undefined });

    await expectTypes(ofInvoice, ['PAYMENT_SUCCEEDED', 'INVOICE_RECONCILED', 'PAYMENT_REFUNDED'], 'PAYMENT_REFUNDED');
    expect(ofInvoice.events[2]).toMatchObject({
      type: 'PAYMENT_REFUNDED',
      id: expect.stringMatching(/^evt_/),
      payment: { id: paid.id, status: 'SUCCEEDED', amountRefunded: { amount: 1_000 } },
      invoice: { id: invoice.invoiceId },
    });
    // The customer's subscription has both invoices; the other customer's, only its own payment.
    await expectTypes(
      ofCustomer,
      ['PAYMENT_SUCCEEDED', 'INVOICE_RECONCILED', 'PAYMENT_REFUNDED', 'PAYMENT_SUCCEEDED', 'INVOICE_RECONCILED'],
      "the customer's events",
    );
    expect(ofCustomer.events.slice(3).map((e) => e.invoice?.id)).toEqual([otherInvoice.invoiceId, otherInvoice.invoiceId]);
    await expectTypes(ofElsewhere, ['PAYMENT_SUCCEEDED', 'INVOICE_RECONCILED'], "the other customer's events");
    expect(ofElsewhere.events.every((e) => e.customer.id === elsewhere.companyId && e.payment.amount.amount === 3_000)).toBe(true);
    expect([ofInvoice, ofCustomer, ofElsewhere].map((f) => [f.errors, f.error])).toEqual([
      [[], undefined],
      [[], undefined],
      [[], undefined],
    ]);
  });

  it('tells of a declined payment (PAYMENT_FAILED, with the decline code) and of no reconciliation for it', async () => {
    const invoice = invoiceOf();
    const followed = await follow(gatewayClient(httpUrl), { customerId: invoice.companyId, invoiceId: invoice.invoiceId });
    await subscribed();
    const declined = await pay(invoice, 2_500, { paymentMethodId: 'pm_card_chargeDeclinedInsufficientFunds' });
    expect(declined.errors?.[0]?.extensions).toMatchObject({ code: 'PAYMENT_DECLINED' });
    await expectTypes(followed, ['PAYMENT_FAILED'], 'PAYMENT_FAILED');
    expect(followed.events[0]!.payment).toMatchObject({ status: 'FAILED', failureCode: 'insufficient_funds', amount: { amount: 2_500 } });
  });

  it('publishes, once, a payment whose webhook never came (the read model caught up with it), for no invoice, and a cancellation', async () => {
    const company = invoiceOf().companyId;
    const customer = await stripeCustomerOf(company);
    const followed = await follow(gatewayClient(httpUrl), { customerId: company });
    await subscribed();
    await stripe.webhookEndpoints.update(endpointId, { disabled: true });
    // The ERP sandbox (in this process) still gets the payment's webhook and warns that it names no invoice.
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    let succeeded: Stripe.PaymentIntent;
    let canceled: Stripe.PaymentIntent;
    try {
      succeeded = await stripe.paymentIntents.create({
        amount: 1_500,
        currency: 'usd',
        customer,
        payment_method: 'pm_card_visa',
        confirm: true,
        metadata: { crm_company_id: company },
      });
      canceled = await stripe.paymentIntents.cancel(
        (await stripe.paymentIntents.create({ amount: 900, currency: 'usd', customer, metadata: { crm_company_id: company } })).id,
      );
      await expectTypes(followed, ['PAYMENT_SUCCEEDED', 'PAYMENT_CANCELED'], 'the events from the catch-up');
      const ignored = `(payment_intent.succeeded) ignored: payment intent ${succeeded.id} names no invoice (metadata.erp_invoice_id)`;
      await waitFor(() => (warn.mock.calls.some(([message]) => String(message).endsWith(ignored)) ? true : undefined), "the ERP sandbox's warning");
      expect(warn.mock.calls.map(([message]) => String(message))).toEqual([expect.stringMatching(/^\[erp sandbox\] stripe event evt_\w+ /)]);
    } finally {
      warn.mockRestore();
      await stripe.webhookEndpoints.update(endpointId, { disabled: false });
    }
    expect(followed.events.map((e) => [e.payment.id, e.payment.status, e.invoice])).toEqual([
      [succeeded.id, 'SUCCEEDED', null],
      [canceled.id, 'CANCELED', null],
    ]);
    // No webhook brought them: only the catch-up did.
    expect(logLines.filter((line) => line.includes('webhook received') && followed.events.some((e) => line.includes(e.id)))).toEqual([]);
  });

  it('publishes no INVOICE_RECONCILED, and logs a warning, when the ERP does not apply the payment in time', async () => {
    const invoice = invoiceOf();
    const followed = await follow(gatewayClient(httpUrl), { customerId: invoice.companyId, invoiceId: invoice.invoiceId });
    await subscribed();
    const erp = sandboxOperator(sandboxes.erpUrl);
    await erp.setFaults({ down: true, operations: [ERP_WEBHOOK_OPERATION] });
    try {
      const paid = await pay(invoice, 2_000);
      expect(paid.errors).toBeUndefined();
      await waitFor(
        () => (logLines.some((line) => line.includes('did not reconcile the invoice') && line.includes(paid.id!)) ? true : undefined),
        'the warning',
        8_000,
      );
    } finally {
      await erp.clearFaults();
    }
    expect(types(followed)).toEqual(['PAYMENT_SUCCEEDED']);
  });

  it('refuses a connection without the gateway token (4403), a subscription without its caller token (UNAUTHENTICATED), without payments:read, or for another customer (FORBIDDEN)', async () => {
    const closed: number[] = [];
    const anonymous = await follow(gatewayClient(httpUrl, { connectionToken: null, closed }), { customerId: '1' });
    await waitFor(() => (closed.length > 0 ? true : undefined), 'the refused connection');
    expect(closed).toEqual([4403]);
    expect(anonymous.events).toEqual([]);

    const client = gatewayClient(httpUrl);
    const noCaller = await follow(client, { customerId: '1' }, null);
    const noScope = await follow(client, { customerId: '1' }, { scopes: ['invoices:read'] });
    const otherCustomer = await follow(client, { customerId: '1' }, { customerId: '2' });
    await waitFor(() => (noCaller.error !== undefined && noScope.errors.length > 0 && otherCustomer.errors.length > 0 ? true : undefined), 'the refusals');
    expect(noCaller.error).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHENTICATED', serviceName: 'payments' }) })]);
    expect(noScope.errors).toEqual([
      expect.objectContaining({ message: expect.stringContaining('payments:read'), extensions: expect.objectContaining({ code: 'FORBIDDEN' }) }),
    ]);
    expect(otherCustomer.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'FORBIDDEN' }) })]);
  });
});

describe('closing the payments subgraph', () => {
  it('closes every subscriber socket with 1001 (going away)', async () => {
    const other = await createPaymentsSubgraph(testSubgraphConfig(sandboxes.paymentsUrl, { ERP_URL: sandboxes.erpUrl }));
    const url = await other.server.listen(0);
    const closed: number[] = [];
    const followed = await follow(gatewayClient(url, { closed }), { customerId: '1' });
    await subscribed();
    await other.server.close();
    await waitFor(() => (closed.length > 0 ? true : undefined), 'the close');
    expect(closed).toEqual([1001]);
    expect(followed.error).toBeDefined();
  });
});

const redis = await requireOrSkip('paymentEvents.test.ts: two replicas through Redis', 'redis');

describe.runIf(redis)('paymentEvents across replicas through Redis', () => {
  it('gives the subscribers of either replica each event once, whichever replica the webhook reached', async () => {
    // The webhook reaches replica A only; both replicas' catch-ups see the event too.
    const endpoint = await stripe.webhookEndpoints.create({ url: 'http://127.0.0.1:9/not-yet', enabled_events: ['*'] });
    const env = {
      ERP_URL: sandboxes.erpUrl,
      REDIS_URL: REDIS_URL!,
      PAYMENTS_EVENTS_CHANNEL: `test:payments:events:${randomUUID()}`,
      PAYMENTS_READ_MODEL: 'on',
      PAYMENTS_READ_MODEL_CATCHUP_MS: '200',
      STRIPE_WEBHOOK_SECRET: endpoint.secret!,
    };
    const replicas = [
      await createPaymentsSubgraph(testSubgraphConfig(sandboxes.paymentsUrl, env)),
      await createPaymentsSubgraph(testSubgraphConfig(sandboxes.paymentsUrl, env)),
    ];
    try {
      const [urlA, urlB] = await Promise.all(replicas.map((replica) => replica.server.listen(0)));
      await stripe.webhookEndpoints.update(endpoint.id, { url: urlA!.replace('/graphql', '/webhooks/stripe') });
      await Promise.all(replicas.map((replica) => replica.events.ready()));
      await waitFor(() => (replicas.every((replica) => replica.readModel!.state === 'ready') ? true : undefined), 'both read models');

      const invoice = invoiceOf();
      const onA = await follow(gatewayClient(urlA!), { customerId: invoice.companyId, invoiceId: invoice.invoiceId });
      const onB = await follow(gatewayClient(urlB!), { customerId: invoice.companyId, invoiceId: invoice.invoiceId });
      await subscribed();
      const paid = await pay(invoice, 3_300, { url: urlA! });
      expect(paid.errors).toBeUndefined();
      await expectTypes(onA, ['PAYMENT_SUCCEEDED', 'INVOICE_RECONCILED'], 'the events on replica A');
      await expectTypes(onB, ['PAYMENT_SUCCEEDED', 'INVOICE_RECONCILED'], 'the events on replica B');
      expect(onB.events).toEqual(onA.events);
      expect(onA.events[0]!.payment).toMatchObject({ id: paid.id, amount: { amount: 3_300 } });
    } finally {
      await stripe.webhookEndpoints.update(endpoint.id, { disabled: true });
      await Promise.all(replicas.map((replica) => replica.server.close()));
    }
  });
});
