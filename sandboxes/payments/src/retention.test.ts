/**
 * Retention as Stripe documents it, on an injected clock (nothing waits for time to
 * pass): idempotency keys are honoured 24 hours and then pruned, events are listed and
 * retrievable 30 days and then pruned, finished webhook deliveries go with their
 * events. Rows are counted in the data file through the store.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../kit/src/index.js';
import { DEFAULT_EVENT_RETENTION_MS, DEFAULT_IDEMPOTENCY_RETENTION_MS, readPaymentsSandboxConfig } from './config.js';
import { IDEMPOTENCY_META_PREFIX } from './idempotency.js';
import { startSandbox, waitFor, type TestSandbox } from './testSandbox.js';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
/** A whole second, so that an event's `created` (unix seconds) is exactly the clock's time. */
const T0 = Date.UTC(2026, 5, 1, 12, 0, 0);

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A sandbox on a clock the test moves by hand. */
async function sandboxOnClock(env: Record<string, string> = {}): Promise<{ t: TestSandbox; clock: { now: number } }> {
  const clock = { now: T0 };
  const t = await startSandbox(env, undefined, { now: () => clock.now });
  cleanups.push(() => t.close());
  return { t, clock };
}

const pay = (invoiceId: string): Stripe.PaymentIntentCreateParams => ({
  amount: 4_200,
  currency: 'usd',
  payment_method: 'pm_card_visa',
  confirm: true,
  metadata: { erp_invoice_id: invoiceId },
});

describe('retention of idempotency keys (24 hours)', () => {
  it('replays a key within 24 hours; after 24 hours it is pruned and the same key makes a new request', async () => {
    const { t, clock } = await sandboxOnClock();
    const store = t.sandbox.state.store;
    const idempotencyRows = () => store.countMeta(IDEMPOTENCY_META_PREFIX);
    expect(idempotencyRows()).toBe(0);

    const first = await t.stripe.paymentIntents.create(pay('720001'), { idempotencyKey: 'retained-720001' });
    expect(first.created).toBe(T0 / 1000);
    expect(idempotencyRows()).toBe(1);

    clock.now = T0 + DAY - 1;
    const replayed = await t.stripe.paymentIntents.create(pay('720001'), { idempotencyKey: 'retained-720001' });
    expect(replayed.id).toBe(first.id);
    expect(replayed.lastResponse.headers['idempotent-replayed']).toBe('true');
    // Not yet 24 hours old: nothing to prune.
    expect(t.sandbox.prune()).toEqual({ idempotencyKeys: 0, events: 0, deliveries: 0 });
    expect(idempotencyRows()).toBe(1);

    clock.now = T0 + DAY;
    expect(t.sandbox.prune()).toEqual({ idempotencyKeys: 1, events: 0, deliveries: 0 });
    expect(idempotencyRows()).toBe(0);

    const again = await t.stripe.paymentIntents.create(pay('720001'), { idempotencyKey: 'retained-720001' });
    expect(again.id).not.toBe(first.id);
    expect(again.created).toBe((T0 + DAY) / 1000);
    expect(again.lastResponse.headers['idempotent-replayed']).toBeUndefined();
    const found = await t.stripe.paymentIntents.search({ query: "metadata['erp_invoice_id']:'720001'", expand: ['total_count'] });
    expect(found.total_count).toBe(2);
    // The new request saved its own record, dated now: the next prune keeps it.
    expect(idempotencyRows()).toBe(1);
    expect(t.sandbox.prune().idempotencyKeys).toBe(0);
    // And it is replayed in turn.
    const replayedAgain = await t.stripe.paymentIntents.create(pay('720001'), { idempotencyKey: 'retained-720001' });
    expect(replayedAgain.id).toBe(again.id);
  });

  it('treats an expired key as new even before it is pruned, and dates its new record anew', async () => {
    const { t, clock } = await sandboxOnClock();
    const first = await t.stripe.customers.create({ name: 'Before' }, { idempotencyKey: 'expires-unpruned' });
    clock.now = T0 + DAY;
    // No prune: the old record is still in the file, but no longer honoured.
    const second = await t.stripe.customers.create({ name: 'After' }, { idempotencyKey: 'expires-unpruned' });
    expect(second.id).not.toBe(first.id);
    expect(second.lastResponse.headers['idempotent-replayed']).toBeUndefined();
    // The record was replaced by one of now: pruning at this time keeps it.
    expect(t.sandbox.prune().idempotencyKeys).toBe(0);
    expect(t.sandbox.state.store.countMeta(IDEMPOTENCY_META_PREFIX)).toBe(1);
    const replayed = await t.stripe.customers.create({ name: 'After' }, { idempotencyKey: 'expires-unpruned' });
    expect(replayed.id).toBe(second.id);
  });

  it('prunes on its own, on an unref-ed timer, every PAYMENTS_SANDBOX_PRUNE_INTERVAL_MS', async () => {
    const { t, clock } = await sandboxOnClock({ PAYMENTS_SANDBOX_PRUNE_INTERVAL_MS: '10' });
    await t.stripe.customers.create({ name: 'Timer' }, { idempotencyKey: 'timer-1' });
    const store = t.sandbox.state.store;
    expect(store.countMeta(IDEMPOTENCY_META_PREFIX)).toBe(1);
    clock.now = T0 + DAY;
    await waitFor(() => store.countMeta(IDEMPOTENCY_META_PREFIX) === 0, 'the timer to prune the expired key');
  });
});

