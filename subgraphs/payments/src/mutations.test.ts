/**
 * payInvoice and refundPayment write to the sandbox and read back; the same idempotency
 * key never charges or refunds twice, even when our own retry resends the request; and
 * no money moves that the invoice (in the ERP) or the payment (at the provider) does not allow.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPaymentsSubgraph, type PaymentsSubgraph } from './createPaymentsSubgraph.js';
import { startMoneySandboxes, type MoneySandboxes, type OpenInvoice } from './testSandboxes.js';
import {
  entitiesQuery,
  gatewayToken,
  postGraphQL,
  representations,
  sandboxOperator,
  stripeGet,
  testSubgraphConfig,
  type GraphQLResponse,
} from './testSupport.js';

interface RawCustomer {
  id: string;
  invoice_settings: { default_payment_method: string | null };
}
interface RawIntent {
  id: string;
  amount: number;
  currency: string;
  status: string;
  description: string | null;
  metadata: Record<string, string>;
  payment_method: string | null;
}

const PAY = `mutation($input: PayInvoiceInput!) { payInvoice(input: $input) { payment {
  id status amount { amount currency formatted } amountRefunded { amount } invoice { id } customer { id } paymentMethod { id } failureCode } } }`;
const REFUND = `mutation($input: RefundPaymentInput!) { refundPayment(input: $input) {
  refund { id status amount { amount currency } } payment { id amountRefunded { amount } refunds { id amount { amount } } } } }`;

type PayResult = GraphQLResponse<{ payInvoice: { payment: { id: string; status: string; paymentMethod: { id: string } } } }>;
type RefundResult = GraphQLResponse<{
  refundPayment: {
    refund: { id: string; status: string; amount: { amount: number } };
    payment: { amountRefunded: { amount: number }; refunds: Array<{ id: string }> };
  };
}>;

let sandboxes: MoneySandboxes;
let sandboxUrl: string;
let subgraph: PaymentsSubgraph;
let url: string;
let keySeq = 0;
/** The ERP sandbox's operation for Stripe's webhooks (faults may target it). */
const ERP_WEBHOOK_OPERATION = 'payment.stripe.webhook';
const newKey = (): string => `test-key-${process.pid}-${Date.now()}-${++keySeq}`;

beforeAll(async () => {
  sandboxes = await startMoneySandboxes();
  sandboxUrl = sandboxes.paymentsUrl;
  subgraph = await createPaymentsSubgraph(testSubgraphConfig(sandboxUrl, { ERP_URL: sandboxes.erpUrl }));
  url = await subgraph.server.listen(0);
});

afterAll(async () => {
  await subgraph?.server.close();
  await sandboxes?.close();
});

async function stripeCustomerOf(companyId: string): Promise<RawCustomer> {
  const found = await stripeGet<{ data: RawCustomer[] }>(sandboxUrl, '/v1/customers/search', { query: `metadata['crm_company_id']:'${companyId}'` });
  return found.data[0]!;
}

/** The customer's intents for one invoice, read through the list endpoint (read-after-write safe, unlike search). */
async function intentsFor(customerId: string, invoiceId: string): Promise<RawIntent[]> {
  const list = await stripeGet<{ data: RawIntent[] }>(sandboxUrl, '/v1/payment_intents', { customer: customerId, limit: '100' });
  return list.data.filter((pi) => pi.metadata.erp_invoice_id === invoiceId);
}

/** An open invoice of at least `min` minor units left to pay (the sandbox's minimum charge is 50). */
const openInvoice = (min = 2_000): OpenInvoice => sandboxes.takeInvoice((invoice) => invoice.residual >= min);

const payInput = (invoice: OpenInvoice, extra: Record<string, unknown> = {}) => ({
  customerId: invoice.companyId,
  invoiceId: invoice.invoiceId,
  amount: { amount: Math.min(invoice.residual, 12_345), currency: invoice.currency },
  idempotencyKey: newKey(),
  ...extra,
});

