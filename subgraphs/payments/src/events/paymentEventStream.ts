/**
 * One subscription's events: the bus's events that pass `accept`, as the async iterator a
 * GraphQL subscribe resolver returns. It listens from the moment it is made; return()
 * (the client completed, the socket closed) stops listening at once, even while a next()
 * is waiting. Events wait in a queue while the socket is slow to take them; past
 * `maxQueued` the oldest are dropped, with a warning, rather than let a stalled
 * connection hold memory without bound.
 */
import type { Logger } from '../../../kit/src/index.js';
import type { PaymentEventModel } from '../models.js';
import type { PaymentEventBus } from './PaymentEventBus.js';

export interface PaymentEventStreamOptions {
  accept: (event: PaymentEventModel) => boolean;
  logger: Logger;
  /** Default 1,000. */
  maxQueued?: number;
}

export function paymentEventStream(bus: PaymentEventBus, options: PaymentEventStreamOptions): AsyncIterableIterator<PaymentEventModel> {
  const maxQueued = options.maxQueued ?? 1000;
  const queue: PaymentEventModel[] = [];
  let waiting: ((result: IteratorResult<PaymentEventModel, undefined>) => void) | undefined;
  let done = false;

  const unsubscribe = bus.subscribe((event) => {
    if (done || !options.accept(event)) return;
    if (waiting) {
      const resolve = waiting;
      waiting = undefined;
      resolve({ done: false, value: event });
      return;
    }
    queue.push(event);
    if (queue.length > maxQueued) {
      const dropped = queue.shift()!;
      options.logger.warn({ eventId: dropped.id, maxQueued }, 'payment event dropped: the subscriber is not taking events');
    }
  });

  const stream: AsyncIterableIterator<PaymentEventModel> = {
    next() {
      if (queue.length > 0) return Promise.resolve({ done: false, value: queue.shift()! });
      if (done) return Promise.resolve({ done: true, value: undefined });
      return new Promise((resolve) => (waiting = resolve));
    },
    async return() {
      done = true;
      unsubscribe();
      queue.length = 0;
      waiting?.({ done: true, value: undefined });
      waiting = undefined;
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]: () => stream,
  };
  return stream;
}
