/**
 * events/paymentEventStream.ts: a subscription's events, filtered, queued while the
 * consumer is slow (the oldest dropped past the bound), and over at once on return(),
 * even while a next() is waiting.
 */
import { describe, expect, it } from 'vitest';
import type { PaymentEventModel } from '../models.js';
import { capturingLogger } from '../testSupport.js';
import { createPaymentEventBus } from './PaymentEventBus.js';
import { paymentEventStream } from './paymentEventStream.js';

function event(id: string, customerId: string): PaymentEventModel {
  const payment = {
    id: `pi_${id}`,
    amount: 100,
    currency: 'USD' as const,
    amountRefunded: 0,
    status: 'SUCCEEDED' as const,
    created: 1,
    invoiceId: null,
    companyId: customerId,
    stripeCustomerId: null,
    paymentMethod: null,
    failureCode: null,
  };
  return { id, type: 'PAYMENT_SUCCEEDED', created: 1, payment, invoiceId: null, customerId };
}

describe('one subscription of payment events', () => {
  it('gives the accepted events in order, queued while nobody asks, the oldest dropped past the bound', async () => {
    const { logger, lines } = capturingLogger();
    const bus = createPaymentEventBus({ redisUrl: undefined, channel: 'unused', logger });
    const stream = paymentEventStream(bus, { accept: (e) => e.customerId === '7', logger, maxQueued: 2 });
    for (const [id, customer] of [
      ['evt_a', '7'],
      ['evt_b', '8'],
      ['evt_c', '7'],
      ['evt_d', '7'],
    ] as const)
      await bus.publish(event(id, customer));
    expect(await stream.next()).toEqual({ done: false, value: event('evt_c', '7') });
    expect(await stream.next()).toEqual({ done: false, value: event('evt_d', '7') });
    expect(lines.some((line) => line.includes('payment event dropped') && line.includes('evt_a'))).toBe(true);
    const waiting = stream.next();
    await bus.publish(event('evt_e', '7'));
    expect(await waiting).toEqual({ done: false, value: event('evt_e', '7') });
  });

  it('ends a waiting next() on return() and hears nothing after', async () => {
    const { logger } = capturingLogger();
    const bus = createPaymentEventBus({ redisUrl: undefined, channel: 'unused', logger });
    const stream = paymentEventStream(bus, { accept: () => true, logger });
    const waiting = stream.next();
    await stream.return!();
    expect(await waiting).toEqual({ done: true, value: undefined });
    await bus.publish(event('evt_late', '7'));
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });
});