const FORMATTED: Record<string, (minor: number) => string> = {
  USD: (m) => `$${(m / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })}`,
  EUR: (m) => `€${(m / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })}`,
  GBP: (m) => `£${(m / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })}`,
};

describe('payInvoice', () => {
  it("charges the customer's default card, writes the intent to the sandbox and reads it back", async () => {
    const invoice = openInvoice();
    const input = payInput(invoice);
    const amount = input.amount.amount;
    const customer = await stripeCustomerOf(invoice.companyId);
    const res = await postGraphQL(url, PAY, { input });
    expect(res.errors).toBeUndefined();
    const [intent, ...others] = (await intentsFor(customer.id, invoice.invoiceId)).filter((pi) => pi.metadata.idempotency_key === input.idempotencyKey);
    expect(others).toEqual([]);
    expect(intent).toMatchObject({
      amount,
      currency: invoice.currency.toLowerCase(),
      status: 'succeeded',
      payment_method: customer.invoice_settings.default_payment_method,
      metadata: { erp_invoice_id: invoice.invoiceId, crm_company_id: invoice.companyId, idempotency_key: input.idempotencyKey },
      description: `Payment for ERP invoice ${invoice.invoiceId}`,
    });
    expect(res.data).toEqual({
      payInvoice: {
        payment: {
          id: intent!.id,
          status: 'SUCCEEDED',
          amount: { amount, currency: invoice.currency, formatted: FORMATTED[invoice.currency]!(amount) },
          amountRefunded: { amount: 0 },
          invoice: { id: invoice.invoiceId },
          customer: { id: invoice.companyId },
          paymentMethod: { id: customer.invoice_settings.default_payment_method },
          failureCode: null,
        },
      },
    });
    const readBack = await postGraphQL<{ _entities: Array<{ payments: Array<{ id: string; status: string }> }> }>(
      url,
      entitiesQuery('Invoice', 'payments { id status }'),
      {
        representations: representations('Invoice', [invoice.invoiceId]),
      },
    );
    expect(readBack.data?._entities[0]?.payments[0]).toEqual({ id: intent!.id, status: 'SUCCEEDED' });
  });

  it('returns the same payment for the same key and leaves one payment intent in the sandbox, even once the invoice is paid', async () => {
    const invoice = openInvoice();
    // The whole residual: after the first payment the invoice is paid, and the replay must still answer with it.
    const input = payInput(invoice, { amount: { amount: invoice.residual, currency: invoice.currency } });
    const first = (await postGraphQL(url, PAY, { input })) as PayResult;
    expect(first.errors).toBeUndefined();
    const second = (await postGraphQL(url, PAY, { input })) as PayResult;
    expect(second.data).toEqual(first.data);
    const intents = (await intentsFor((await stripeCustomerOf(invoice.companyId)).id, invoice.invoiceId)).filter((pi) => pi.metadata.idempotency_key);
    expect(intents.map((pi) => pi.id)).toEqual([first.data!.payInvoice.payment.id]);
  });

  it('refuses the same key with other parameters with IDEMPOTENCY_KEY_REUSED, before any provider call', async () => {
    const invoice = openInvoice(3_000);
    const input = payInput(invoice, { amount: { amount: 1_000, currency: invoice.currency } });
    expect((await postGraphQL(url, PAY, { input })).errors).toBeUndefined();
    const ops = sandboxOperator(sandboxUrl);
    await ops.resetStats();
    const res = await postGraphQL(url, PAY, { input: { ...input, amount: { amount: 999, currency: invoice.currency } } });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', serviceName: 'payments' });
    expect((await ops.stats()).total).toBe(0);
  });

  it('retries a keyed payment after a server error and still charges once', async () => {
    const invoice = openInvoice();
    const ops = sandboxOperator(sandboxUrl);
    await ops.resetStats();
    await ops.setFaults({ errorRate: 1, remaining: 1, operations: ['payment_intents.create'] });
    const input = payInput(invoice);
    const res = (await postGraphQL(url, PAY, { input })) as PayResult;
    expect(res.errors).toBeUndefined();
    expect((await ops.stats()).operations['payment_intents.create']).toBe(2);
    const intents = (await intentsFor((await stripeCustomerOf(invoice.companyId)).id, invoice.invoiceId)).filter(
      (pi) => pi.metadata.idempotency_key === input.idempotencyKey,
    );
    expect(intents.map((pi) => pi.id)).toEqual([res.data!.payInvoice.payment.id]);
  });

  it('answers PAYMENT_OUTCOME_UNKNOWN when every answer is lost, and the retry with the same key gets the one payment made', async () => {
    const invoice = openInvoice();
    const ops = sandboxOperator(sandboxUrl);
    await ops.setFaults({ lostAnswer: true, operations: ['payment_intents.create'] });
    const input = payInput(invoice);
    let lost: GraphQLResponse;
    try {
      lost = await postGraphQL(url, PAY, { input });
    } finally {
      await ops.clearFaults();
    }
    expect(lost.data).toBeNull();
    expect(lost.errors?.[0]?.extensions).toMatchObject({ code: 'PAYMENT_OUTCOME_UNKNOWN', serviceName: 'payments', retryWithSameKey: true });
    const retried = (await postGraphQL(url, PAY, { input })) as PayResult;
    expect(retried.errors).toBeUndefined();
    const intents = (await intentsFor((await stripeCustomerOf(invoice.companyId)).id, invoice.invoiceId)).filter(
      (pi) => pi.metadata.idempotency_key === input.idempotencyKey,
    );
    expect(intents.map((pi) => pi.id)).toEqual([retried.data!.payInvoice.payment.id]);
  });

  it('gives PAYMENT_DECLINED with the decline code and the failed payment, which the invoice then lists as FAILED', async () => {
    const invoice = openInvoice();
    const input = payInput(invoice, { paymentMethodId: 'pm_card_chargeDeclinedInsufficientFunds' });
    const res = await postGraphQL(url, PAY, { input });
    expect(res.data).toBeNull();
    const extensions = res.errors?.[0]?.extensions;
    expect(extensions).toMatchObject({
      code: 'PAYMENT_DECLINED',
      serviceName: 'payments',
      declineCode: 'insufficient_funds',
      paymentId: expect.stringMatching(/^pi_/),
    });
    // The same key replays the decline: the card is not tried again.
    const again = await postGraphQL(url, PAY, { input });
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'PAYMENT_DECLINED', paymentId: extensions?.paymentId });
    const read = await postGraphQL<{ _entities: Array<{ payments: Array<{ id: string; status: string; failureCode: string | null }> }> }>(
      url,
      entitiesQuery('Invoice', 'payments { id status failureCode }'),
      { representations: representations('Invoice', [invoice.invoiceId]) },
    );
    expect(read.data?._entities[0]?.payments[0]).toEqual({ id: extensions?.paymentId, status: 'FAILED', failureCode: 'insufficient_funds' });
  });

  it('checks its input before calling any backend', async () => {
    const invoice = openInvoice();
    const ops = sandboxOperator(sandboxUrl);
    const erpOps = sandboxOperator(sandboxes.erpUrl);
    await Promise.all([ops.resetStats(), erpOps.resetStats()]);
    const bad = [
      payInput(invoice, { idempotencyKey: 'short' }),
      payInput(invoice, { idempotencyKey: 'k'.repeat(256) }),
      payInput(invoice, { amount: { amount: 0, currency: invoice.currency } }),
      payInput(invoice, { customerId: ' ' }),
      payInput(invoice, { invoiceId: '' }),
      payInput(invoice, { paymentMethodId: '' }),
    ];
    for (const input of bad) {
      const res = await postGraphQL(url, PAY, { input });
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', serviceName: 'payments' });
    }
    expect((await ops.stats()).total).toBe(0);
    expect((await erpOps.stats()).total).toBe(0);
  });

  it("refuses another customer's card with BAD_USER_INPUT (the provider's own check)", async () => {
    const invoice = openInvoice();
    const other = await stripeCustomerOf(sandboxes.takeInvoice((i) => i.companyId !== invoice.companyId).companyId);
    const foreignCard = await postGraphQL(url, PAY, { input: payInput(invoice, { paymentMethodId: other.invoice_settings.default_payment_method }) });
    expect(foreignCard.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', serviceName: 'payments', param: 'payment_method' });
  });
});

