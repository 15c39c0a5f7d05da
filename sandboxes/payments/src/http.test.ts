import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type TestSandbox } from './testSandbox.js';

let t: TestSandbox;

beforeAll(async () => {
  t = await startSandbox();
});
afterAll(async () => {
  await t.close();
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${t.url}${path}`, { headers });
const errorOf = async (response: Response) => ((await response.json()) as { error: Record<string, unknown> }).error;

describe('Stripe HTTP conventions', () => {
  it("refuses a missing or wrong key with 401 and Stripe's messages", async () => {
    const none = await get('/v1/customers');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Basic realm="Stripe"');
    expect(await errorOf(none)).toEqual({
      type: 'invalid_request_error',
      message:
        "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
    });
    const wrong = await get('/v1/customers', { authorization: 'Bearer sk_test_abcdefgh1234' });
    expect(wrong.status).toBe(401);
    expect((await errorOf(wrong)).message).toBe('Invalid API Key provided: sk_test_********1234');
  });

  it('accepts the key as the username of HTTP basic auth, as curl -u sends it', async () => {
    const response = await get('/v1/customers?limit=2', { authorization: `Basic ${Buffer.from('sk_test_sandbox:').toString('base64')}` });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { object: string; data: unknown[] };
    expect(body.object).toBe('list');
    expect(body.data).toHaveLength(2);
  });

  it('sends Request-Id on every answer and echoes Stripe-Version', async () => {
    const auth = { authorization: 'Bearer sk_test_sandbox' };
    const plain = await get('/v1/customers?limit=1', auth);
    expect(plain.headers.get('request-id')).toMatch(/^req_[0-9A-Za-z]{14}$/);
    expect(plain.headers.get('stripe-version')).toBe('2026-10-28.endive');
    const versioned = await get('/v1/customers?limit=1', { ...auth, 'stripe-version': '2024-06-20' });
    expect(versioned.headers.get('stripe-version')).toBe('2024-06-20');
    const bad = await get('/v1/customers?limit=1', { ...auth, 'stripe-version': 'yesterday' });
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).message).toBe('Invalid Stripe API version: yesterday');
    for (const response of [await get('/v1/customers'), await get('/v1/nothing', auth)]) {
      expect(response.headers.get('request-id')).toMatch(/^req_/);
    }
  });

  it('answers an unknown URL with a 404 invalid_request_error', async () => {
    const response = await fetch(`${t.url}/v1/payment_intents/pi_x`, { method: 'DELETE', headers: { authorization: 'Bearer sk_test_sandbox' } });
    expect(response.status).toBe(404);
    expect(await errorOf(response)).toEqual({
      type: 'invalid_request_error',
      message: 'Unrecognized request URL (DELETE: /v1/payment_intents/pi_x). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.',
    });
  });

  it('refuses malformed parameters with the parameter named, and never fails the server', async () => {
    const post = (body: string) =>
      fetch(`${t.url}/v1/payment_intents`, {
        method: 'POST',
        headers: { authorization: 'Bearer sk_test_sandbox', 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
    const cases: Array<[string, Record<string, unknown>]> = [
      ['amount=abc&currency=usd', { code: 'parameter_invalid_integer', param: 'amount', message: 'Invalid integer: abc' }],
      ['amount=1000&currency=xyz', { param: 'currency' }],
      ['amount=1000&currency=usd&bogus=1', { code: 'parameter_unknown', param: 'bogus', message: 'Received unknown parameter: bogus' }],
      ['amount=1000&currency=usd&metadata=x&metadata[a]=b', { param: 'metadata' }],
      ['amount=1000&currency=usd&confirm=maybe', { param: 'confirm' }],
      ['amount=1000&currency=usd&expand[]=amount', { param: 'expand', message: 'This property cannot be expanded (amount).' }],
      ['{"amount": 1000}', { code: 'parameter_unknown' }],
      ['amount=1000&currency=usd&payment_method=pm_nope', { code: 'resource_missing', param: 'payment_method' }],
    ];
    for (const [body, expected] of cases) {
      const response = await post(body);
      expect(response.status, body).toBe(400);
      expect(await errorOf(response), body).toMatchObject({ type: 'invalid_request_error', ...expected });
    }
    const limit = await get('/v1/customers?limit=500', { authorization: 'Bearer sk_test_sandbox' });
    expect(limit.status).toBe(400);
    expect(await errorOf(limit)).toMatchObject({ param: 'limit' });
    const cursor = await get('/v1/customers?starting_after=cus_missing', { authorization: 'Bearer sk_test_sandbox' });
    expect(cursor.status).toBe(400);
    expect(await errorOf(cursor)).toMatchObject({ code: 'resource_missing', param: 'starting_after' });
    expect((await get('/v1/customers?limit=1', { authorization: 'Bearer sk_test_sandbox' })).status).toBe(200);
  });
});
