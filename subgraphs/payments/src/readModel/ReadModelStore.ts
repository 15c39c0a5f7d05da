/**
 * The payments read model's data: Stripe's customers, payment intents and refunds as the
 * graph's models, indexed the way the resolvers ask (a company's customer, a customer's
 * payments, an invoice's payments, a payment's refunds), plus the saved cards of the
 * customers someone asked about (Stripe lists cards one customer at a time, so they are
 * loaded on first use and dropped when an event says they changed).
 *
 * Writes are merges that never go back in time, so an event applied twice, or after a
 * newer one, or after a full list that already had its effect, changes nothing:
 * - a payment keeps the state with the larger version [terminal, time, progress]:
 *   succeeded and canceled are final; otherwise the newer event wins, and within one second
 *   the state further along (a failure after the attempt that made it);
 * - a refund keeps the state with the larger version [time, settled];
 * - customers are not merged: their events make the model read the customer again.
 * `time` is the event's `created`, or the time a list or a write was made.
 *
 * Everything is in memory, per process (see the README for why not keyv, and replicas).
 */
import type { PaymentStatus } from '../__generated__/resolvers-types.js';
import type { PaymentMethodModel, PaymentModel, RefundModel, StripeCustomerModel } from '../models.js';

/** Compared element by element; a larger version is a later state. */
export type Version = readonly number[];

export function compareVersions(a: Version, b: Version): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

const PROGRESS: Record<PaymentStatus, number> = { REQUIRES_ACTION: 0, PROCESSING: 1, FAILED: 2, SUCCEEDED: 0, CANCELED: 0 };

export function paymentVersion(payment: Pick<PaymentModel, 'status'>, time: number): Version {
  const terminal = payment.status === 'SUCCEEDED' || payment.status === 'CANCELED' ? 1 : 0;
  return [terminal, time, PROGRESS[payment.status]];
}

export function refundVersion(refund: Pick<RefundModel, 'status'>, time: number): Version {
  return [time, refund.status === 'PENDING' ? 0 : 1];
}

interface Stored<T> {
  value: T;
  version: Version;
  /** Stripe's tie-break for objects created in the same second: the later created comes first in lists. */
  seq: number;
}

/** Stripe's list order: newest first, same-second objects latest created first. */
const newestFirst = <T extends { created: number }>(a: Stored<T>, b: Stored<T>): number => b.value.created - a.value.created || b.seq - a.seq;

function addTo(index: Map<string, Set<string>>, key: string | null, id: string): void {
  if (key === null) return;
  let set = index.get(key);
  if (!set) index.set(key, (set = new Set()));
  set.add(id);
}

function removeFrom(index: Map<string, Set<string>>, key: string | null, id: string): void {
  if (key === null) return;
  index.get(key)?.delete(id);
}

/** What Stripe counts in a charge's amount_refunded: refunds not failed or cancelled. */
function refundedSum(refunds: readonly RefundModel[]): number {
  return refunds.reduce((sum, r) => (r.status === 'FAILED' || r.status === 'CANCELED' ? sum : sum + r.amount), 0);
}

export class ReadModelStore {
  private readonly customers = new Map<string, StripeCustomerModel>();
  private readonly customersByCompany = new Map<string, Set<string>>();
  private readonly payments = new Map<string, Stored<PaymentModel>>();
  private readonly paymentsByInvoice = new Map<string, Set<string>>();
  private readonly paymentsByCustomer = new Map<string, Set<string>>();
  private readonly refunds = new Map<string, Stored<RefundModel> & { paymentId: string }>();
  private readonly refundsByPayment = new Map<string, Set<string>>();
  /** Card details by pm_… id (a card's brand, last4 and expiry do not change). */
  private readonly cards = new Map<string, PaymentMethodModel>();
  /** Saved cards of the customers asked about, in Stripe's order. */
  private readonly cardLists = new Map<string, PaymentMethodModel[]>();
  /** Bumped by every card event of a customer, so that a list read before it is not kept. */
  private readonly cardGenerations = new Map<string, number>();
  private nextSeq = 0;

  private seqFor(given: number | undefined): number {
    if (given === undefined) return this.nextSeq++;
    this.nextSeq = Math.max(this.nextSeq, given + 1);
    return given;
  }

  /** Objects held, for /health. */
  counts(): Record<string, number> {
    return { customers: this.customers.size, payments: this.payments.size, refunds: this.refunds.size, cardLists: this.cardLists.size };
  }

  // ---- customers ----

  putCustomer(customer: StripeCustomerModel): void {
    this.removeCustomer(customer.id);
    this.customers.set(customer.id, customer);
    addTo(this.customersByCompany, customer.companyId, customer.id);
    if (customer.defaultPaymentMethod) this.cards.set(customer.defaultPaymentMethod.id, customer.defaultPaymentMethod);
  }

  removeCustomer(id: string): void {
    const before = this.customers.get(id);
    if (!before) return;
    this.customers.delete(id);
    removeFrom(this.customersByCompany, before.companyId, id);
  }

  /** A company's Stripe customer; the oldest when a duplicate was made by hand (as the search path does). */
  customerOfCompany(companyId: string): StripeCustomerModel | null {
    const ids = this.customersByCompany.get(companyId);
    if (!ids || ids.size === 0) return null;
    const all = [...ids].map((id) => this.customers.get(id)!);
    return all.sort((a, b) => a.created - b.created || (a.id < b.id ? -1 : 1))[0]!;
  }

