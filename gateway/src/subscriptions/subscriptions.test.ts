/**
 * The subscription channel and its transports' pieces: a SubscriptionDelivery keeps its
 * results in order, is bounded (a slow consumer is dropped with SLOW_CONSUMER, not
 * buffered), ends with UNAUTHENTICATED when the credential expires, stops its source at
 * once on return() even while waiting; Subscribers applies the per-connection and
 * per-client limits and ends everything on shutdown; the multipart body is framed as
 * Apollo's protocol says, with heartbeats. (End to end, through the stack: test/subscriptions.test.ts.)
 */
import { GraphQLError } from 'graphql';
import { describe, expect, it, vi } from 'vitest';
import type { GatewayContext } from '../pipeline/GatewayContext.js';
import { readSubscriptionsConfig } from './config.js';
import { acceptsMultipartSubscription } from '../../../lib/http.js';
import { multipartSubscriptionBody } from './multipart.js';
import { SubscriptionDelivery } from './SubscriptionDelivery.js';
import { Subscribers } from './Subscribers.js';

const formatError = (error: GraphQLError | Error): { message: string; extensions?: Record<string, unknown> } =>
  error instanceof GraphQLError ? { message: error.message, extensions: { ...error.extensions } } : { message: 'Internal server error' };

const delivery = (options: Partial<ConstructorParameters<typeof SubscriptionDelivery>[0]> = {}): SubscriptionDelivery =>
  new SubscriptionDelivery({ formatError, maxQueued: 10, ...options });

async function drain(source: AsyncIterable<unknown>): Promise<unknown[]> {
  const seen: unknown[] = [];
  for await (const value of source) seen.push(value);
  return seen;
}

