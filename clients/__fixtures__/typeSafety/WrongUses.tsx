/**
 * Mistakes the generated types must catch; each line marked "error TSxxxx" must fail to
 * compile with that code, and nothing else may (test/clientCodegen.test.ts).
 */
import { useCustomerOverviewQuery, useInvoicePaymentEventsSubscription, usePayInvoiceMutation } from '../../__generated__/hooks.js';

export function WrongField({ id }: { id: string }) {
  const { data } = useCustomerOverviewQuery({ variables: { id } });
  return <h1>{data?.customer?.nmae}</h1>; // error TS2339: the field is `name`
}

export function MissingVariables() {
  const { data } = useCustomerOverviewQuery({ variables: {} }); // error TS2741: `id` is required
  return <p>{data?.customer?.name}</p>;
}

export function WrongStatus({ id }: { id: string }) {
  const { data } = useCustomerOverviewQuery({ variables: { id } });
  return <p>{data?.customer?.invoices?.nodes.filter((i) => i.status === 'SETTLED').length}</p>; // error TS2367: not an InvoiceStatus
}

export function NoIdempotencyKey({ id }: { id: string }) {
  const [pay] = usePayInvoiceMutation();
  return <button onClick={() => void pay({ variables: { customerId: id, invoiceId: '1', amount: { amount: 100, currency: 'USD' } } })} />; // error TS2322: idempotencyKey is required
}

export function EventTypeTypo({ id }: { id: string }) {
  const { data } = useInvoicePaymentEventsSubscription({ variables: { customerId: id, invoiceId: '1' } });
  return <p>{data?.paymentEvents.type === 'PAYMENT_SUCCEDED' ? 'paid' : ''}</p>; // error TS2367: not a PaymentEventType
}
