/**
 * events/PaymentEventBus.ts: in memory, and across replicas through Redis pub/sub, each
 * event id published once; with Redis down, publish() logs and goes on, and the bus
 * receives again once Redis is back, without a restart.
 *
 * The Redis part needs REDIS_URL: without it, it is skipped with one line, unless
 * REQUIRE_ALL_SUITES=1 (CI), where a missing Redis fails it.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisProxy } from '../../../../test/helpers/redisProxy.js';
import type { PaymentEventModel } from '../models.js';
import { capturingLogger, waitFor } from '../testSupport.js';
import { createPaymentEventBus, type PaymentEventBus } from './PaymentEventBus.js';
import { requireOrSkip, TEST_REDIS_URL } from '../../../../test/support.js';

const REDIS_URL = TEST_REDIS_URL;

function paymentEvent(id: string, customerId = '7'): PaymentEventModel {
  return {
    id,
    type: 'PAYMENT_SUCCEEDED',
    created: 1_790_000_000,
    payment: {
      id: 'pi_Bus000000000000000000000',
      amount: 4200,
      currency: 'EUR',
      amountRefunded: 0,
      status: 'SUCCEEDED',
      created: 1_790_000_000,
      invoiceId: '12',
      companyId: customerId,
      stripeCustomerId: 'cus_Bus00000000000',
      paymentMethod: { id: 'pm_Bus00000000000', brand: 'visa', last4: '4242', expMonth: 12, expYear: 2030 },
      failureCode: null,
    },
    invoiceId: '12',
    customerId,
  };
}

const buses: PaymentEventBus[] = [];
const proxies: RedisProxy[] = [];
afterEach(async () => {
  await Promise.all(buses.splice(0).map((bus) => bus.close()));
  await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
});

function bus(
  redisUrl: string | undefined,
  channel = `test:payments:events:${randomUUID()}`,
): { bus: PaymentEventBus; received: PaymentEventModel[]; lines: string[] } {
  const { logger, lines } = capturingLogger();
  // Test claims expire after a minute rather than the day a provider event's does.
  const made = createPaymentEventBus({ redisUrl, logger, channel, rememberEvents: 3, claimMs: 60_000 });
  buses.push(made);
  const received: PaymentEventModel[] = [];
  made.subscribe((event) => void received.push(event));
  return { bus: made, received, lines };
}

describe('the payment event bus in memory', () => {
  it('gives each listener each event once, an id published before not again, and forgets the oldest ids past its bound', async () => {
    const { bus: memory, received } = bus(undefined);
    expect(memory.kind).toBe('memory');
    const other: string[] = [];
    const unsubscribe = memory.subscribe((event) => void other.push(event.id));
    memory.subscribe(() => {
      throw new Error('a broken listener');
    });
    expect(await memory.publish(paymentEvent('evt_1'))).toBe(true);
    expect(await memory.publish(paymentEvent('evt_1'))).toBe(false);
    unsubscribe();
    for (const id of ['evt_2', 'evt_3', 'evt_4']) await memory.publish(paymentEvent(id));
    expect(received.map((e) => e.id)).toEqual(['evt_1', 'evt_2', 'evt_3', 'evt_4']);
    expect(received[0]).toEqual(paymentEvent('evt_1'));
    expect(other).toEqual(['evt_1']);
    // Three ids remembered: evt_1 is forgotten, evt_4 is not.
    expect(await memory.publish(paymentEvent('evt_1'))).toBe(true);
    expect(await memory.publish(paymentEvent('evt_4'))).toBe(false);
  });
});

describe('the payment event bus with Redis unreachable', () => {
  it('does not throw: publish logs and answers false', async () => {
    const { bus: down, received, lines } = bus('redis://127.0.0.1:1');
    expect(down.kind).toBe('redis');
    expect(await down.publish(paymentEvent('evt_down'))).toBe(false);
    expect(received).toEqual([]);
    expect(lines.some((line) => line.includes('payment event not published: Redis is unavailable'))).toBe(true);
  });
});

const redis = await requireOrSkip('PaymentEventBus.test.ts: the event bus through Redis', 'redis');

describe.runIf(redis)('the payment event bus through Redis', () => {
  it('gives an event published on one replica to the listeners of both, and publishes an id once however many replicas publish it', async () => {
    const channel = `test:payments:events:${randomUUID()}`;
    const one = bus(REDIS_URL, channel);
    const two = bus(REDIS_URL, channel);
    await Promise.all([one.bus.ready(), two.bus.ready()]);
    expect(await one.bus.publish(paymentEvent('evt_shared'))).toBe(true);
    await waitFor(() => (one.received.length === 1 && two.received.length === 1 ? true : undefined), 'the event on both replicas');
    expect(two.received).toEqual([paymentEvent('evt_shared')]);

    // The same provider event, seen by both replicas (a webhook on one, the catch-up on both).
    const claims = await Promise.all([
      one.bus.publish(paymentEvent('evt_twice')),
      two.bus.publish(paymentEvent('evt_twice')),
      one.bus.publish(paymentEvent('evt_twice')),
    ]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    await one.bus.publish(paymentEvent('evt_marker'));
    await waitFor(() => (one.received.length === 3 && two.received.length === 3 ? true : undefined), 'the marker on both replicas');
    expect(one.received.map((e) => e.id)).toEqual(['evt_shared', 'evt_twice', 'evt_marker']);
    expect(two.received.map((e) => e.id)).toEqual(['evt_shared', 'evt_twice', 'evt_marker']);
  });

  it('goes on when Redis goes away (publish false, logged) and receives again once it is back, without a restart', async () => {
    const proxy = new RedisProxy(new URL(REDIS_URL!));
    proxies.push(proxy);
    await proxy.open();
    const channel = `test:payments:events:${randomUUID()}`;
    const { bus: replica, received, lines } = bus(proxy.url, channel);
    await replica.ready();
    expect(await replica.publish(paymentEvent('evt_before'))).toBe(true);
    await waitFor(() => (received.length === 1 ? true : undefined), 'the first event');

    await proxy.close();
    await waitFor(() => (lines.some((line) => line.includes('connection failed; reconnecting')) ? true : undefined), 'the bus to see Redis gone');
    expect(await replica.publish(paymentEvent('evt_while_down'))).toBe(false);

    await proxy.open();
    // Publisher and subscriber reconnect on their own schedule: publish new ids until one comes back through the channel.
    let attempt = 0;
    await waitFor(
      async () => {
        if (received.length > 1) return true;
        await replica.publish(paymentEvent(`evt_after_${attempt++}`));
        await new Promise((resolve) => setTimeout(resolve, 100));
        return undefined;
      },
      'an event after Redis came back',
      15_000,
    );
    expect(received[0]!.id).toBe('evt_before');
    expect(received.slice(1).every((e) => e.id.startsWith('evt_after_'))).toBe(true);
  });

  it('starts while Redis is down and receives once it is up', async () => {
    const proxy = new RedisProxy(new URL(REDIS_URL!));
    proxies.push(proxy);
    // A port that refuses until the proxy opens on it again.
    await proxy.open();
    await proxy.close();
    const { bus: replica, received, lines } = bus(proxy.url);
    await waitFor(() => (lines.some((line) => line.includes('subscriber connection failed')) ? true : undefined), 'a failed first connection');
    await proxy.open();
    await replica.ready();
    expect(await replica.publish(paymentEvent('evt_first'))).toBe(true);
    await waitFor(() => (received.length === 1 ? true : undefined), 'the event');
    expect(received[0]!.id).toBe('evt_first');
  });
});