describe('payInvoice guards the money: each refusal has its code and makes no provider call', () => {
  const refusedWithoutProviderCall = async (input: Record<string, unknown>, code: string, headers: Record<string, string> = {}): Promise<void> => {
    const ops = sandboxOperator(sandboxUrl);
    await ops.resetStats();
    const res = await postGraphQL(url, PAY, { input }, headers);
    expect({ data: res.data, code: res.errors?.[0]?.extensions?.code }).toEqual({ data: null, code });
    expect((await ops.stats()).operations).toEqual({});
  };

  it('an unknown invoice: INVOICE_NOT_FOUND', async () => {
    const invoice = openInvoice();
    await refusedWithoutProviderCall(payInput(invoice, { invoiceId: '999999999' }), 'INVOICE_NOT_FOUND');
    await refusedWithoutProviderCall(payInput(invoice, { invoiceId: 'INV/2026/00001' }), 'INVOICE_NOT_FOUND');
  });

  it("another customer's invoice: FORBIDDEN, with an unbound token and with a token bound to the payer", async () => {
    const invoice = openInvoice();
    const payer = sandboxes.takeInvoice((i) => i.companyId !== invoice.companyId).companyId;
    await refusedWithoutProviderCall(payInput(invoice, { customerId: payer }), 'FORBIDDEN');
    const bound = { 'x-graph360-gateway': await gatewayToken({ customerId: payer }) };
    await refusedWithoutProviderCall(payInput(invoice, { customerId: payer }), 'FORBIDDEN', bound);
    // Bound to one customer, paying as another (the invoice's owner): refused by the binding.
    await refusedWithoutProviderCall(payInput(invoice), 'FORBIDDEN', bound);
    expect(await sandboxes.invoice(invoice.invoiceId)).toMatchObject({ residual: invoice.residual });
  });

  it('another currency: CURRENCY_MISMATCH', async () => {
    const invoice = openInvoice();
    const other = invoice.currency === 'USD' ? 'EUR' : 'USD';
    await refusedWithoutProviderCall(payInput(invoice, { amount: { amount: 1_000, currency: other } }), 'CURRENCY_MISMATCH');
  });

  it('more than the residual: AMOUNT_EXCEEDS_RESIDUAL; a paid invoice: INVOICE_NOT_OPEN', async () => {
    const invoice = openInvoice();
    await refusedWithoutProviderCall(payInput(invoice, { amount: { amount: invoice.residual + 1, currency: invoice.currency } }), 'AMOUNT_EXCEEDS_RESIDUAL');
    const paid = await postGraphQL(url, PAY, { input: payInput(invoice, { amount: { amount: invoice.residual, currency: invoice.currency } }) });
    expect(paid.errors).toBeUndefined();
    // The ERP applies the payment from the provider's webhook; then the invoice is paid.
    await waitForInvoice(invoice.invoiceId, (state) => state.paymentState === 'paid');
    await refusedWithoutProviderCall(payInput(invoice, { amount: { amount: 100, currency: invoice.currency } }), 'INVOICE_NOT_OPEN');
  });

  it('20 concurrent payments with different keys charge exactly the residual, and the ERP agrees', async () => {
    const invoice = sandboxes.takeInvoice((i) => i.residual >= 4_000 && i.residual % 4 === 0);
    const quarter = invoice.residual / 4;
    const results = await Promise.all(
      Array.from(
        { length: 20 },
        () => postGraphQL(url, PAY, { input: payInput(invoice, { amount: { amount: quarter, currency: invoice.currency } }) }) as Promise<PayResult>,
      ),
    );
    expect(results.filter((r) => !r.errors)).toHaveLength(4);
    // Refused as too much while the ERP has not applied the first payments, as not open once it has.
    expect(results.filter((r) => ['AMOUNT_EXCEEDS_RESIDUAL', 'INVOICE_NOT_OPEN'].includes(String(r.errors?.[0]?.extensions?.code)))).toHaveLength(16);
    const customer = await stripeCustomerOf(invoice.companyId);
    const succeeded = (await intentsFor(customer.id, invoice.invoiceId)).filter((pi) => pi.metadata.idempotency_key && pi.status === 'succeeded');
    expect(succeeded.reduce((sum, pi) => sum + pi.amount, 0)).toBe(invoice.residual);
    await waitForInvoice(invoice.invoiceId, (state) => state.residual === 0 && state.paymentState === 'paid');
  });

  it('counts the payments the ERP has not applied yet: with its webhook down, the residual it shows is not paid twice', async () => {
    const invoice = sandboxes.takeInvoice((i) => i.residual >= 4_000 && i.residual % 4 === 0);
    const quarter = invoice.residual / 4;
    const erpOps = sandboxOperator(sandboxes.erpUrl);
    await erpOps.setFaults({ down: true, operations: [ERP_WEBHOOK_OPERATION] });
    try {
      const results = await Promise.all(
        Array.from(
          { length: 10 },
          () => postGraphQL(url, PAY, { input: payInput(invoice, { amount: { amount: quarter, currency: invoice.currency } }) }) as Promise<PayResult>,
        ),
      );
      expect(results.filter((r) => !r.errors)).toHaveLength(4);
      const refusals = results.flatMap((r) => (r.errors ? [r.errors[0]?.extensions] : []));
      expect(refusals).toEqual(
        Array(6).fill(expect.objectContaining({ code: 'AMOUNT_EXCEEDS_RESIDUAL', residual: invoice.residual, pending: invoice.residual, available: 0 })),
      );
      // The ERP still shows the whole residual: only the provider's payments say it is paid.
      expect((await sandboxes.invoice(invoice.invoiceId)).residual).toBe(invoice.residual);
    } finally {
      await erpOps.clearFaults();
    }
    // The provider delivers the events again; the ERP then agrees.
    await waitForInvoice(invoice.invoiceId, (state) => state.residual === 0 && state.paymentState === 'paid');
  });
});

