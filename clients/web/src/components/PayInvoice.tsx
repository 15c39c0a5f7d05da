/**
 * Paying an invoice with the customer's default card. Each payment attempt gets its own
 * idempotency key, made when the user first presses Pay and sent again, unchanged, when
 * they retry after a failure that may not have reached the provider (network, backend
 * unavailable): the provider then answers with the first attempt's payment instead of
 * charging twice. Only a finished attempt (paid, or refused such as a declined card)
 * lets the next press start a new key.
 *
 * Pay asks first: the amount, the invoice and the card, then Confirm payment or Cancel.
 * A retry of the same attempt (same key) needs no second confirmation.
 *
 * The invoice is followed live, with no polling: the InvoicePaymentEvents subscription
 * (through the app's client: HttpLink's multipart subscriptions, by persisted id) starts
 * when the user presses Pay, so that it is in place before the payment is sent (the graph
 * keeps no history: an event published before it started would never be seen), and lists
 * each event as it comes (payment succeeded, failed...). It stops when the ERP has
 * applied the payment (INVOICE_RECONCILED: status PAID, nothing due), when the user
 * cancels, or when an attempt is refused; the customer page is then fetched once more
 * for the balance and the payments list. Each event is written to the normalised cache,
 * which carries the invoice's new status to every screen that shows it.
 *
 * If the subscription fails or ends before the reconciliation, or none has come
 * RECONCILE_NOTICE_MS after the payment, the panel says so and offers "Check status",
 * which asks InvoicePaymentStatus once. Nothing asks again by itself.
 */
import { useEffect, useState } from 'react';
import { useApolloClient } from '@apollo/client/react';
import { CombinedGraphQLErrors } from '@apollo/client/errors';
import type { ErrorLike } from '@apollo/client';
import type { InvoicePaymentEventsSubscription, InvoiceRowFragment, PaymentMethodSummaryFragment } from '../../../__generated__/graphql.js';
import { CustomerOverviewDocument, InvoicePaymentStatusDocument } from '../../../__generated__/graphql.js';
import { useInvoicePaymentEventsSubscription, usePayInvoiceMutation } from '../../../__generated__/hooks.js';
import { invoiceStatusLabel, paymentEventTypeLabel, paymentStatusLabel } from '../labels.js';
import { ErrorNotice } from './ErrorNotice.js';

/**
 * Errors after which the charge may or may not have happened, or may succeed if sent
 * again: the same attempt is retried with its key. Anything else (a declined card, a bad
 * amount) ends the attempt; the next press starts a new one with a new key.
 */
const RETRYABLE_CODES = new Set(['BACKEND_UNAVAILABLE', 'BACKEND_ERROR', 'RATE_LIMITED', 'INTERNAL_SERVER_ERROR']);
export const isRetryable = (error: ErrorLike): boolean => {
  if (!CombinedGraphQLErrors.is(error)) return true; // the request may or may not have arrived
  return error.errors.some((e) => RETRYABLE_CODES.has(String(e.extensions?.code)));
};

/** How long after a successful payment the panel waits for the ERP's reconciliation before offering to check. */
export const RECONCILE_NOTICE_MS = 20_000;

type PaymentEvent = InvoicePaymentEventsSubscription['paymentEvents'];

const amountDue = (invoice: { amountDue: { amount: number; formatted: string } }): string =>
  invoice.amountDue.amount <= 0 ? 'nothing due' : `${invoice.amountDue.formatted} due`;

/** One event as the panel lists it, e.g. "Payment succeeded: $120.00" or "Reconciled in the ERP: invoice paid, nothing due". */
export function describeEvent(event: PaymentEvent): string {
  const label = paymentEventTypeLabel[event.type];
  if (event.type === 'INVOICE_RECONCILED') {
    return `${label}: ${event.invoice ? `invoice ${invoiceStatusLabel[event.invoice.status].toLowerCase()}, ${amountDue(event.invoice)}` : 'invoice status unavailable'}`;
  }
  const refunded = event.type === 'PAYMENT_REFUNDED' ? ` (${event.payment.amountRefunded.formatted} refunded)` : '';
  const failure = event.payment.failureCode ? ` (${event.payment.failureCode})` : '';
  return `${label}: ${event.payment.amount.formatted}${refunded}${failure}`;
}

/** Why the live updates need the user's help, or undefined while they are fine. */
function liveProblem(error: ErrorLike | undefined, ended: boolean, slow: boolean): string | undefined {
  if (error) return 'Live updates of this payment failed.';
  if (ended) return 'Live updates of this payment ended before the ERP confirmed it.';
  if (slow) return 'The ERP has not confirmed the payment yet.';
  return undefined;
}

