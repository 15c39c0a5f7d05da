/**
 * End to end with the real payments sandbox as the sender: an ERP invoice is paid, then
 * partly refunded, through the official stripe client; the payments sandbox delivers its
 * signed events to the ERP's /payment/stripe/webhook, and the invoice read back over
 * XML-RPC follows. Then the ERP restarts on its data file and a replay of the real event
 * changes nothing.
 */
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPaymentsSandboxConfig } from '../../../payments/src/config.js';
import { createPaymentsSandbox, type PaymentsSandbox } from '../../../payments/src/createPaymentsSandbox.js';
import { createErpSandbox, type ErpSandbox } from '../createErpSandbox.js';
import { TEST_SCALE, executeKw, tempDir, testConfig } from '../testSupport.js';
import { ack, findInvoices, postWebhook, readInvoice, signHeader, waitFor } from './testEvents.js';

describe('invoices paid through the payments sandbox', () => {
  const erpDir = tempDir();
  const paymentsDir = tempDir('payments-sandbox-');
  let erp: ErpSandbox;
  let erpUrl: string;
  let payments: PaymentsSandbox;
  let stripe: Stripe;

  beforeAll(async () => {
    erp = await createErpSandbox(testConfig(erpDir.dir));
    erpUrl = await erp.listen();
    payments = await createPaymentsSandbox(
      readPaymentsSandboxConfig({
        SANDBOX_DATA_DIR: paymentsDir.dir,
        SANDBOX_SCALE: TEST_SCALE,
        PAYMENTS_SANDBOX_PORT: '0',
        PAYMENTS_SANDBOX_WEBHOOK_URLS: `${erpUrl}/payment/stripe/webhook`,
        PAYMENTS_SANDBOX_WEBHOOK_RETRY_BASE_MS: '50',
      }),
    );
    const { hostname, port } = new URL(await payments.listen());
    stripe = new Stripe('sk_test_sandbox', { host: hostname, port: Number(port), protocol: 'http', maxNetworkRetries: 0, telemetry: false });
  });
  afterAll(async () => {
    await payments?.close();
    await erp?.close();
    paymentsDir.remove();
    erpDir.remove();
  });

  it('marks the invoice paid when its customer pays it with a saved card, partial after a refund, and keeps it across a restart', async () => {
    const [invoice] = await findInvoices(
      erpUrl,
      [
        ['payment_state', '=', 'not_paid'],
        ['state', '=', 'posted'],
      ],
      1,
    );
    expect(invoice).toBeDefined();
    const [partner] = (await executeKw(erpUrl, 'res.partner', 'read', [[invoice!.partnerId], ['ref']])) as Array<{ ref: string }>;
    const customers = await stripe.customers.search({ query: `metadata['crm_company_id']:'${partner!.ref}'` });
    expect(customers.data).toHaveLength(1);
    const customer = customers.data[0]!;
    const card = customer.invoice_settings.default_payment_method;
    expect(card).toMatch(/^pm_/);
    erp.resetStats();

    const intent = await stripe.paymentIntents.create({
      amount: invoice!.residual,
      currency: invoice!.currency,
      customer: customer.id,
      payment_method: card as string,
      confirm: true,
      metadata: { erp_invoice_id: String(invoice!.id) },
    });
    expect(intent).toMatchObject({ status: 'succeeded', amount_received: invoice!.total });

    const paid = await waitFor(async () => {
      const current = await readInvoice(erpUrl, invoice!.id);
      return current.paymentState === 'paid' && current;
    }, 'the invoice to be paid');
    expect(paid.residual).toBe(0);
    // payment_intent.created, charge.succeeded, payment_intent.succeeded: each delivered once, all accepted.
    await waitFor(async () => payments.stats().webhooks.pending === 0, 'the deliveries to finish');
    expect(payments.stats().webhooks).toEqual({ delivered: 3, failed: 0, abandoned: 0, pending: 0 });
    expect(erp.stats().operations['payment.stripe.webhook']).toBe(3);

    const refund = Math.max(1, Math.floor(invoice!.total / 4));
    await stripe.refunds.create({ payment_intent: intent.id, amount: refund });
    const refunded = await waitFor(async () => {
      const current = await readInvoice(erpUrl, invoice!.id);
      return current.residual === refund && current;
    }, 'the refund to reach the invoice');
    expect(refunded.paymentState).toBe(refund === invoice!.total ? 'not_paid' : 'partial');

    // Restart on the same data file; then Stripe (here, a test) replays the payment's event.
    await erp.close();
    erp = await createErpSandbox(testConfig(erpDir.dir));
    erpUrl = await erp.listen();
    expect(await readInvoice(erpUrl, invoice!.id)).toEqual(refunded);
    const [event] = (await stripe.events.list({ type: 'payment_intent.succeeded', limit: 1 })).data;
    expect(event).toMatchObject({ data: { object: { id: intent.id } } });
    const body = JSON.stringify(event, null, 2);
    expect(await postWebhook(erpUrl, body, signHeader(body))).toEqual(ack('duplicate'));
    expect(await readInvoice(erpUrl, invoice!.id)).toEqual(refunded);
  });
});
