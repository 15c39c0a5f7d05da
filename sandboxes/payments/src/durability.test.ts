import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnService, type SpawnedService } from '../../../test/helpers/spawnService.js';
import { stripeClient, TEST_SCALE } from './testSandbox.js';

const running: SpawnedService[] = [];
let dir = '';

afterEach(async () => {
  await Promise.all(running.splice(0).map((service) => service.stop()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('durability of the sandbox process', () => {
  it('keeps a payment and its idempotency key across a SIGKILL and a restart', async () => {
    dir = mkdtempSync(join(tmpdir(), 'payments-durable-'));
    const env = { SANDBOX_DATA_DIR: dir, SANDBOX_SCALE: TEST_SCALE, PAYMENTS_SANDBOX_PORT: '0' };
    const start = async (): Promise<SpawnedService> => {
      const service = await spawnService({ entry: 'sandboxes/payments/src/index.ts', env });
      running.push(service);
      return service;
    };
    const params = { amount: 31_415, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, metadata: { erp_invoice_id: '810001' } };

    const first = await start();
    expect(first.output()).toMatch(/\[payments sandbox\] listening on http:\/\/127\.0\.0\.1:\d+ \(seed 1, scale 0\.05/);
    const created = await stripeClient(first.url).paymentIntents.create(params, { idempotencyKey: 'durable-810001' });
    expect(created.status).toBe('succeeded');
    await first.kill();
    running.splice(running.indexOf(first), 1);

    const second = await start();
    const stripe = stripeClient(second.url);
    const retrieved = await stripe.paymentIntents.retrieve(created.id);
    expect(retrieved).toMatchObject({ id: created.id, status: 'succeeded', amount_received: 31_415, latest_charge: created.latest_charge });
    const replayed = await stripe.paymentIntents.create(params, { idempotencyKey: 'durable-810001' });
    expect(replayed.id).toBe(created.id);
    expect(replayed.lastResponse.headers['idempotent-replayed']).toBe('true');
    const found = await stripe.paymentIntents.search({ query: "metadata['erp_invoice_id']:'810001'" });
    expect(found.data.map((pi) => pi.id)).toEqual([created.id]);
  });
});