describe('retention of events (30 days)', () => {
  it('lists and retrieves an event for 30 days; then it is a 404 resource_missing, left out of lists, and its row is deleted', async () => {
    const { t, clock } = await sandboxOnClock();
    const events = t.sandbox.state.store;
    expect(events.countDocs('events')).toBe(0);

    const old = await t.stripe.customers.create({ name: 'Old customer' });
    const [oldEvent] = (await t.stripe.events.list({ type: 'customer.created' })).data;
    expect(oldEvent).toMatchObject({ created: T0 / 1000, data: { object: { id: old.id } } });

    clock.now = T0 + 29 * DAY;
    const recent = await t.stripe.customers.create({ name: 'Recent customer' });
    const recentEvent = (await t.stripe.events.list({ type: 'customer.created' })).data.find((e) => (e.data.object as Stripe.Customer).id === recent.id)!;
    expect(events.countDocs('events')).toBe(2);

    // The last millisecond of the 30 days: still there, nothing pruned.
    clock.now = T0 + 30 * DAY - 1;
    expect((await t.stripe.events.list({ limit: 100 })).data.map((e) => e.id)).toEqual([recentEvent.id, oldEvent!.id]);
    expect((await t.stripe.events.retrieve(oldEvent!.id)).id).toBe(oldEvent!.id);
    expect(t.sandbox.prune()).toMatchObject({ events: 0 });
    expect(events.countDocs('events')).toBe(2);

    // 30 days old: gone from the API at once, as Stripe shows only the last 30 days...
    clock.now = T0 + 30 * DAY;
    expect((await t.stripe.events.list({ limit: 100 })).data.map((e) => e.id)).toEqual([recentEvent.id]);
    const missing = {
      statusCode: 404,
      type: 'StripeInvalidRequestError',
      code: 'resource_missing',
      param: 'id',
      message: `No such event: '${oldEvent!.id}'`,
    };
    await expect(t.stripe.events.retrieve(oldEvent!.id)).rejects.toMatchObject(missing);
    await expect(t.stripe.events.list({ ending_before: oldEvent!.id })).rejects.toMatchObject({
      statusCode: 400,
      code: 'resource_missing',
      param: 'ending_before',
    });

    // ...and out of the file once pruned.
    expect(t.sandbox.prune()).toMatchObject({ events: 1 });
    expect(events.countDocs('events')).toBe(1);
    expect(t.sandbox.state.events.size).toBe(1);
    expect(t.sandbox.state.events.all.entries.map((e) => e.id)).toEqual([recentEvent.id]);
    await expect(t.stripe.events.retrieve(oldEvent!.id)).rejects.toMatchObject(missing);
    expect((await t.stripe.events.retrieve(recentEvent.id)).id).toBe(recentEvent.id);
    // Only events go: the customer itself is data, kept.
    expect((await t.stripe.customers.retrieve(old.id)) as Stripe.Customer).toMatchObject({ id: old.id, name: 'Old customer' });

    clock.now = T0 + 59 * DAY;
    expect(t.sandbox.prune()).toMatchObject({ events: 1 });
    expect(events.countDocs('events')).toBe(0);
    expect((await t.stripe.events.list()).data).toEqual([]);
  });

  it('prunes delivered and given-up webhook deliveries with their events, and keeps a pending one', async () => {
    const hanging: ServerResponse[] = [];
    const receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.url === '/ok') res.writeHead(200).end();
        else if (req.url === '/fail') res.writeHead(500).end();
        else hanging.push(res); // never answered: the delivery stays in flight
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          receiver.closeAllConnections();
          receiver.close(() => resolve());
        }),
    );
    const base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    const { t, clock } = await sandboxOnClock({
      PAYMENTS_SANDBOX_WEBHOOK_URLS: `${base}/ok,${base}/fail,${base}/hang`,
      PAYMENTS_SANDBOX_WEBHOOK_MAX_ATTEMPTS: '1',
      PAYMENTS_SANDBOX_WEBHOOK_TIMEOUT_MS: '600000',
    });
    const store = t.sandbox.state.store;

    await t.stripe.customers.create({ name: 'Webhooked' });
    await waitFor(() => {
      const { delivered, abandoned, pending } = t.sandbox.stats().webhooks;
      return delivered === 1 && abandoned === 1 && pending === 1 && hanging.length === 1;
    }, 'one delivery delivered, one given up, one in flight');
    const byEndpoint = () => Object.fromEntries([...t.sandbox.state.deliveries.values()].map((d) => [d.endpoint.slice(d.endpoint.lastIndexOf('/')), d.state]));
    expect(byEndpoint()).toEqual({ '/ok': 'delivered', '/fail': 'failed', '/hang': 'pending' });
    expect(store.countDocs('webhook_deliveries')).toBe(3);

    clock.now = T0 + 30 * DAY - 1;
    expect(t.sandbox.prune()).toMatchObject({ events: 0, deliveries: 0 });
    expect(store.countDocs('webhook_deliveries')).toBe(3);

    clock.now = T0 + 30 * DAY;
    expect(t.sandbox.prune()).toMatchObject({ events: 1, deliveries: 2 });
    expect(store.countDocs('events')).toBe(0);
    expect(store.countDocs('webhook_deliveries')).toBe(1);
    expect(byEndpoint()).toEqual({ '/hang': 'pending' });
    // Pending is kept however old it is.
    clock.now = T0 + 90 * DAY;
    expect(t.sandbox.prune()).toMatchObject({ deliveries: 0 });
    expect(store.countDocs('webhook_deliveries')).toBe(1);
  });
});

