/**
 * The ERP remembers the Stripe events it processed (to answer a redelivery `duplicate`)
 * for as long as Stripe keeps an event, 30 days by default, and then forgets them, on an
 * injected clock: the only thing the sandbox stores per webhook that is not business
 * data. Signatures are made with the real time, which the route checks.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readErpSandboxConfig } from '../config.js';
import { startSandbox, type RunningSandbox } from '../testSupport.js';
import { STRIPE_EVENTS } from './stripeLedger.js';
import { ack, findInvoices, paymentSucceeded, postEvent, readInvoice } from './testEvents.js';

const DAY = 24 * 60 * 60 * 1000;
const T0 = Date.UTC(2026, 5, 1, 12, 0, 0);

let running: RunningSandbox | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await running?.stop();
  running = undefined;
});

describe('retention of processed Stripe events', () => {
  it('forgets a processed event after 30 days; sent again then, it changes nothing', async () => {
    const clock = { now: T0 };
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    running = await startSandbox({}, { now: () => clock.now });
    const { sandbox, url } = running;
    const [invoice] = await findInvoices(url, [['payment_state', '=', 'not_paid']], 1);
    const event = paymentSucceeded({ invoiceId: invoice!.id, amount: invoice!.residual, currency: invoice!.currency });
    const processed = sandbox.registry.store;
    expect(processed.countDocs(STRIPE_EVENTS)).toBe(0);

    expect(await postEvent(url, event)).toEqual(ack('applied'));
    const paid = await readInvoice(url, invoice!.id);
    expect(paid).toMatchObject({ residual: 0, paymentState: 'paid', writeDate: '2026-06-01 12:00:00' });
    expect(processed.countDocs(STRIPE_EVENTS)).toBe(1);

    clock.now = T0 + 30 * DAY - 1;
    expect(sandbox.prune()).toEqual({ stripeEvents: 0 });
    expect(await postEvent(url, event)).toEqual(ack('duplicate'));

    clock.now = T0 + 30 * DAY;
    expect(sandbox.prune()).toEqual({ stripeEvents: 1 });
    expect(processed.countDocs(STRIPE_EVENTS)).toBe(0);
    // Stripe cannot send it any more; if something did, the intent's share is recomputed: no second payment.
    expect(await postEvent(url, event)).toEqual(ack('ignored'));
    expect(await readInvoice(url, invoice!.id)).toEqual(paid);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/ignored: invoice \d+ unchanged \(residual 0\)/);
  });

  it('reads its period and prune interval from the environment, 30 days and 5 minutes by default', () => {
    expect(readErpSandboxConfig({})).toMatchObject({ stripeEventRetentionMs: 30 * DAY, pruneIntervalMs: 300_000 });
    expect(readErpSandboxConfig({ ERP_SANDBOX_STRIPE_EVENT_RETENTION_MS: '1000', ERP_SANDBOX_PRUNE_INTERVAL_MS: '10' })).toMatchObject({
      stripeEventRetentionMs: 1000,
      pruneIntervalMs: 10,
    });
    expect(() => readErpSandboxConfig({ ERP_SANDBOX_STRIPE_EVENT_RETENTION_MS: '-1' })).toThrow('ERP_SANDBOX_STRIPE_EVENT_RETENTION_MS');
  });
});