describe('SubscriptionDelivery', () => {
  it('delivers results in order, formats their errors, and completes after the last one', async () => {
    const d = delivery();
    expect(d.claim(() => undefined)).toBeUndefined();
    d.push({ data: { n: 1 } });
    // Unexpected errors travel as plain Errors, as in PlanRun (GatewayExecutionResult types them all as GraphQLErrors).
    d.push({ data: { n: null }, errors: [new GraphQLError('boom', { extensions: { code: 'X' } }), new Error('secret detail') as GraphQLError] });
    d.complete();
    expect(await drain(d)).toEqual([
      { data: { n: 1 } },
      { data: { n: null }, errors: [{ message: 'boom', extensions: { code: 'X' } }, { message: 'Internal server error' }] },
    ]);
  });

  it('drops a slow consumer: past maxQueued waiting results it ends with SLOW_CONSUMER and stops its source', async () => {
    const stop = vi.fn();
    const ended: Array<string | undefined> = [];
    const d = delivery({ maxQueued: 3, onEnd: (code) => ended.push(code) });
    d.claim(stop);
    for (let n = 0; n < 10; n++) d.push({ data: { n } });
    const seen = (await drain(d)) as Array<{ data?: { n: number }; errors?: Array<{ extensions?: { code?: string } }> }>;
    expect(seen.map((result) => result.data?.n ?? result.errors?.[0]?.extensions?.code)).toEqual([0, 1, 2, 'SLOW_CONSUMER']);
    expect(stop).toHaveBeenCalledTimes(1);
    expect(ended).toEqual(['SLOW_CONSUMER']);
  });

  it('ends with UNAUTHENTICATED when the credential expires', async () => {
    const d = delivery({ expiresAt: Date.now() + 50 });
    d.claim(() => undefined);
    const seen = (await drain(d)) as Array<{ errors?: Array<{ extensions?: { code?: string } }> }>;
    expect(seen.map((result) => result.errors?.[0]?.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    expect(d.endedWith).toBe('UNAUTHENTICATED');
  });

  it('return() stops the source at once, even while a next() waits for an event', async () => {
    const stop = vi.fn();
    const d = delivery();
    d.claim(stop);
    const waiting = d.next();
    await d.return();
    expect(stop).toHaveBeenCalledTimes(1);
    expect(await waiting).toEqual({ value: undefined, done: true });
    d.push({ data: { late: true } });
    expect(await d.next()).toEqual({ value: undefined, done: true });
  });

  it('applies transforms to a copy of each result, so results shared between subscribers stay as they were', async () => {
    const d = delivery();
    d.claim(() => undefined);
    d.transformEach((result) => {
      (result.data as { secret: unknown }).secret = null;
      return { ...result, errors: [new GraphQLError('refused', { extensions: { code: 'FORBIDDEN' } })] };
    });
    const shared = { data: { secret: 's', open: 1 } };
    d.push(shared);
    d.complete();
    expect(await drain(d)).toEqual([{ data: { secret: null, open: 1 }, errors: [{ message: 'refused', extensions: { code: 'FORBIDDEN' } }] }]);
    expect(shared.data.secret).toBe('s');
  });

  it('is claimed once, and a refusal from admit keeps it from starting', () => {
    const refused = delivery({ admit: () => new GraphQLError('no', { extensions: { code: 'LIMIT' } }) });
    expect(refused.claim(() => undefined)?.extensions.code).toBe('LIMIT');
    expect(refused.started).toBe(false);
    const d = delivery();
    expect(d.claim(() => undefined)).toBeUndefined();
    expect(d.claim(() => undefined)?.message).toMatch(/already started/);
  });
});

describe('Subscribers', () => {
  const context = (subject: string): GatewayContext => ({
    headers: {},
    requestId: `r-${subject}`,
    clientIp: '127.0.0.1',
    auth: { kind: 'jwt', subject, scopes: [] },
  });
  const config = { ...readSubscriptionsConfig({}), maxPerConnection: 2, maxPerClient: 3 };

  it('limits subscriptions per connection and per client, and frees a place when one ends', () => {
    const subscribers = new Subscribers({ config, formatError });
    const connection = { open: 0 };
    const first = subscribers.delivery(context('a'), 'websocket', connection);
    expect(first.claim(() => undefined)).toBeUndefined();
    expect(subscribers.delivery(context('a'), 'websocket', connection).claim(() => undefined)).toBeUndefined();
    const third = subscribers.delivery(context('a'), 'websocket', connection).claim(() => undefined);
    expect(third?.extensions).toMatchObject({ code: 'SUBSCRIPTION_LIMIT_EXCEEDED', scope: 'connection', limit: 2 });
    // Another connection of the same client: the client's limit (3) applies.
    const other = { open: 0 };
    expect(subscribers.delivery(context('a'), 'websocket', other).claim(() => undefined)).toBeUndefined();
    expect(subscribers.delivery(context('a'), 'multipart').claim(() => undefined)?.extensions).toMatchObject({
      code: 'SUBSCRIPTION_LIMIT_EXCEEDED',
      scope: 'client',
      limit: 3,
    });
    // Another client is not affected.
    expect(subscribers.delivery(context('b'), 'multipart').claim(() => undefined)).toBeUndefined();
    first.close();
    expect(connection.open).toBe(1);
    expect(subscribers.delivery(context('a'), 'websocket', connection).claim(() => undefined)).toBeUndefined();
    expect(subscribers.size).toBe(4);
  });

  it('ends every subscription with SHUTTING_DOWN on shutdown and refuses new ones', async () => {
    const subscribers = new Subscribers({ config, formatError });
    const d = subscribers.delivery(context('a'), 'multipart');
    d.claim(() => undefined);
    subscribers.shutDown();
    expect(((await drain(d)) as Array<{ errors: Array<{ extensions: { code: string } }> }>).map((r) => r.errors[0]!.extensions.code)).toEqual([
      'SHUTTING_DOWN',
    ]);
    expect(subscribers.delivery(context('b'), 'multipart').claim(() => undefined)?.extensions.code).toBe('SHUTTING_DOWN');
    expect(subscribers.size).toBe(0);
  });
});

describe('multipart subscriptions', () => {
  it.each([
    ['multipart/mixed;boundary=graphql;subscriptionSpec=1.0,application/json', true],
    ['multipart/mixed;subscriptionSpec="1.0", application/json', true],
    ['multipart/mixed; subscriptionSpec = 1.0', true],
    ['multipart/mixed;boundary=graphql;subscriptionSpec=1.0', true],
    ['multipart/mixed;deferSpec=20220824', false],
    ['application/json', false],
    [undefined, false],
  ])('Accept %s takes multipart subscriptions: %s', (accept, expected) => {
    expect(acceptsMultipartSubscription(accept)).toBe(expected);
  });

  it('frames each result as a part {"payload": …}, each followed by the boundary, with a heartbeat first and while idle, and a closing boundary', async () => {
    const d = delivery();
    d.claim(() => undefined);
    const chunks: string[] = [];
    const reading = (async () => {
      for await (const chunk of multipartSubscriptionBody(d, { heartbeatMs: 30 })) chunks.push(chunk);
    })();
    await new Promise((resolve) => setTimeout(resolve, 80));
    d.push({ data: { n: 1 } });
    d.fail('UNAUTHENTICATED', 'expired');
    await reading;
    const body = chunks.join('');
    expect(body.startsWith('\r\n--graphql\r\nContent-Type: application/json\r\n\r\n{}\r\n--graphql')).toBe(true);
    expect(body.endsWith('\r\n--graphql--\r\n')).toBe(true);
    const parts = body
      .split('\r\n--graphql')
      .filter((part) => part.includes('\r\n\r\n'))
      .map((part) => JSON.parse(part.slice(part.indexOf('\r\n\r\n') + 4)) as unknown);
    const heartbeats = parts.filter((part) => JSON.stringify(part) === '{}').length;
    expect(heartbeats).toBeGreaterThanOrEqual(2); // the first, and at least one while idle
    expect(parts.filter((part) => JSON.stringify(part) !== '{}')).toEqual([
      { payload: { data: { n: 1 } } },
      { payload: { errors: [{ message: 'expired', extensions: { code: 'UNAUTHENTICATED' } }] } },
    ]);
  });

  it('stops the subscription when the body is abandoned (the client went away)', async () => {
    const stop = vi.fn();
    const d = delivery();
    d.claim(stop);
    const body = multipartSubscriptionBody(d, { heartbeatMs: 10_000 });
    await body.next();
    await body.return(undefined);
    expect(stop).toHaveBeenCalledTimes(1);
  });
});
