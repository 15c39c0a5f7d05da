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
 * After the payment, the invoice is watched until the ERP has it PAID: the provider's
 * webhook reconciles it there and evicts the gateway's cached copy, so polling the
 * invoice (network-only) sees the change; the normalised cache carries the new status
 * to every screen that shows the invoice.
 */
import { useEffect, useState } from 'react';
import { useApolloClient } from '@apollo/client/react';
import { CombinedGraphQLErrors } from '@apollo/client/errors';
import type { ErrorLike } from '@apollo/client';
import type { InvoiceRowFragment, PaymentMethodSummaryFragment } from '../../../__generated__/graphql.js';
import { CustomerOverviewDocument } from '../../../__generated__/graphql.js';
import { useInvoicePaymentStatusQuery, usePayInvoiceMutation } from '../../../__generated__/hooks.js';
import { paymentStatusLabel } from '../labels.js';
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

function InvoiceWatcher({ id }: { id: string }) {
  const client = useApolloClient();
  const { data, stopPolling } = useInvoicePaymentStatusQuery({ variables: { id }, fetchPolicy: 'network-only', pollInterval: 500 });
  const paid = data?.invoice?.status === 'PAID';
  useEffect(() => {
    if (!paid) return;
    stopPolling();
    // The balance and the payments list changed too.
    // (An invoice on a later page shows the new status through the normalised cache.)
    void client.refetchQueries({ include: [CustomerOverviewDocument] });
  }, [paid, stopPolling, client]);
  return <span data-testid="invoice-watch">{paid ? ' Paid.' : ' Waiting for the payment to reach the ERP…'}</span>;
}

/** `card`: the card to charge (the customer's default); the provider's first saved card when undefined. */
export function PayInvoice({ customerId, invoice, card }: { customerId: string; invoice: InvoiceRowFragment; card?: PaymentMethodSummaryFragment }) {
  const [attemptKey, setAttemptKey] = useState<string | undefined>();
  const [failure, setFailure] = useState<ErrorLike | undefined>();
  const [paidWith, setPaidWith] = useState<string | undefined>();
  const [confirming, setConfirming] = useState(false);
  const [payInvoice, { loading }] = usePayInvoiceMutation({ refetchQueries: [CustomerOverviewDocument] });

  if (paidWith) {
    return (
      <span data-testid="payment-result">
        Payment: {paidWith}.<InvoiceWatcher id={invoice.id} />
      </span>
    );
  }
  if (invoice.status === 'PAID' || invoice.amountDue.amount <= 0) return null;
  const pay = async () => {
    setConfirming(false);
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
      if (!isRetryable(error as ErrorLike)) setAttemptKey(undefined);
    }
  };
  const retrying = attemptKey !== undefined && failure !== undefined;
  return (
    <span>
      {confirming ? (
        <span className="confirm" role="dialog" aria-label="Confirm payment" data-testid="pay-confirm">
          Pay <strong>{invoice.amountDue.formatted}</strong> for invoice {invoice.number} with {card ? `the ${card.brand} card ending ${card.last4}` : 'the first saved card'}?
          <br />
          <button type="button" onClick={() => void pay()}>
            Confirm payment
          </button>
          <button type="button" className="secondary" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </span>
      ) : (
        <button type="button" disabled={loading} onClick={() => (retrying ? void pay() : setConfirming(true))}>
          {retrying ? 'Retry payment' : `Pay ${invoice.amountDue.formatted}`}
        </button>
      )}
      {failure ? <ErrorNotice error={failure} /> : null}
    </span>
  );
}
