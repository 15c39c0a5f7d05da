import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import Stripe from 'stripe';
import { startSandbox, waitFor, type TestSandbox } from './testSandbox.js';

interface Received {
  body: string;
  signature: string;
  type: string;
  eventId: string;
  answered: number;
}

/** A webhook endpoint on 127.0.0.1:0 that records every delivery and answers with `status(type, nth)`. */
async function startReceiver(status: (type: string, nth: number) => number): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const event = JSON.parse(body) as { id: string; type: string };
      const nth = received.filter((r) => r.type === event.type).length + 1;
      const answered = status(event.type, nth);
      received.push({ body, signature: String(req.headers['stripe-signature']), type: event.type, eventId: event.id, answered });
      res.writeHead(answered).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received, server };
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const closeServer = (server: Server) => () => new Promise<void>((resolve) => server.close(() => resolve()));

describe('webhooks', () => {
  it('signs every delivery for constructEvent and retries a failed one with backoff', async () => {
    const receiver = await startReceiver((type, nth) => (type === 'payment_intent.succeeded' && nth === 1 ? 500 : 200));
    cleanups.push(closeServer(receiver.server));
    const t: TestSandbox = await startSandbox({ PAYMENTS_SANDBOX_WEBHOOK_URLS: receiver.url, PAYMENTS_SANDBOX_WEBHOOK_RETRY_BASE_MS: '50' });
    cleanups.push(() => t.close());

    const pi = await t.stripe.paymentIntents.create({ amount: 2_000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    await waitFor(() => t.sandbox.stats().webhooks.pending === 0 && receiver.received.length === 4, 'four delivery attempts');

    const succeeded = receiver.received.filter((r) => r.type === 'payment_intent.succeeded');
    expect(succeeded.map((r) => r.answered)).toEqual([500, 200]);
    expect(succeeded[0]!.eventId).toBe(succeeded[1]!.eventId);
    expect(receiver.received.map((r) => r.type).sort()).toEqual([
      'charge.succeeded',
      'payment_intent.created',
      'payment_intent.succeeded',
      'payment_intent.succeeded',
    ]);

    for (const delivery of receiver.received) {
      const event = t.stripe.webhooks.constructEvent(delivery.body, delivery.signature, 'whsec_sandbox');
      expect(event.type).toBe(delivery.type);
      expect(event).toMatchObject({ object: 'event', livemode: false, api_version: '2026-10-28.endive', request: { id: expect.stringMatching(/^req_/) } });
    }
    const event = t.stripe.webhooks.constructEvent(succeeded[1]!.body, succeeded[1]!.signature, 'whsec_sandbox');
    expect(event.data.object).toMatchObject({ id: pi.id, object: 'payment_intent', status: 'succeeded', amount_received: 2_000 });

    const tampered = succeeded[1]!.body.replace('"amount": 2000', '"amount": 1');
    expect(tampered).not.toBe(succeeded[1]!.body);
    expect(() => t.stripe.webhooks.constructEvent(tampered, succeeded[1]!.signature, 'whsec_sandbox')).toThrow(Stripe.errors.StripeSignatureVerificationError);
    expect(() => t.stripe.webhooks.constructEvent(succeeded[1]!.body, succeeded[1]!.signature, 'whsec_other')).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    );

    // Deliveries are counted apart from API calls: one API call, four attempts.
    const stats = t.sandbox.stats();
    expect(stats.operations).toEqual({ 'payment_intents.create': 1 });
    expect(stats.webhooks).toEqual({ delivered: 3, failed: 1, abandoned: 0, pending: 0 });
    expect((await t.stripe.events.retrieve(event.id)).pending_webhooks).toBe(0);
    const view = (await (await fetch(`${t.url}/__payments/webhooks`)).json()) as { delivered: number; deliveries: Array<{ event: string; attempts: number }> };
    expect(view.delivered).toBe(3);
    expect(view.deliveries.find((d) => d.event === event.id)).toMatchObject({ attempts: 2, state: 'delivered', last_status: 200 });
  });

  it('gives a delivery up after the configured number of attempts', async () => {
    const receiver = await startReceiver(() => 503);
    cleanups.push(closeServer(receiver.server));
    const t = await startSandbox({
      PAYMENTS_SANDBOX_WEBHOOK_URLS: receiver.url,
      PAYMENTS_SANDBOX_WEBHOOK_RETRY_BASE_MS: '10',
      PAYMENTS_SANDBOX_WEBHOOK_MAX_ATTEMPTS: '3',
    });
    cleanups.push(() => t.close());
    await t.stripe.paymentIntents.create({ amount: 2_000, currency: 'usd' });
    await waitFor(() => t.sandbox.stats().webhooks.abandoned === 1, 'the delivery to be given up');
    expect(receiver.received.map((r) => r.answered)).toEqual([503, 503, 503]);
    expect(t.sandbox.stats().webhooks).toEqual({ delivered: 0, failed: 3, abandoned: 1, pending: 0 });
  });

  it('resumes pending deliveries after a restart', async () => {
    let accepting = false;
    const receiver = await startReceiver(() => (accepting ? 200 : 500));
    cleanups.push(closeServer(receiver.server));
    const dir = mkdtempSync(join(tmpdir(), 'payments-webhooks-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const env = { PAYMENTS_SANDBOX_WEBHOOK_URLS: receiver.url, PAYMENTS_SANDBOX_WEBHOOK_RETRY_BASE_MS: '100' };

    const first = await startSandbox(env, dir);
    const pi = await first.stripe.paymentIntents.create({ amount: 2_000, currency: 'usd' });
    await waitFor(() => first.sandbox.stats().webhooks.failed === 1, 'the first attempt to fail');
    await first.close();

    accepting = true;
    const second = await startSandbox(env, dir);
    cleanups.push(() => second.close());
    await waitFor(() => second.sandbox.stats().webhooks.delivered === 1, 'the delivery to resume');
    const delivered = receiver.received.filter((r) => r.answered === 200);
    expect(delivered).toHaveLength(1);
    const event = second.stripe.webhooks.constructEvent(delivered[0]!.body, delivered[0]!.signature, 'whsec_sandbox');
    expect(event).toMatchObject({ type: 'payment_intent.created', data: { object: { id: pi.id } } });
  });

  it('sends the events an endpoint created through the API enables, signed with its own secret', async () => {
    const receiver = await startReceiver(() => 200);
    cleanups.push(closeServer(receiver.server));
    const t = await startSandbox();
    cleanups.push(() => t.close());
    const endpoint = await t.stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['payment_intent.succeeded'] });
    expect(endpoint).toMatchObject({ object: 'webhook_endpoint', status: 'enabled', url: receiver.url, secret: expect.stringMatching(/^whsec_/) });
    expect((await t.stripe.webhookEndpoints.retrieve(endpoint.id)).secret).toBeUndefined();

    await t.stripe.paymentIntents.create({ amount: 2_000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    await waitFor(() => t.sandbox.stats().webhooks.delivered === 1 && t.sandbox.stats().webhooks.pending === 0, 'one delivery');
    expect(receiver.received.map((r) => r.type)).toEqual(['payment_intent.succeeded']);
    const event = t.stripe.webhooks.constructEvent(receiver.received[0]!.body, receiver.received[0]!.signature, endpoint.secret!);
    expect(event.type).toBe('payment_intent.succeeded');

    await t.stripe.webhookEndpoints.del(endpoint.id);
    await t.stripe.paymentIntents.create({ amount: 2_000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    expect(t.sandbox.stats().webhooks.pending).toBe(0);
    expect((await t.stripe.webhookEndpoints.list()).data).toEqual([]);
  });
});
