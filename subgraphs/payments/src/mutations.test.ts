/**
 * payInvoice and refundPayment write to the sandbox and read back; the same idempotency
 * key never charges or refunds twice, even when our own retry resends the request.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPaymentsSandboxConfig } from '../../../sandboxes/payments/src/config.js';
import { createPaymentsSandbox, type PaymentsSandbox } from '../../../sandboxes/payments/src/createPaymentsSandbox.js';
import { createPaymentsSubgraph, type PaymentsSubgraph } from './createPaymentsSubgraph.js';
import { entitiesQuery, postGraphQL, representations, sandboxOperator, stripeGet, testSubgraphConfig, type GraphQLResponse } from './testSupport.js';

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
  refundPayment: { refund: { id: string; status: string; amount: { amount: number } }; payment: { amountRefunded: { amount: number }; refunds: Array<{ id: string }> } };
}>;

let dir: string;
let sandbox: PaymentsSandbox;
let sandboxUrl: string;
let subgraph: PaymentsSubgraph;
let url: string;
let keySeq = 0;
const newKey = (): string => `test-key-${process.pid}-${Date.now()}-${++keySeq}`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'payments-mutations-'));
  sandbox = await createPaymentsSandbox(readPaymentsSandboxConfig({ SANDBOX_DATA_DIR: dir, SANDBOX_SCALE: '0.1' }));
  sandboxUrl = await sandbox.listen(0);
  subgraph = await createPaymentsSubgraph(testSubgraphConfig(sandboxUrl));
  url = await subgraph.server.listen(0);
});

afterAll(async () => {
  await subgraph?.server.close();
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
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

const payInput = (companyId: string, invoiceId: string, extra: Record<string, unknown> = {}) => ({
  customerId: companyId,
  invoiceId,
  amount: { amount: 12_345, currency: 'EUR' },
  idempotencyKey: newKey(),
  ...extra,
});

describe('payInvoice', () => {
  it("charges the customer's default card, writes the intent to the sandbox and reads it back", async () => {
    const companyId = '10000011';
    const invoiceId = '900001';
    const customer = await stripeCustomerOf(companyId);
    const res = await postGraphQL(url, PAY, { input: payInput(companyId, invoiceId) });
    expect(res.errors).toBeUndefined();
    const [intent] = await intentsFor(customer.id, invoiceId);
    expect(intent).toMatchObject({
      amount: 12_345,
      currency: 'eur',
      status: 'succeeded',
      payment_method: customer.invoice_settings.default_payment_method,
      metadata: { erp_invoice_id: invoiceId, crm_company_id: companyId },
      description: `Payment for ERP invoice ${invoiceId}`,
    });
    expect(res.data).toEqual({
      payInvoice: {
        payment: {
          id: intent!.id,
          status: 'SUCCEEDED',
          amount: { amount: 12_345, currency: 'EUR', formatted: '€123.45' },
          amountRefunded: { amount: 0 },
          invoice: { id: invoiceId },
          customer: { id: companyId },
          paymentMethod: { id: customer.invoice_settings.default_payment_method },
          failureCode: null,
        },
      },
    });
    const readBack = await postGraphQL(url, entitiesQuery('Invoice', 'payments { id status }'), { representations: representations('Invoice', [invoiceId]) });
    expect(readBack.data).toEqual({ _entities: [{ payments: [{ id: intent!.id, status: 'SUCCEEDED' }] }] });
  });

  it('returns the same payment for the same key and leaves one payment intent in the sandbox', async () => {
    const companyId = '10000012';
    const invoiceId = '900002';
    const input = payInput(companyId, invoiceId);
    const first = (await postGraphQL(url, PAY, { input })) as PayResult;
    const second = (await postGraphQL(url, PAY, { input })) as PayResult;
    expect(first.errors).toBeUndefined();
    expect(second.data).toEqual(first.data);
    const intents = await intentsFor((await stripeCustomerOf(companyId)).id, invoiceId);
    expect(intents.map((pi) => pi.id)).toEqual([first.data!.payInvoice.payment.id]);
  });

  it('refuses the same key with other parameters with CONFLICT', async () => {
    const input = payInput('10000013', '900003');
    expect((await postGraphQL(url, PAY, { input })).errors).toBeUndefined();
    const res = await postGraphQL(url, PAY, { input: { ...input, amount: { amount: 999, currency: 'EUR' } } });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', serviceName: 'payments' });
  });

  it('retries a keyed payment after a server error and still charges once', async () => {
    const companyId = '10000014';
    const invoiceId = '900004';
    const ops = sandboxOperator(sandboxUrl);
    await ops.resetStats();
    await ops.setFaults({ errorRate: 1, remaining: 1, operations: ['payment_intents.create'] });
    const res = (await postGraphQL(url, PAY, { input: payInput(companyId, invoiceId) })) as PayResult;
    expect(res.errors).toBeUndefined();
    expect((await ops.stats()).operations['payment_intents.create']).toBe(2);
    const intents = await intentsFor((await stripeCustomerOf(companyId)).id, invoiceId);
    expect(intents.map((pi) => pi.id)).toEqual([res.data!.payInvoice.payment.id]);
  });

  it('gives PAYMENT_DECLINED with the decline code and the failed payment, which the invoice then lists as FAILED', async () => {
    const invoiceId = '900005';
    const input = payInput('10000015', invoiceId, { paymentMethodId: 'pm_card_chargeDeclinedInsufficientFunds' });
    const res = await postGraphQL(url, PAY, { input });
    expect(res.data).toBeNull();
    const extensions = res.errors?.[0]?.extensions;
    expect(extensions).toMatchObject({ code: 'PAYMENT_DECLINED', serviceName: 'payments', declineCode: 'insufficient_funds', paymentId: expect.stringMatching(/^pi_/) });
    // The same key replays the decline: the card is not tried again.
    const again = await postGraphQL(url, PAY, { input });
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'PAYMENT_DECLINED', paymentId: extensions?.paymentId });
    const invoice = await postGraphQL(url, entitiesQuery('Invoice', 'payments { id status failureCode }'), { representations: representations('Invoice', [invoiceId]) });
    expect(invoice.data).toEqual({ _entities: [{ payments: [{ id: extensions?.paymentId, status: 'FAILED', failureCode: 'insufficient_funds' }] }] });
  });

  it('checks its input before calling the backend', async () => {
    const ops = sandboxOperator(sandboxUrl);
    await ops.resetStats();
    const bad = [
      payInput('10000016', '900006', { idempotencyKey: 'short' }),
      payInput('10000016', '900006', { idempotencyKey: 'k'.repeat(256) }),
      payInput('10000016', '900006', { amount: { amount: 0, currency: 'EUR' } }),
      payInput(' ', '900006'),
      payInput('10000016', ''),
      payInput('10000016', '900006', { paymentMethodId: '' }),
    ];
    for (const input of bad) {
      const res = await postGraphQL(url, PAY, { input });
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', serviceName: 'payments' });
    }
    expect((await ops.stats()).total).toBe(0);
  });

  it("gives NOT_FOUND for a company without a payment account, and BAD_USER_INPUT for another customer's card", async () => {
    const unknown = await postGraphQL(url, PAY, { input: payInput('99999999', '900007') });
    expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', serviceName: 'payments' });
    const other = await stripeCustomerOf('10000020');
    const foreignCard = await postGraphQL(url, PAY, { input: payInput('10000017', '900007', { paymentMethodId: other.invoice_settings.default_payment_method }) });
    expect(foreignCard.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', serviceName: 'payments', param: 'payment_method' });
  });
});

describe('refundPayment', () => {
  it('refunds part, replays the same key, then refunds the rest by default, and refuses a third refund', async () => {
    const paid = (await postGraphQL(url, PAY, { input: payInput('10000018', '900008') })) as PayResult;
    const paymentId = paid.data!.payInvoice.payment.id;

    const partialInput = { paymentId, amount: { amount: 2_345, currency: 'EUR' }, idempotencyKey: newKey() };
    const partial = (await postGraphQL(url, REFUND, { input: partialInput })) as RefundResult;
    expect(partial.errors).toBeUndefined();
    const refundId = partial.data!.refundPayment.refund.id;
    expect(partial.data).toEqual({
      refundPayment: {
        refund: { id: refundId, status: 'SUCCEEDED', amount: { amount: 2_345, currency: 'EUR' } },
        payment: { id: paymentId, amountRefunded: { amount: 2_345 }, refunds: [{ id: refundId, amount: { amount: 2_345 } }] },
      },
    });
    const replay = (await postGraphQL(url, REFUND, { input: partialInput })) as RefundResult;
    expect(replay.data!.refundPayment.refund.id).toBe(refundId);
    const refunds = await stripeGet<{ data: Array<{ id: string; amount: number }> }>(sandboxUrl, '/v1/refunds', { payment_intent: paymentId });
    expect(refunds.data.map((r) => r.id)).toEqual([refundId]);

    const rest = (await postGraphQL(url, REFUND, { input: { paymentId, idempotencyKey: newKey() } })) as RefundResult;
    expect(rest.data!.refundPayment.refund.amount.amount).toBe(12_345 - 2_345);
    expect(rest.data!.refundPayment.payment.amountRefunded.amount).toBe(12_345);
    expect(rest.data!.refundPayment.payment.refunds.map((r) => r.id)).toEqual([refundId, rest.data!.refundPayment.refund.id]);

    const third = await postGraphQL(url, REFUND, { input: { paymentId, idempotencyKey: newKey() } });
    expect(third.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', serviceName: 'payments' });
  });

  it('refuses a refund in another currency, an unknown payment and a bad amount', async () => {
    const paid = (await postGraphQL(url, PAY, { input: payInput('10000019', '900009') })) as PayResult;
    const paymentId = paid.data!.payInvoice.payment.id;
    const currency = await postGraphQL(url, REFUND, { input: { paymentId, amount: { amount: 100, currency: 'USD' }, idempotencyKey: newKey() } });
    expect(currency.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    const unknown = await postGraphQL(url, REFUND, { input: { paymentId: 'pi_NoSuchPaymentIntent0000', idempotencyKey: newKey() } });
    expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND' });
    const zero = await postGraphQL(url, REFUND, { input: { paymentId, amount: { amount: 0, currency: 'EUR' }, idempotencyKey: newKey() } });
    expect(zero.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    const refunds = await stripeGet<{ data: unknown[] }>(sandboxUrl, '/v1/refunds', { payment_intent: paymentId });
    expect(refunds.data).toHaveLength(0);
  });
});
