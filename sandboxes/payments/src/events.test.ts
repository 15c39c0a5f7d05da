/**
 * GET /v1/events the way a consumer catches up after missed webhooks, through the
 * official client: `ending_before` the last event it saw gives the next newer events
 * (newest first, `has_more` while more are newer), `created[gt]` filters by time, and a
 * cursor that does not exist is refused with resource_missing.
 */
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type TestSandbox } from './testSandbox.js';

describe('the events list for catching up', () => {
  let t: TestSandbox;

  beforeAll(async () => {
    t = await startSandbox();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('pages towards newer events with ending_before, and filters by created', async () => {
    const pay = (): Promise<Stripe.PaymentIntent> =>
      t.stripe.paymentIntents.create({ amount: 1_000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    await pay();
    const [cursor] = (await t.stripe.events.list({ limit: 1 })).data;
    // Three more payments: each adds payment_intent.created, charge.succeeded and payment_intent.succeeded.
    const intents = [await pay(), await pay(), await pay()];

    const seen: Stripe.Event[] = [];
    let before = cursor!.id;
    let pages = 0;
    for (;;) {
      const page = await t.stripe.events.list({ ending_before: before, limit: 4 });
      pages++;
      // A page is the events just newer than the cursor, newest first.
      expect([...page.data].sort((a, b) => b.created - a.created).map((e) => e.id)).toEqual(page.data.map((e) => e.id));
      seen.push(...[...page.data].reverse());
      if (!page.has_more) break;
      before = page.data[0]!.id;
    }
    expect(pages).toBe(3);
    expect(seen.map((e) => e.type)).toEqual(Array.from({ length: 3 }, () => ['payment_intent.created', 'charge.succeeded', 'payment_intent.succeeded']).flat());
    expect(seen.filter((e) => e.type === 'payment_intent.succeeded').map((e) => (e.data.object as Stripe.PaymentIntent).id)).toEqual(
      intents.map((pi) => pi.id),
    );
    // Nothing newer than the newest.
    expect((await t.stripe.events.list({ ending_before: seen.at(-1)!.id })).data).toEqual([]);

    const newest = seen.at(-1)!.created;
    const later = await t.stripe.events.list({ created: { gt: newest - 1 }, limit: 100 });
    expect(later.data.length).toBeGreaterThan(0);
    for (const event of later.data) expect(event.created).toBeGreaterThan(newest - 1);
    expect((await t.stripe.events.list({ created: { gt: newest } })).data).toEqual([]);
  });

  it('refuses a cursor it does not know', async () => {
    await expect(t.stripe.events.list({ ending_before: 'evt_NoSuchEvent000000000000' })).rejects.toMatchObject({
      statusCode: 400,
      code: 'resource_missing',
      param: 'ending_before',
    });
  });
});
