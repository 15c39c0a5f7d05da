/**
 * INVOICE_RECONCILED: the ERP applies a payment to its invoice when the provider's
 * payment_intent.succeeded webhook reaches it (sandboxes/erp/src/stripe/StripeReconciler.ts),
 * which nothing tells this subgraph. So after a PAYMENT_SUCCEEDED for an invoice is
 * published, the ERP is asked (ErpInvoiceConnector, Odoo's own API) with a doubling
 * backoff, `firstDelayMs` (250 ms) then twice as long each time, for at most `totalMs`
 * (60 s) in all, until it shows the payment applied (a payment.transaction done for it) or
 * the invoice paid / in_payment; then INVOICE_RECONCILED is published, with the same
 * payment, invoice and customer and the id `<event id>:reconciled`. A payment the ERP never
 * applies is logged and nothing is published. close() stops every watch.
 *
 * Only the replica that published the PAYMENT_SUCCEEDED watches (the bus publishes each
 * event once), so one ERP watch runs per payment across replicas.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../../kit/src/index.js';
import type { ErpInvoiceConnector } from '../connector/ErpInvoiceConnector.js';
import type { PaymentEventModel } from '../models.js';

export interface ReconciliationWatchOptions {
  erp: Pick<ErpInvoiceConnector, 'invoice' | 'appliedPayments'>;
  /** Where INVOICE_RECONCILED goes (the bus). */
  publish: (event: PaymentEventModel) => Promise<boolean>;
  logger: Logger;
  /** The first wait, doubled after each look. */
  firstDelayMs: number;
  /** How long to keep looking, in all. */
  totalMs: number;
  /** Milliseconds since the epoch. Default Date.now. */
  now?: () => number;
}

/**
 * When to look, in ms from the start: after `firstDelayMs`, then after twice as long each
 * time, and a last look at `totalMs` (20 and 200: 20, 60, 140, 200).
 */
export function lookTimes(firstDelayMs: number, totalMs: number): number[] {
  const times: number[] = [];
  let at = 0;
  for (let delay = Math.max(1, firstDelayMs); at + delay < totalMs; delay *= 2) times.push((at += delay));
  times.push(Math.max(at, totalMs));
  return times;
}

/** What the ERP says when it has applied a payment in full or in part to the invoice. */
const SETTLED_STATES = new Set(['paid', 'in_payment']);

export class ReconciliationWatch {
  private readonly stopping = new AbortController();
  private readonly running = new Set<Promise<void>>();
  private readonly now: () => number;

  constructor(private readonly options: ReconciliationWatchOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Starts watching the ERP for the invoice of this PAYMENT_SUCCEEDED (which must name one). */
  watch(succeeded: PaymentEventModel): void {
    const invoiceId = Number(succeeded.invoiceId);
    // ERP invoice ids are positive integers; another id cannot be in the ERP.
    if (!Number.isSafeInteger(invoiceId) || invoiceId <= 0 || this.stopping.signal.aborted) return;
    const run = this.run(succeeded, invoiceId).finally(() => this.running.delete(run));
    this.running.add(run);
  }

  /** How many watches are running (GET /health). */
  get size(): number {
    return this.running.size;
  }

  private async run(succeeded: PaymentEventModel, invoiceId: number): Promise<void> {
    const paymentId = succeeded.payment.id;
    // The number of looks is fixed up front (lookTimes), and each wait counts from the
    // previous look: a timer that fires late (a busy process) makes the looks later but
    // never adds or drops one, and never shortens a wait.
    const schedule = lookTimes(this.options.firstDelayMs, this.options.totalMs);
    for (let i = 0; i < schedule.length; i++) {
      try {
        await sleep(schedule[i]! - (i === 0 ? 0 : schedule[i - 1]!), undefined, { signal: this.stopping.signal });
      } catch {
        return; // close()
      }
      if (await this.reconciled(invoiceId, paymentId)) {
        if (this.stopping.signal.aborted) return;
        await this.options.publish({ ...succeeded, id: `${succeeded.id}:reconciled`, type: 'INVOICE_RECONCILED', created: Math.floor(this.now() / 1000) });
        return;
      }
    }
    this.options.logger.warn(
      { paymentId, invoiceId, looks: schedule.length, totalMs: this.options.totalMs },
      'the ERP did not reconcile the invoice with the payment in time; no INVOICE_RECONCILED is published',
    );
  }

  /** Whether the ERP has applied the payment; an ERP that fails to answer counts as "not yet". */
  private async reconciled(invoiceId: number, paymentId: string): Promise<boolean> {
    try {
      if ((await this.options.erp.appliedPayments([paymentId])).has(paymentId)) return true;
      const invoice = await this.options.erp.invoice(invoiceId);
      return invoice !== null && SETTLED_STATES.has(invoice.paymentState ?? '');
    } catch (error) {
      this.options.logger.debug({ err: error, paymentId, invoiceId }, 'the ERP did not answer whether the invoice is reconciled; asking again later');
      return false;
    }
  }

  /** Stops every watch (none publishes after this) and waits for their ERP calls to end. */
  async close(): Promise<void> {
    this.stopping.abort();
    await Promise.all(this.running);
  }
}