describe('retention configuration', () => {
  it("defaults to Stripe's periods, reads each from its variable and refuses a bad one by name", () => {
    const defaults = readPaymentsSandboxConfig({});
    expect(defaults).toMatchObject({ idempotencyRetentionMs: 86_400_000, eventRetentionMs: 2_592_000_000, pruneIntervalMs: 300_000 });
    expect(DEFAULT_IDEMPOTENCY_RETENTION_MS).toBe(24 * HOUR);
    expect(DEFAULT_EVENT_RETENTION_MS).toBe(30 * DAY);
    expect(
      readPaymentsSandboxConfig({
        PAYMENTS_SANDBOX_IDEMPOTENCY_RETENTION_MS: '60000',
        PAYMENTS_SANDBOX_EVENT_RETENTION_MS: '120000',
        PAYMENTS_SANDBOX_PRUNE_INTERVAL_MS: '1000',
      }),
    ).toMatchObject({ idempotencyRetentionMs: 60_000, eventRetentionMs: 120_000, pruneIntervalMs: 1_000 });
    for (const name of ['PAYMENTS_SANDBOX_IDEMPOTENCY_RETENTION_MS', 'PAYMENTS_SANDBOX_EVENT_RETENTION_MS', 'PAYMENTS_SANDBOX_PRUNE_INTERVAL_MS']) {
      expect(() => readPaymentsSandboxConfig({ [name]: '0' })).toThrow(ConfigError);
      expect(() => readPaymentsSandboxConfig({ [name]: 'soon' })).toThrow(name);
    }
  });

  it('applies configured periods', async () => {
    const { t, clock } = await sandboxOnClock({
      PAYMENTS_SANDBOX_IDEMPOTENCY_RETENTION_MS: String(HOUR),
      PAYMENTS_SANDBOX_EVENT_RETENTION_MS: String(2 * HOUR),
    });
    const first = await t.stripe.customers.create({ name: 'Short' }, { idempotencyKey: 'short-lived' });
    const [event] = (await t.stripe.events.list()).data;

    clock.now = T0 + HOUR;
    expect(t.sandbox.prune()).toMatchObject({ idempotencyKeys: 1, events: 0 });
    const second = await t.stripe.customers.create({ name: 'Short' }, { idempotencyKey: 'short-lived' });
    expect(second.id).not.toBe(first.id);
    expect((await t.stripe.events.retrieve(event!.id)).id).toBe(event!.id);

    clock.now = T0 + 2 * HOUR;
    await expect(t.stripe.events.retrieve(event!.id)).rejects.toMatchObject({ statusCode: 404, code: 'resource_missing' });
    expect(t.sandbox.prune()).toMatchObject({ events: 1 });
  });
});
