/**
 * events/ReconciliationWatch.ts against a scripted ERP: INVOICE_RECONCILED once the ERP
 * shows the payment applied (or the invoice paid), looking again after doubling waits;
 * nothing but a warning when it never does within the bound; nothing after close().
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ErpInvoice } from '../connector/ErpInvoiceConnector.js';
import type { PaymentEventModel } from '../models.js';
import { capturingLogger, waitFor } from '../testSupport.js';
import { lookTimes, ReconciliationWatch } from './ReconciliationWatch.js';

const succeeded: PaymentEventModel = {
  id: 'evt_Watch0000000000000000',
  type: 'PAYMENT_SUCCEEDED',
  created: 1_790_000_000,
  payment: {
    id: 'pi_Watch0000000000000000',
    amount: 1200,
    currency: 'USD',
    amountRefunded: null,
    status: 'SUCCEEDED',
    created: 1_790_000_000,
    invoiceId: '41',
    companyId: '9',
    stripeCustomerId: 'cus_Watch00000000',
    paymentMethod: null,
    failureCode: null,
  },
  invoiceId: '41',
  customerId: '9',
};

function invoice(paymentState: string): ErpInvoice {
  return { id: 41, moveType: 'out_invoice', state: 'posted', paymentState, currency: 'USD', totalMinor: 5000, residualMinor: 3800, partnerId: 3 };
}

/** An ERP whose answers the test scripts, one per look (the last one repeated); every look's time is kept. */
function scriptedErp(answers: Array<'applied' | 'paid' | 'open' | 'down'>) {
  const looks: number[] = [];
  let current = answers[0]!;
  return {
    looks,
    erp: {
      async appliedPayments(ids: readonly string[]): Promise<Set<string>> {
        current = answers[Math.min(looks.length, answers.length - 1)]!;
        looks.push(Date.now());
        if (current === 'down') throw new Error('ERP unreachable');
        return new Set(current === 'applied' ? ids : []);
      },
      async invoice(): Promise<ErpInvoice | null> {
        return invoice(current === 'paid' ? 'paid' : 'not_paid');
      },
    },
  };
}

const watches: ReconciliationWatch[] = [];
afterEach(async () => {
  await Promise.all(watches.splice(0).map((watch) => watch.close()));
});

function watcher(erp: ReturnType<typeof scriptedErp>['erp'], totalMs = 5000) {
  const published: PaymentEventModel[] = [];
  const { logger, lines } = capturingLogger();
  const watch = new ReconciliationWatch({ erp, publish: async (event) => (published.push(event), true), logger, firstDelayMs: 20, totalMs });
  watches.push(watch);
  return { watch, published, lines };
}

describe('watching the ERP for an invoice reconciliation', () => {
  it('publishes INVOICE_RECONCILED, with the same payment, invoice and customer, once the ERP has applied the payment, waiting twice as long after each look', async () => {
    const { erp, looks } = scriptedErp(['down', 'open', 'applied']);
    const { watch, published } = watcher(erp);
    const started = Date.now();
    watch.watch(succeeded);
    expect(watch.size).toBe(1);
    await waitFor(() => (published.length > 0 ? true : undefined), 'INVOICE_RECONCILED');
    expect(published).toEqual([{ ...succeeded, id: 'evt_Watch0000000000000000:reconciled', type: 'INVOICE_RECONCILED', created: expect.any(Number) }]);
    expect(published[0]!.created).toBeGreaterThanOrEqual(Math.floor(started / 1000));
    // Looks after waits of 20, 40 and 80 ms (a timer fires no earlier than asked, to the millisecond).
    expect(looks).toHaveLength(3);
    const waits = looks.map((at, i) => at - (i === 0 ? started : looks[i - 1]!));
    waits.forEach((wait, i) => expect(wait).toBeGreaterThanOrEqual(20 * 2 ** i - 1));
    await waitFor(() => (watch.size === 0 ? true : undefined), 'the watch to end');
  });

  it('takes an invoice the ERP shows paid as reconciled', async () => {
    const { erp } = scriptedErp(['paid']);
    const { watch, published } = watcher(erp);
    watch.watch(succeeded);
    await waitFor(() => (published.length > 0 ? true : undefined), 'INVOICE_RECONCILED');
    expect(published.map((e) => e.type)).toEqual(['INVOICE_RECONCILED']);
  });

  it('looks after the first delay, then after twice as long each time, and a last time at the bound', () => {
    expect(lookTimes(20, 200)).toEqual([20, 60, 140, 200]);
    expect(lookTimes(250, 60_000)).toEqual([250, 750, 1750, 3750, 7750, 15750, 31750, 60_000]);
    expect(lookTimes(100, 100)).toEqual([100]);
  });

  it('gives up after the bound with a warning and publishes nothing', async () => {
    const { erp, looks } = scriptedErp(['open']);
    const { watch, published, lines } = watcher(erp, 200);
    watch.watch(succeeded);
    await waitFor(() => (watch.size === 0 ? true : undefined), 'the watch to give up');
    expect(published).toEqual([]);
    // 20, 60, 140, then the last look at 200 ms.
    expect(looks).toHaveLength(4);
    expect(lines.some((line) => line.includes('"level":40') && line.includes('did not reconcile the invoice'))).toBe(true);
  });

  it('watches nothing for an id the ERP cannot have, and stops every watch on close()', async () => {
    const { erp, looks } = scriptedErp(['open', 'open', 'applied']);
    const { watch, published } = watcher(erp);
    watch.watch({ ...succeeded, invoiceId: 'INV-41' });
    expect(watch.size).toBe(0);
    watch.watch(succeeded);
    await waitFor(() => (looks.length === 1 ? true : undefined), 'the first look');
    await watch.close();
    expect(watch.size).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(looks).toHaveLength(1);
    expect(published).toEqual([]);
    watch.watch(succeeded);
    expect(watch.size).toBe(0);
  });
});
