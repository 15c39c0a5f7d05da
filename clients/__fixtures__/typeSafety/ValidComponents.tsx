/**
 * Components written against the generated hooks the way the app uses them; must compile
 * (test/clientCodegen.test.ts). Kept out of clients/tsconfig.json so that the test
 * compiles them on their own.
 */
import type { PaymentEventType } from '../../__generated__/graphql.js';
import { useCustomerListQuery, useCustomerOverviewQuery, useInvoicePaymentEventsSubscription, usePayInvoiceMutation } from '../../__generated__/hooks.js';

export function Names() {
  const { data } = useCustomerListQuery();
  return (
    <ul>
      {data?.customers?.nodes.map((c) => (
        <li key={c.id}>{c.name}</li>
      ))}
    </ul>
  );
}

export function Overview({ id }: { id: string }) {
  const { data } = useCustomerOverviewQuery({ variables: { id, orders: 3 } });
  const invoice = data?.customer?.invoices?.nodes[0];
  const [pay] = usePayInvoiceMutation();
  if (!invoice) return null;
  const amount: number = invoice.amountDue.amount;
  return (
    <button
      type="button"
      onClick={() =>
        void pay({
          variables: { customerId: id, invoiceId: invoice.id, amount: { amount, currency: invoice.amountDue.currency }, idempotencyKey: 'k-12345678' },
        })
      }
    >
      {invoice.status === 'PAID' ? 'paid' : `pay ${invoice.amountDue.formatted}`}
    </button>
  );
}

export function LatestPaymentEvent({ customerId, invoiceId, watching }: { customerId: string; invoiceId: string; watching: boolean }) {
  const seen: PaymentEventType[] = [];
  const { data, error } = useInvoicePaymentEventsSubscription({
    variables: { customerId, invoiceId },
    skip: !watching,
    onData: ({ data: event }) => {
      if (event.data) seen.push(event.data.paymentEvents.type);
    },
  });
  if (error) return <p>{error.message}</p>;
  const event = data?.paymentEvents;
  return <p>{event ? `${event.type} at ${event.occurredAt}: invoice ${event.invoice?.status ?? 'unknown'}, ${event.payment.amount.formatted}` : 'waiting'}</p>;
}
