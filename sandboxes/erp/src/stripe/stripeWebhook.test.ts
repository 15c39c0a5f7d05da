/**
 * POST /payment/stripe/webhook through HTTP, with events built and signed here as Stripe
 * builds and signs them, and the invoices read back over XML-RPC as a client sees them.
 */
import Stripe from 'stripe';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { generateWorld } from '../../../kit/src/index.js';
import { TEST_SCALE, executeKw, startSandbox, type RunningSandbox } from '../testSupport.js';
import {
  TEST_SECRET,
  ack,
  chargeRefunded,
  findInvoices,
  paymentSucceeded,
  postEvent,
  postWebhook,
  readInvoice,
  signHeader,
  testId,
  type InvoiceView,
} from './testEvents.js';

describe('the Stripe webhook', () => {
  let running: RunningSandbox;
  let url: string;
  /** Seed invoices nothing has been paid on, each used by one test. */
  let unpaid: InvoiceView[];
  const warnings: string[] = [];

  beforeAll(async () => {
    running = await startSandbox();
    url = running.url;
    unpaid = await findInvoices(url, [['payment_state', '=', 'not_paid']], 12);
    expect(unpaid).toHaveLength(12);
  });
  afterAll(async () => {
    await running?.stop();
  });
  beforeEach(() => {
    warnings.length = 0;
    vi.spyOn(console, 'warn').mockImplementation((message: unknown) => void warnings.push(String(message)));
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const stats = async (): Promise<Record<string, number>> =>
    ((await (await fetch(`${url}/__sandbox/stats`)).json()) as { operations: Record<string, number> }).operations;

  it('records a payment that settles an invoice, once, however often the event comes', async () => {
    const invoice = unpaid[0]!;
    await fetch(`${url}/__sandbox/stats/reset`, { method: 'POST' });
    const event = paymentSucceeded({ invoiceId: invoice.id, amount: invoice.residual, currency: invoice.currency });
    const body = JSON.stringify(event, null, 2);
    expect(await postWebhook(url, body)).toEqual(ack('applied'));

    const paid = await readInvoice(url, invoice.id);
    expect(paid).toMatchObject({ total: invoice.total, residual: 0, paymentState: 'paid' });
    expect(paid.writeDate).not.toBe(invoice.writeDate);

    // Stripe redelivers (a timeout on its side, a retry): the same event changes nothing.
    expect(await postWebhook(url, body)).toEqual(ack('duplicate'));
    expect(await postWebhook(url, body, signHeader(body, TEST_SECRET, Math.floor(Date.now() / 1000) - 60))).toEqual(ack('duplicate'));
    expect(await readInvoice(url, invoice.id)).toEqual(paid);
    expect(warnings).toEqual([]);
    expect((await stats())['payment.stripe.webhook']).toBe(3);
  });

  it('leaves a payment.transaction per applied intent, which a client finds by provider reference, as in Odoo', async () => {
    const invoice = unpaid[11]!;
    const intentId = testId('pi');
    const transactions = (ids: string[]) =>
      executeKw(
        url,
        'payment.transaction',
        'search_read',
        [
          [
            ['provider_reference', 'in', ids],
            ['state', '=', 'done'],
          ],
        ],
        { fields: ['provider_reference', 'amount', 'state', 'invoice_ids'] },
      );
    expect(await transactions([intentId])).toEqual([]);
    expect(await postWebhook(url, JSON.stringify(paymentSucceeded({ intentId, invoiceId: invoice.id, amount: 1_000, currency: invoice.currency })))).toEqual(
      ack('applied'),
    );
    expect(await transactions([intentId, 'pi_NotAppliedAnywhere0000'])).toEqual([
      { id: expect.any(Number), provider_reference: intentId, amount: 10, state: 'done', invoice_ids: [invoice.id] },
    ]);
    // The seed's succeeded payments were applied before the ERP was handed over: each has its transaction.
    const seeded = generateWorld({ seed: 1, scale: Number(TEST_SCALE) }).payments.find((p) => p.status === 'succeeded')!;
    expect(await transactions([seeded.id])).toEqual([
      { id: expect.any(Number), provider_reference: seeded.id, amount: seeded.amountMinor / 100, state: 'done', invoice_ids: [seeded.invoiceErpId] },
    ]);
  });

  it('records a partial payment, and accepts the header stripe-node generates', async () => {
    const invoice = unpaid[1]!;
    const part = Math.floor(invoice.total / 3);
    const body = JSON.stringify(paymentSucceeded({ invoiceId: invoice.id, amount: part, currency: invoice.currency }));
    const stripe = new Stripe('sk_test_unused');
    expect(await postWebhook(url, body, stripe.webhooks.generateTestHeaderString({ payload: body, secret: TEST_SECRET }))).toEqual(ack('applied'));
    expect(await readInvoice(url, invoice.id)).toMatchObject({ residual: invoice.total - part, paymentState: 'partial' });
  });

  it('gives back refunds: only what is new in the cumulative amount_refunded, found through the intent when the charge has no invoice id', async () => {
    const invoice = unpaid[2]!;
    const intentId = testId('pi');
    const money = { intentId, amount: invoice.total, currency: invoice.currency };
    expect(await postEvent(url, paymentSucceeded({ ...money, invoiceId: invoice.id }))).toEqual(ack('applied'));
    expect(await readInvoice(url, invoice.id)).toMatchObject({ residual: 0, paymentState: 'paid' });

    const first = chargeRefunded({ ...money, invoiceId: invoice.id, amountRefunded: 500 });
    expect(await postEvent(url, first)).toEqual(ack('applied'));
    expect(await readInvoice(url, invoice.id)).toMatchObject({ residual: 500, paymentState: 'partial' });

    // The charge of this refund does not carry the invoice id: the intent recorded at payment time does.
    expect(await postEvent(url, chargeRefunded({ ...money, invoiceId: null, amountRefunded: 800, previouslyRefunded: 500 }))).toEqual(ack('applied'));
    expect(await readInvoice(url, invoice.id)).toMatchObject({ residual: 800, paymentState: 'partial' });

    // An older refund event arriving late (another event id, a smaller cumulative amount) adds nothing.
    expect(await postEvent(url, { ...first, id: testId('evt') })).toEqual(ack('ignored'));
    expect(await readInvoice(url, invoice.id)).toMatchObject({ residual: 800 });
    expect(warnings).toEqual([expect.stringMatching(new RegExp(`ignored: invoice ${invoice.id} unchanged \\(residual 800\\)$`))]);

    expect(await postEvent(url, chargeRefunded({ ...money, invoiceId: null, amountRefunded: invoice.total, previouslyRefunded: 800 }))).toEqual(ack('applied'));
    expect(await readInvoice(url, invoice.id)).toMatchObject({ residual: invoice.total, paymentState: 'not_paid' });
  });

  it('refunds a payment of the seed by the new refund only, the seeded ones being already in the invoice', async () => {
    const world = generateWorld({ seed: 1, scale: Number(TEST_SCALE) });
    const payment = world.payments.find((p) => p.status === 'succeeded' && p.refunds.length > 0);
    expect(payment).toBeDefined();
    const seeded = payment!.refunds.reduce((sum, refund) => sum + refund.amountMinor, 0);
    const before = await readInvoice(url, payment!.invoiceErpId);
    expect(before.residual).toBe(seeded);
    const event = chargeRefunded({
      intentId: payment!.id,
      amount: payment!.amountMinor,
      currency: payment!.currency.toLowerCase(),
      invoiceId: payment!.invoiceErpId,
      amountRefunded: seeded + 100,
      previouslyRefunded: seeded,
    });
    expect(await postEvent(url, event)).toEqual(ack('applied'));
    expect(await readInvoice(url, payment!.invoiceErpId)).toMatchObject({ residual: seeded + 100, paymentState: 'partial' });
  });

  it('never takes the residual below zero, and a refund of the excess leaves the invoice paid', async () => {
    const invoice = unpaid[3]!;
    const intentId = testId('pi');
    const money = { intentId, amount: invoice.total + 1000, currency: invoice.currency };
    expect(await postEvent(url, paymentSucceeded({ ...money, invoiceId: invoice.id }))).toEqual(ack('applied'));
    expect(await readInvoice(url, invoice.id)).toMatchObject({ residual: 0, paymentState: 'paid' });
    expect(await postEvent(url, chargeRefunded({ ...money, invoiceId: invoice.id, amountRefunded: 1000 }))).toEqual(ack('applied'));
    expect(await readInvoice(url, invoice.id)).toMatchObject({ residual: 0, paymentState: 'paid' });
    expect(await postEvent(url, chargeRefunded({ ...money, invoiceId: invoice.id, amountRefunded: 1300, previouslyRefunded: 1000 }))).toEqual(ack('applied'));
    expect(await readInvoice(url, invoice.id)).toMatchObject({ residual: 300, paymentState: 'partial' });
  });

  it('ends right when a refund arrives before the payment it refunds', async () => {
    const invoice = unpaid[4]!;
    const intentId = testId('pi');
    const money = { intentId, amount: invoice.total, currency: invoice.currency };
    expect(await postEvent(url, chargeRefunded({ ...money, invoiceId: invoice.id, amountRefunded: 700 }))).toEqual(ack('applied'));
    expect(await readInvoice(url, invoice.id)).toEqual(invoice);
    expect(await postEvent(url, paymentSucceeded({ ...money, invoiceId: invoice.id }))).toEqual(ack('applied'));
    expect(await readInvoice(url, invoice.id)).toMatchObject({ residual: 700, paymentState: 'partial' });
  });

  it('answers 400 to a missing or bad signature or a body that is not an event, and changes nothing', async () => {
    const invoice = unpaid[5]!;
    const event = paymentSucceeded({ invoiceId: invoice.id, amount: invoice.total, currency: invoice.currency });
    const body = JSON.stringify(event);
    const now = Math.floor(Date.now() / 1000);
    const bad: Array<[string | null, string]> = [
      [null, 'No stripe-signature header value was provided.'],
      ['', 'No stripe-signature header value was provided.'],
      ['garbage', 'Unable to extract timestamp and signatures from header'],
      [`t=${now}`, 'No signatures found with expected scheme'],
      [signHeader(body, 'whsec_other'), 'No signatures found matching the expected signature for payload.'],
      [signHeader(body.replace(`"amount":${invoice.total}`, '"amount":1'), TEST_SECRET), 'No signatures found matching'],
      [signHeader(body, TEST_SECRET, now - 301), 'Timestamp outside the tolerance zone'],
      [signHeader(body, TEST_SECRET).replace('v1=', 'v0='), 'No signatures found with expected scheme'],
    ];
    for (const [header, reason] of bad) {
      const response = await postWebhook(url, body, header);
      expect(response.status, String(header)).toBe(400);
      expect(response.body).toContain('<h1>Bad Request</h1>');
      expect(response.body).toContain(reason);
    }
    for (const [payload, reason] of [
      ['{"id": "evt_1", "type": ', 'not valid JSON'],
      ['[1, 2]', 'not a Stripe event'],
      ['{"id": 7, "type": "payment_intent.succeeded"}', 'not a Stripe event'],
      ['null', 'not a Stripe event'],
    ]) {
      const response = await postWebhook(url, payload!);
      expect(response.status, payload).toBe(400);
      expect(response.body).toContain(reason);
    }
    expect(await readInvoice(url, invoice.id)).toEqual(invoice);

    // None of that used up the event id: the genuine delivery still applies.
    expect(await postWebhook(url, body)).toEqual(ack('applied'));
    expect(await readInvoice(url, invoice.id)).toMatchObject({ residual: 0, paymentState: 'paid' });
  });

  it('accepts any one of several v1 signatures, as while Stripe rolls a secret', async () => {
    const invoice = unpaid[6]!;
    const body = JSON.stringify(paymentSucceeded({ invoiceId: invoice.id, amount: 100, currency: invoice.currency }));
    const good = signHeader(body);
    const [t, v1] = good.split(',');
    const header = `${t},v1=${'0'.repeat(64)},${v1},v0=${'f'.repeat(64)}`;
    expect(await postWebhook(url, body, header)).toEqual(ack('applied'));
    expect(await readInvoice(url, invoice.id)).toMatchObject({ residual: invoice.total - 100, paymentState: 'partial' });
  });

  it('acknowledges and ignores what it cannot record: another currency, no invoice, not a customer invoice, other event types', async () => {
    const invoice = unpaid[7]!;
    const other = invoice.currency === 'usd' ? 'eur' : 'usd';
    const wrongCurrency = paymentSucceeded({ invoiceId: invoice.id, amount: invoice.total, currency: other });
    expect(await postEvent(url, wrongCurrency)).toEqual(ack('ignored'));
    expect(warnings).toEqual([
      `[erp sandbox] stripe event ${String(wrongCurrency.id)} (payment_intent.succeeded) ignored: invoice ${invoice.id} is in ${invoice.currency.toUpperCase()}, the payment in ${other}`,
    ]);
    expect(await postEvent(url, paymentSucceeded({ invoiceId: 999_999, amount: 100, currency: 'usd' }))).toEqual(ack('ignored'));
    expect(await postEvent(url, paymentSucceeded({ invoiceId: null, amount: 100, currency: 'usd' }))).toEqual(ack('ignored'));
    expect(await postEvent(url, paymentSucceeded({ invoiceId: 'INV/2025/00001', amount: 100, currency: 'usd' }))).toEqual(ack('ignored'));
    const draftId = (await executeKw(url, 'account.move', 'create', [{ move_type: 'out_refund', partner_id: invoice.partnerId, amount_total: 10 }])) as number;
    expect(await postEvent(url, paymentSucceeded({ invoiceId: draftId, amount: 100, currency: invoice.currency }))).toEqual(ack('ignored'));
    const malformed = {
      ...paymentSucceeded({ invoiceId: invoice.id, amount: 100, currency: invoice.currency }),
      data: { object: { id: 'pi_x', amount_received: '100' } },
    };
    expect(await postEvent(url, malformed)).toEqual(ack('ignored'));
    expect(await postEvent(url, { ...paymentSucceeded({ invoiceId: invoice.id, amount: 1, currency: invoice.currency }), type: 'charge.succeeded' })).toEqual(
      ack('unhandled'),
    );
    expect(await readInvoice(url, invoice.id)).toEqual(invoice);
    expect(warnings.slice(1).map((w) => w.replace(/^.*ignored: /, ''))).toEqual([
      'account.move 999999 does not exist',
      expect.stringMatching(/^payment intent pi_\w+ names no invoice \(metadata.erp_invoice_id\)$/),
      expect.stringMatching(/names no invoice/),
      `account.move ${draftId} is out_refund, not a customer invoice (out_invoice)`,
      'the payment intent has no id, amount_received or currency',
    ]);
  });

  it('counts every POST as payment.stripe.webhook, and answers other verbs 405 without counting them', async () => {
    await fetch(`${url}/__sandbox/stats/reset`, { method: 'POST' });
    await postWebhook(url, '{}', 'nope');
    await postEvent(url, { id: testId('evt'), object: 'event', type: 'customer.created', data: { object: {} } });
    const get = await fetch(`${url}/payment/stripe/webhook`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(await stats()).toEqual({ 'payment.stripe.webhook': 2 });
  });

  it('answers an injected fault as the reverse proxy would, so that Stripe retries, then applies the retry', async () => {
    const invoice = unpaid[8]!;
    const body = JSON.stringify(paymentSucceeded({ invoiceId: invoice.id, amount: invoice.total, currency: invoice.currency }));
    await fetch(`${url}/__sandbox/faults`, { method: 'POST', body: JSON.stringify({ errorRate: 1, operations: ['payment.stripe.'] }) });
    try {
      expect((await postWebhook(url, body)).status).toBe(503);
      expect(await readInvoice(url, invoice.id)).toEqual(invoice);
    } finally {
      await fetch(`${url}/__sandbox/faults`, { method: 'DELETE' });
    }
    expect(await postWebhook(url, body)).toEqual(ack('applied'));
    expect(await readInvoice(url, invoice.id)).toMatchObject({ residual: 0, paymentState: 'paid' });
  });
});