  // ---- payments ----

  /**
   * Stores a payment unless the model holds a later state of it. `seq` orders it among
   * payments of the same second; default: after everything stored so far.
   */
  putPayment(payment: PaymentModel, version: Version, seq?: number): boolean {
    const before = this.payments.get(payment.id);
    if (before && compareVersions(version, before.version) < 0) return false;
    if (before) {
      removeFrom(this.paymentsByInvoice, before.value.invoiceId, payment.id);
      removeFrom(this.paymentsByCustomer, before.value.stripeCustomerId, payment.id);
    }
    // A state without the card (an event names it by id) keeps the card already known.
    const paymentMethod = payment.paymentMethod ?? before?.value.paymentMethod ?? null;
    if (paymentMethod) this.cards.set(paymentMethod.id, paymentMethod);
    this.payments.set(payment.id, { value: { ...payment, paymentMethod }, version, seq: before?.seq ?? this.seqFor(seq) });
    addTo(this.paymentsByInvoice, payment.invoiceId, payment.id);
    addTo(this.paymentsByCustomer, payment.stripeCustomerId, payment.id);
    return true;
  }

  hasPayment(id: string): boolean {
    return this.payments.has(id);
  }

  /** The payment as the graph shows it, its refunded amount summed from the refunds held. */
  payment(id: string): PaymentModel | null {
    const stored = this.payments.get(id);
    return stored ? this.view(stored.value) : null;
  }

  private view(payment: PaymentModel): PaymentModel {
    const customer = payment.stripeCustomerId === null ? undefined : this.customers.get(payment.stripeCustomerId);
    return { ...payment, amountRefunded: refundedSum(this.refundsOf(payment.id)), companyId: payment.companyId ?? customer?.companyId ?? null };
  }

  private paymentsIn(ids: Set<string> | undefined): PaymentModel[] {
    if (!ids) return [];
    return [...ids]
      .map((id) => this.payments.get(id)!)
      .sort(newestFirst)
      .map((stored) => this.view(stored.value));
  }

  /** Payments whose metadata names the ERP invoice, newest first. */
  paymentsOfInvoice(invoiceId: string): PaymentModel[] {
    return this.paymentsIn(this.paymentsByInvoice.get(invoiceId));
  }

  /** Payments of the company's Stripe customer, newest first. */
  paymentsOfCompany(companyId: string): PaymentModel[] {
    const customer = this.customerOfCompany(companyId);
    return customer ? this.paymentsIn(this.paymentsByCustomer.get(customer.id)) : [];
  }

  /** A card seen with a payment or a customer, by id. */
  card(id: string): PaymentMethodModel | null {
    return this.cards.get(id) ?? null;
  }

  // ---- refunds ----

  putRefund(paymentId: string, refund: RefundModel, version: Version, seq?: number): boolean {
    const before = this.refunds.get(refund.id);
    if (before && compareVersions(version, before.version) < 0) return false;
    this.refunds.set(refund.id, { value: refund, version, seq: before?.seq ?? this.seqFor(seq), paymentId });
    addTo(this.refundsByPayment, paymentId, refund.id);
    return true;
  }

  /** A payment's refunds, oldest first. */
  refundsOf(paymentId: string): RefundModel[] {
    const ids = this.refundsByPayment.get(paymentId);
    if (!ids) return [];
    return [...ids]
      .map((id) => this.refunds.get(id)!)
      .sort((a, b) => -newestFirst(a, b))
      .map((stored) => stored.value);
  }

  // ---- saved cards, loaded per customer on first use ----

  cardsOf(stripeCustomerId: string): PaymentMethodModel[] | undefined {
    return this.cardLists.get(stripeCustomerId);
  }

  cardGeneration(stripeCustomerId: string): number {
    return this.cardGenerations.get(stripeCustomerId) ?? 0;
  }

  /** Keeps a customer's cards listed from Stripe, unless a card event of that customer came in since the list was asked for. */
  putCards(stripeCustomerId: string, cards: PaymentMethodModel[], generation: number): boolean {
    if (this.cardGeneration(stripeCustomerId) !== generation) return false;
    this.cardLists.set(stripeCustomerId, cards);
    for (const card of cards) this.cards.set(card.id, card);
    return true;
  }

  /** A card changed (attached, detached, updated): the lists that may hold it are read again on next use. */
  cardChanged(cardId: string, customerIds: ReadonlyArray<string | null>): void {
    const affected = new Set(customerIds.filter((id): id is string => id !== null));
    for (const [customerId, list] of this.cardLists) if (list.some((card) => card.id === cardId)) affected.add(customerId);
    for (const customerId of affected) {
      this.cardLists.delete(customerId);
      this.cardGenerations.set(customerId, this.cardGeneration(customerId) + 1);
    }
  }

  /** A customer's default card may have changed: its saved cards are read again on next use. */
  customerCardsChanged(stripeCustomerId: string): void {
    this.cardLists.delete(stripeCustomerId);
    this.cardGenerations.set(stripeCustomerId, this.cardGeneration(stripeCustomerId) + 1);
  }
}
