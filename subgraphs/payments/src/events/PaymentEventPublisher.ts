/**
 * Provider events to paymentEvents: each Stripe event from a webhook (after the read model
 * applied it) or from the read model's catch-up is offered here; those that tell of a
 * payment become a PaymentEventModel, published once on the bus (which drops an id already
 * published, here or by another replica).
 *
 * | provider event | published as | the payment |
 * |---|---|---|
 * | payment_intent.succeeded | PAYMENT_SUCCEEDED (then the ERP is watched: INVOICE_RECONCILED) | the event's intent |
 * | payment_intent.payment_failed | PAYMENT_FAILED | the event's intent |
 * | payment_intent.canceled | PAYMENT_CANCELED | the event's intent |
 * | charge.refunded | PAYMENT_REFUNDED | the charge's intent, from the read model or Stripe, refunded at least the charge's amount_refunded |
 *
 * charge.refunded is sent exactly once per refund (sandboxes/payments/src/routes/refunds.ts,
 * as Stripe does), with the charge's cumulative amount_refunded. A payment without
 * metadata.crm_company_id belongs to no customer of the graph and is not published.
 *
 * Events are handled one at a time, in the order offered, off the caller's path: offer()
 * never waits and never throws, so neither a webhook nor a catch-up fails or slows for it.
 */
import type Stripe from 'stripe';
import type { Logger } from '../../../kit/src/index.js';
import type { PaymentEventType } from '../__generated__/resolvers-types.js';
import type { StripePaymentsConnector } from '../connector/StripePaymentsConnector.js';
import { parsePaymentIntent } from '../connector/parseStripe.js';
import type { PaymentEventModel, PaymentModel } from '../models.js';
import type { PaymentsReadModel } from '../readModel/PaymentsReadModel.js';
import type { PaymentEventBus } from './PaymentEventBus.js';
import type { ReconciliationWatch } from './ReconciliationWatch.js';

const TYPES: Readonly<Record<string, PaymentEventType>> = {
  'payment_intent.succeeded': 'PAYMENT_SUCCEEDED',
  'payment_intent.payment_failed': 'PAYMENT_FAILED',
  'payment_intent.canceled': 'PAYMENT_CANCELED',
  'charge.refunded': 'PAYMENT_REFUNDED',
};

export interface PaymentEventPublisherOptions {
  bus: PaymentEventBus;
  /** Reads a refunded charge's payment when the read model does not hold it (or is off). */
  connector: Pick<StripePaymentsConnector, 'retrievePayment'>;
  readModel: PaymentsReadModel | null;
  reconciliation: ReconciliationWatch;
  logger: Logger;
}

const idOf = (value: unknown): string | null =>
  typeof value === 'string'
    ? value
    : typeof value === 'object' && value !== null && typeof (value as { id?: unknown }).id === 'string'
      ? (value as { id: string }).id
      : null;

export class PaymentEventPublisher {
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly options: PaymentEventPublisherOptions) {}

  /** Queues the event for publishing. */
  offer(event: Stripe.Event): void {
    const type = TYPES[event.type];
    if (!type) return;
    this.queue = this.queue.then(() =>
      this.publish(event, type).catch((error: unknown) => {
        this.options.logger.warn({ err: error, eventId: event.id, type: event.type }, 'payment event not published: its payment could not be read');
      }),
    );
  }

  private async publish(event: Stripe.Event, type: PaymentEventType): Promise<void> {
    const payment =
      type === 'PAYMENT_REFUNDED'
        ? await this.refundedPayment(event.data.object as Stripe.Charge)
        : this.intentPayment(event.data.object as Stripe.PaymentIntent);
    if (payment === null || payment.companyId === null) return;
    const published: PaymentEventModel = { id: event.id, type, created: event.created, payment, invoiceId: payment.invoiceId, customerId: payment.companyId };
    if ((await this.options.bus.publish(published)) && type === 'PAYMENT_SUCCEEDED' && published.invoiceId !== null)
      this.options.reconciliation.watch(published);
  }

  /** The intent as the event has it; its card, which an event names by id only, from the read model when it knows it. */
  private intentPayment(intent: Stripe.PaymentIntent): PaymentModel {
    const payment = parsePaymentIntent(intent);
    const cardId = payment.paymentMethod === null ? idOf(intent.payment_method) : null;
    const card = cardId === null ? null : (this.options.readModel?.serving()?.card(cardId) ?? null);
    return card ? { ...payment, paymentMethod: card } : payment;
  }

  /** The refunded charge's payment, refunded at least what the charge says (the refund itself may not have reached the read model yet). */
  private async refundedPayment(charge: Stripe.Charge): Promise<PaymentModel | null> {
    const paymentId = idOf(charge.payment_intent);
    if (paymentId === null) return null;
    const payment = this.options.readModel?.serving()?.payment(paymentId) ?? (await this.options.connector.retrievePayment(paymentId));
    return payment && { ...payment, amountRefunded: Math.max(payment.amountRefunded ?? 0, charge.amount_refunded) };
  }

  /** Waits for the events offered so far to be handled. */
  async drain(): Promise<void> {
    await this.queue;
  }
}