async function waitForInvoice(invoiceId: string, done: (state: { residual: number; paymentState: string }) => boolean): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const state = await sandboxes.invoice(invoiceId);
    if (done(state)) return;
    if (Date.now() > deadline) throw new Error(`invoice ${invoiceId} never reached the expected state: ${JSON.stringify(state)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('refundPayment', () => {
  it('refunds part, replays the same key, then refunds the rest by default, and refuses a third refund', async () => {
    const invoice = openInvoice(5_000);
    const total = 5_000;
    const paid = (await postGraphQL(url, PAY, { input: payInput(invoice, { amount: { amount: total, currency: invoice.currency } }) })) as PayResult;
    const paymentId = paid.data!.payInvoice.payment.id;

    const partialInput = { paymentId, amount: { amount: 2_345, currency: invoice.currency }, idempotencyKey: newKey() };
    const partial = (await postGraphQL(url, REFUND, { input: partialInput })) as RefundResult;
    expect(partial.errors).toBeUndefined();
    const refundId = partial.data!.refundPayment.refund.id;
    expect(partial.data).toEqual({
      refundPayment: {
        refund: { id: refundId, status: 'SUCCEEDED', amount: { amount: 2_345, currency: invoice.currency } },
        payment: { id: paymentId, amountRefunded: { amount: 2_345 }, refunds: [{ id: refundId, amount: { amount: 2_345 } }] },
      },
    });
    const replay = (await postGraphQL(url, REFUND, { input: partialInput })) as RefundResult;
    expect(replay.data!.refundPayment.refund.id).toBe(refundId);
    const refunds = await stripeGet<{ data: Array<{ id: string; amount: number }> }>(sandboxUrl, '/v1/refunds', { payment_intent: paymentId });
    expect(refunds.data.map((r) => r.id)).toEqual([refundId]);

    const rest = (await postGraphQL(url, REFUND, { input: { paymentId, idempotencyKey: newKey() } })) as RefundResult;
    expect(rest.data!.refundPayment.refund.amount.amount).toBe(total - 2_345);
    expect(rest.data!.refundPayment.payment.amountRefunded.amount).toBe(total);
    expect(rest.data!.refundPayment.payment.refunds.map((r) => r.id)).toEqual([refundId, rest.data!.refundPayment.refund.id]);

    const ops = sandboxOperator(sandboxUrl);
    await ops.resetStats();
    const third = await postGraphQL(url, REFUND, { input: { paymentId, idempotencyKey: newKey() } });
    expect(third.errors?.[0]?.extensions).toMatchObject({ code: 'AMOUNT_EXCEEDS_REFUNDABLE', serviceName: 'payments', refundable: 0 });
    expect((await ops.stats()).operations['refunds.create']).toBeUndefined();
  });

  it('refuses a refund in another currency, an unknown payment, a bad amount and more than is left', async () => {
    const invoice = openInvoice(3_000);
    const paid = (await postGraphQL(url, PAY, { input: payInput(invoice, { amount: { amount: 3_000, currency: invoice.currency } }) })) as PayResult;
    const paymentId = paid.data!.payInvoice.payment.id;
    const other = invoice.currency === 'USD' ? 'EUR' : 'USD';
    const currency = await postGraphQL(url, REFUND, { input: { paymentId, amount: { amount: 100, currency: other }, idempotencyKey: newKey() } });
    expect(currency.errors?.[0]?.extensions).toMatchObject({ code: 'CURRENCY_MISMATCH' });
    const unknown = await postGraphQL(url, REFUND, { input: { paymentId: 'pi_NoSuchPaymentIntent0000', idempotencyKey: newKey() } });
    expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: 'PAYMENT_NOT_FOUND' });
    const zero = await postGraphQL(url, REFUND, { input: { paymentId, amount: { amount: 0, currency: invoice.currency }, idempotencyKey: newKey() } });
    expect(zero.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    const tooMuch = await postGraphQL(url, REFUND, { input: { paymentId, amount: { amount: 3_001, currency: invoice.currency }, idempotencyKey: newKey() } });
    expect(tooMuch.errors?.[0]?.extensions).toMatchObject({ code: 'AMOUNT_EXCEEDS_REFUNDABLE', refundable: 3_000 });
    const refunds = await stripeGet<{ data: unknown[] }>(sandboxUrl, '/v1/refunds', { payment_intent: paymentId });
    expect(refunds.data).toHaveLength(0);
  });

  it('10 concurrent refunds with different keys never refund more than was captured', async () => {
    const invoice = openInvoice(4_000);
    const paid = (await postGraphQL(url, PAY, { input: payInput(invoice, { amount: { amount: 4_000, currency: invoice.currency } }) })) as PayResult;
    const paymentId = paid.data!.payInvoice.payment.id;
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        postGraphQL(url, REFUND, { input: { paymentId, amount: { amount: 1_000, currency: invoice.currency }, idempotencyKey: newKey() } }),
      ),
    );
    expect(results.filter((r) => !r.errors)).toHaveLength(4);
    expect(results.filter((r) => r.errors?.[0]?.extensions?.code === 'AMOUNT_EXCEEDS_REFUNDABLE')).toHaveLength(6);
    const refunds = await stripeGet<{ data: Array<{ amount: number }> }>(sandboxUrl, '/v1/refunds', { payment_intent: paymentId });
    expect(refunds.data.reduce((sum, r) => sum + r.amount, 0)).toBe(4_000);
  });
});
