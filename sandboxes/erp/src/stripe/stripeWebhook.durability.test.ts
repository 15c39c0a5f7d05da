/**
 * What a webhook wrote survives a crash: the sandbox process is killed with SIGKILL right
 * after acknowledging a payment and restarted on the same data file. The invoice is
 * still paid, the event id is still known (a replay is a duplicate), and the intent's
 * invoice is still known (a refund whose charge does not name the invoice finds it).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnService, type SpawnedService } from '../../../../test/helpers/spawnService.js';
import { TEST_SCALE, tempDir } from '../testSupport.js';
import { ack, chargeRefunded, findInvoices, paymentSucceeded, postWebhook, readInvoice, testId } from './testEvents.js';

describe('Stripe webhook durability', () => {
  const temp = tempDir();
  const env = { ERP_SANDBOX_PORT: '0', SANDBOX_DATA_DIR: temp.dir, SANDBOX_SCALE: TEST_SCALE };
  let service: SpawnedService | undefined;

  afterAll(async () => {
    await service?.stop();
    temp.remove();
  });

  it('keeps the payment, the processed event and the intent across a SIGKILL and a restart', async () => {
    service = await spawnService({ entry: 'sandboxes/erp/src/index.ts', env });
    const [invoice] = await findInvoices(service.url, [['payment_state', '=', 'not_paid']], 1);
    const intentId = testId('pi');
    const money = { intentId, amount: invoice!.total, currency: invoice!.currency };
    const payment = JSON.stringify(paymentSucceeded({ ...money, invoiceId: invoice!.id }), null, 2);
    expect(await postWebhook(service.url, payment)).toEqual(ack('applied'));
    const paid = await readInvoice(service.url, invoice!.id);
    expect(paid).toMatchObject({ residual: 0, paymentState: 'paid' });

    await service.kill();
    service = await spawnService({ entry: 'sandboxes/erp/src/index.ts', env });

    expect(await readInvoice(service.url, invoice!.id)).toEqual(paid);
    expect(await postWebhook(service.url, payment)).toEqual(ack('duplicate'));
    expect(await readInvoice(service.url, invoice!.id)).toEqual(paid);

    const refund = JSON.stringify(chargeRefunded({ ...money, invoiceId: null, amountRefunded: 250, eventId: testId('evt') }), null, 2);
    expect(await postWebhook(service.url, refund)).toEqual(ack('applied'));
    expect(await readInvoice(service.url, invoice!.id)).toMatchObject({ residual: 250, paymentState: 'partial' });
    const stats = (await (await fetch(`${service.url}/__sandbox/stats`)).json()) as { operations: Record<string, number> };
    expect(stats.operations['payment.stripe.webhook']).toBe(2);
  });
});
