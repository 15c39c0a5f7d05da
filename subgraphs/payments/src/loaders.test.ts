/**
 * The loaders' batching, recorded at the connector the way DataLoader's own tests record
 * batches: which keys went into which call.
 */
import { describe, expect, it } from 'vitest';
import type { StripePaymentsConnector } from './connector/StripePaymentsConnector.js';
import { createPaymentsLoaders, PER_KEY_CONCURRENCY } from './loaders.js';
import type { PaymentModel, StripeCustomerModel } from './models.js';

const customer = (companyId: string): StripeCustomerModel => ({ id: `cus_${companyId}`, companyId, defaultPaymentMethod: null, created: 1 });
const payment = (id: string, stripeCustomerId: string, invoiceId: string): PaymentModel => ({
  id,
  amount: 1,
  currency: 'USD',
  amountRefunded: 0,
  status: 'SUCCEEDED',
  created: 1,
  invoiceId,
  companyId: null,
  stripeCustomerId,
  paymentMethod: null,
  failureCode: null,
});

/** A connector that knows companies c1..c25 except c7, records each call's keys, and fails for c13's batch. */
function recordingConnector() {
  const calls: Record<string, string[][]> = { customers: [], byCustomer: [], byInvoice: [], retrieve: [] };
  const fake = {
    findCustomersByCompanyIds: async (ids: readonly string[]) => {
      calls.customers!.push([...ids]);
      return ids.filter((id) => id !== 'c7').map(customer);
    },
    searchPaymentsByCustomerIds: async (ids: readonly string[]) => {
      calls.byCustomer!.push([...ids]);
      if (ids.includes('cus_c13')) throw new Error('search failed');
      return ids.flatMap((id) => [payment(`pi_${id}_1`, id, 'inv1'), payment(`pi_${id}_2`, id, 'inv2')]);
    },
    searchPaymentsByInvoiceIds: async (ids: readonly string[]) => {
      calls.byInvoice!.push([...ids]);
      return ids.map((id) => payment(`pi_${id}`, 'cus_x', id));
    },
    retrievePayment: async (id: string) => {
      calls.retrieve!.push([id]);
      return null;
    },
  };
  return { connector: fake as unknown as StripePaymentsConnector, calls };
}

describe('loaders', () => {
  it('batch searches by ten, keep key order, and give a company without a customer no payments', async () => {
    const { connector, calls } = recordingConnector();
    const loaders = createPaymentsLoaders(connector);
    const companies = Array.from({ length: 12 }, (_, i) => `c${i + 1}`);
    const results = await Promise.allSettled(companies.map((id) => loaders.paymentsByCompanyId.load(id)));
    expect(calls.customers).toEqual([companies.slice(0, 10), companies.slice(10)]);
    expect(calls.byCustomer).toEqual([
      companies
        .slice(0, 10)
        .filter((c) => c !== 'c7')
        .map((c) => `cus_${c}`),
      ['cus_c11', 'cus_c12'],
    ]);
    const ids = results.map((r) => (r.status === 'fulfilled' ? r.value.map((p) => p.id) : 'error'));
    expect(ids[0]).toEqual(['pi_cus_c1_1', 'pi_cus_c1_2']);
    expect(ids[6]).toEqual([]);
    expect(ids[11]).toEqual(['pi_cus_c12_1', 'pi_cus_c12_2']);
  });

  it('fails only the batch whose search failed, and primes payments for later references', async () => {
    const { connector, calls } = recordingConnector();
    const loaders = createPaymentsLoaders(connector);
    const results = await Promise.allSettled(['c3', 'c13'].map((id) => loaders.paymentsByCompanyId.load(id)));
    // Both fit one batch of ten, so they share its fate.
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    const ok = await loaders.paymentsByCompanyId.load('c4');
    expect(ok).toHaveLength(2);
    expect(await loaders.paymentById.load('pi_cus_c4_1')).toMatchObject({ id: 'pi_cus_c4_1' });
    expect(calls.retrieve).toEqual([]);
  });

  it('deduplicates keys within a request', async () => {
    const { connector, calls } = recordingConnector();
    const loaders = createPaymentsLoaders(connector);
    await Promise.all(['9', '9', '10', '9'].map((id) => loaders.paymentsByInvoiceId.load(id)));
    expect(calls.byInvoice).toEqual([['9', '10']]);
  });
});

describe('per-key lookups', () => {
  it('run at most PER_KEY_CONCURRENCY at a time and keep key order, with an Error for the key that failed', async () => {
    let running = 0;
    let peak = 0;
    const fake = {
      listPaymentMethods: async (id: string) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setImmediate(resolve));
        running--;
        if (id === 'cus_bad') throw new Error('list failed');
        return [{ id: `pm_${id}`, brand: 'visa', last4: '4242', expMonth: 1, expYear: 2030 }];
      },
    };
    const loaders = createPaymentsLoaders(fake as unknown as StripePaymentsConnector);
    const ids = [...Array.from({ length: 30 }, (_, i) => `cus_${i}`), 'cus_bad'];
    const results = await Promise.allSettled(ids.map((id) => loaders.paymentMethodsByStripeCustomerId.load(id)));
    expect(peak).toBe(PER_KEY_CONCURRENCY);
    expect(results.slice(0, 30).map((r) => (r.status === 'fulfilled' ? r.value[0]!.id : 'error'))).toEqual(ids.slice(0, 30).map((id) => `pm_${id}`));
    expect(results[30]).toMatchObject({ status: 'rejected', reason: new Error('list failed') });
  });
});