/** `card`: the card to charge (the customer's default); the provider's first saved card when undefined. */
export function PayInvoice({ customerId, invoice, card }: { customerId: string; invoice: InvoiceRowFragment; card?: PaymentMethodSummaryFragment }) {
  const client = useApolloClient();
  const [attemptKey, setAttemptKey] = useState<string | undefined>();
  const [failure, setFailure] = useState<ErrorLike | undefined>();
  const [paidWith, setPaidWith] = useState<string | undefined>();
  const [confirming, setConfirming] = useState(false);
  const [payInvoice, { loading }] = usePayInvoiceMutation();

  // The live side: subscribed while `watching`; what it saw; how it ended.
  const [watching, setWatching] = useState(false);
  const [events, setEvents] = useState<PaymentEvent[]>([]);
  const [reconciled, setReconciled] = useState(false);
  const [liveError, setLiveError] = useState<ErrorLike | undefined>();
  const [liveEnded, setLiveEnded] = useState(false);
  const [slow, setSlow] = useState(false);
  const [checking, setChecking] = useState(false);
  const [checked, setChecked] = useState<string | undefined>();
  const [checkError, setCheckError] = useState<ErrorLike | undefined>();

  /** The invoice is settled: stop following it, and fetch the customer page once for its balance and payments. */
  const settled = () => {
    setReconciled(true);
    setWatching(false);
    setAttemptKey(undefined);
    setFailure(undefined);
    void client.refetchQueries({ include: [CustomerOverviewDocument] });
  };

  useInvoicePaymentEventsSubscription({
    variables: { customerId, invoiceId: invoice.id },
    skip: !watching,
    onData: ({ data }) => {
      const event = data.data?.paymentEvents;
      if (!event) return;
      setLiveError(undefined);
      setEvents((seen) => (seen.some((e) => e.id === event.id) ? seen : [...seen, event]));
      if (event.type === 'INVOICE_RECONCILED') settled();
    },
    onError: (error) => setLiveError(error),
    onComplete: () => setLiveEnded(true),
  });

  useEffect(() => {
    if (!paidWith || reconciled) return undefined;
    const timer = setTimeout(() => setSlow(true), RECONCILE_NOTICE_MS);
    return () => clearTimeout(timer);
  }, [paidWith, reconciled]);

  /** Starts following the invoice (again, after a refused attempt or a cancel). */
  const follow = () => {
    if (watching) return;
    setLiveError(undefined);
    setLiveEnded(false);
    setWatching(true);
  };

  const checkStatus = async () => {
    setChecking(true);
    setCheckError(undefined);
    try {
      const { data } = await client.query({ query: InvoicePaymentStatusDocument, variables: { id: invoice.id }, fetchPolicy: 'network-only' });
      const now = data?.invoice;
      setChecked(now ? `${invoiceStatusLabel[now.status]}, ${amountDue(now)}` : 'not found');
      if (now?.status === 'PAID') settled();
    } catch (error) {
      setCheckError(error as ErrorLike);
    } finally {
      setChecking(false);
    }
  };

  const pay = async () => {
    setConfirming(false);
    follow();
    const idempotencyKey = attemptKey ?? crypto.randomUUID();
    setAttemptKey(idempotencyKey);
    setFailure(undefined);
    try {
      const { data } = await payInvoice({
        variables: {
          customerId,
          invoiceId: invoice.id,
          amount: { amount: invoice.amountDue.amount, currency: invoice.amountDue.currency },
          idempotencyKey,
          paymentMethodId: card?.id ?? null,
        },
      });
      setAttemptKey(undefined);
      const status = data?.payInvoice.payment.status;
      setPaidWith(status ? paymentStatusLabel[status] : 'sent');
    } catch (error) {
      setFailure(error as ErrorLike);
      if (!isRetryable(error as ErrorLike)) {
        // The attempt is over (declined, refused): nothing more to follow until the next one.
        setAttemptKey(undefined);
        setWatching(false);
      }
    }
  };

  const problem = reconciled ? undefined : liveProblem(liveError, liveEnded, slow && paidWith !== undefined);
  const live =
    events.length > 0 || problem || (paidWith && !reconciled) || reconciled ? (
      <div className="live-status">
        {events.length > 0 ? (
          <ol className="payment-events" data-testid="payment-events" aria-label="Payment events">
            {events.map((event) => (
              <li key={event.id} data-testid="payment-event" data-event-type={event.type}>
                {describeEvent(event)}
              </li>
            ))}
          </ol>
        ) : null}
        {paidWith ? <span data-testid="invoice-watch">{reconciled ? 'Paid.' : 'Waiting for the ERP to apply the payment…'}</span> : null}
        {problem ? (
          <>
            {liveError ? <ErrorNotice error={liveError} /> : null}
            <p className="notice" role="status" data-testid="live-notice">
              {problem}
              <button type="button" className="secondary" disabled={checking} onClick={() => void checkStatus()}>
                Check status
              </button>
              {checked ? <span data-testid="checked-status"> Invoice: {checked}.</span> : null}
            </p>
            {checkError ? <ErrorNotice error={checkError} /> : null}
          </>
        ) : null}
      </div>
    ) : null;

  if (paidWith) {
    return (
      <div>
        <span data-testid="payment-result">Payment: {paidWith}.</span>
        {live}
      </div>
    );
  }
  // Paid already (or paid by this attempt, seen live before its answer came back).
  if (invoice.status === 'PAID' || invoice.amountDue.amount <= 0) return live;
  const retrying = attemptKey !== undefined && failure !== undefined;
  return (
    <div>
      {confirming ? (
        <span className="confirm" role="dialog" aria-label="Confirm payment" data-testid="pay-confirm">
          Pay <strong>{invoice.amountDue.formatted}</strong> for invoice {invoice.number} with{' '}
          {card ? `the ${card.brand} card ending ${card.last4}` : 'the first saved card'}?
          <br />
          <button type="button" onClick={() => void pay()}>
            Confirm payment
          </button>
          <button
            type="button"
            className="secondary"
            onClick={() => {
              // Nothing was sent: stop following, and forget how the live side fared.
              setConfirming(false);
              setWatching(false);
              setLiveError(undefined);
              setLiveEnded(false);
            }}
          >
            Cancel
          </button>
        </span>
      ) : (
        <button
          type="button"
          disabled={loading}
          onClick={() => {
            // Subscribed from here: in place before the payment goes out.
            follow();
            if (retrying) void pay();
            else setConfirming(true);
          }}
        >
          {retrying ? 'Retry payment' : `Pay ${invoice.amountDue.formatted}`}
        </button>
      )}
      {failure ? <ErrorNotice error={failure} /> : null}
      {live}
    </div>
  );
}
