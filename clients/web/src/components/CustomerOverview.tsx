/**
 * The customer-360 page: one query (CustomerOverview) for the CRM record and contacts,
 * the ERP's orders, invoices and balance and the payments against each invoice; one
 * component per fragment of it.
 *
 * The order history is deferred (@defer in the operation): the rest shows as soon as it
 * is there, and the orders when their part arrives. A backend that fails costs only its
 * sections: the page keeps what the others returned (errorPolicy all) and puts a notice
 * on each section whose fields came back with errors.
 */
import type {
  ContactCardFragment,
  CustomerHeaderFragment,
  InvoiceRowFragment,
  OrderRowFragment,
} from '../../../__generated__/graphql.js';
import { useCustomerOverviewQuery } from '../../../__generated__/hooks.js';
import { ErrorNotice, fieldErrors, SectionNotice, type FieldError } from './ErrorNotice.js';
import { PayInvoice } from './PayInvoice.js';

export function CustomerHeader({ customer, errors = [] }: { customer: CustomerHeaderFragment; errors?: FieldError[] }) {
  const card = customer.defaultPaymentMethod;
  return (
    <div>
      <h2 data-testid="customer-name">{customer.name}</h2>
      <p>
        {[customer.domain, customer.industry, customer.city, customer.country].filter(Boolean).join(' · ')} · {customer.lifecycleStage}
      </p>
      <p>
        Outstanding balance: <strong data-testid="balance">{customer.outstandingBalance?.formatted ?? 'unknown'}</strong>
        {card ? ` · default card ${card.brand} ****${card.last4}` : ' · no saved card'}
      </p>
      <SectionNotice what={errors.some((e) => e.path?.[1] === 'outstandingBalance') ? 'The balance' : 'The payment method'} errors={errors} testId="notice-header" />
    </div>
  );
}

/** The errors of the customer's field `field` (paths start at customer.<field>). */
const errorsAt = (errors: FieldError[], ...fields: string[]): FieldError[] => errors.filter((e) => e.path?.[0] === 'customer' && fields.includes(String(e.path[1])));

export function ContactCard({ contact }: { contact: ContactCardFragment }) {
  return (
    <li>
      {contact.fullName}
      {contact.jobTitle ? `, ${contact.jobTitle}` : ''}
      {contact.email ? ` <${contact.email}>` : ''}
    </li>
  );
}

export function OrderRow({ order }: { order: OrderRowFragment }) {
  return (
    <tr data-testid="order-row">
      <td>{order.number}</td>
      <td>{order.placedAt.slice(0, 10)}</td>
      <td>{order.status}</td>
      <td>{order.total.formatted}</td>
      <td>{order.lines.map((line) => `${line.quantity} × ${line.product.name}${line.product.inStock ? '' : ' (out of stock)'}`).join('; ')}</td>
    </tr>
  );
}

export function InvoiceRow({ customerId, invoice, paymentMethodId }: { customerId: string; invoice: InvoiceRowFragment; paymentMethodId?: string }) {
  return (
    <tr data-testid="invoice-row" data-invoice-id={invoice.id}>
      <td>{invoice.number}</td>
      <td>{invoice.dueAt}</td>
      <td data-testid="invoice-status">{invoice.status}</td>
      <td>{invoice.total.formatted}</td>
      <td>{invoice.amountDue.formatted}</td>
      <td>{invoice.payments ? invoice.payments.map((p) => `${p.amount.formatted} ${p.status}`).join(', ') || 'none' : 'unavailable'}</td>
      <td>
        <PayInvoice customerId={customerId} invoice={invoice} paymentMethodId={paymentMethodId} />
      </td>
    </tr>
  );
}

export function CustomerOverview({ id }: { id: string }) {
  const { data, loading, error } = useCustomerOverviewQuery({ variables: { id }, errorPolicy: 'all' });
  if (loading && !data) return <p>Loading…</p>;
  const customer = data?.customer;
  const errors = fieldErrors(error);
  // What no section shows: a network failure, or an error about the whole customer.
  const sectionFields = ['outstandingBalance', 'defaultPaymentMethod', 'contacts', 'orders', 'invoices'];
  const general = errors.filter((e) => !(e.path?.[0] === 'customer' && sectionFields.includes(String(e.path[1]))));
  const ordersArrived = customer !== null && customer !== undefined && 'orders' in customer;
  return (
    <section>
      {error && (!customer || errors.length === 0 || general.length > 0) ? <ErrorNotice error={error} /> : null}
      {!customer ? (
        error ? null : <p>No customer {id}.</p>
      ) : (
        <>
          <CustomerHeader customer={customer} errors={errorsAt(errors, 'outstandingBalance', 'defaultPaymentMethod')} />
          <h3>Contacts ({customer.contacts?.totalCount ?? 'unavailable'})</h3>
          <SectionNotice what="The contacts" errors={errorsAt(errors, 'contacts')} testId="notice-contacts" />
          <ul>
            {customer.contacts?.nodes.map((contact) => (
              <ContactCard key={contact.id} contact={contact} />
            ))}
          </ul>
          <h3>Orders ({ordersArrived ? (customer.orders?.totalCount ?? 'unavailable') : '…'})</h3>
          {ordersArrived ? null : <p data-testid="orders-loading">Loading the order history…</p>}
          <SectionNotice what="The order history" errors={errorsAt(errors, 'orders')} testId="notice-orders" />
          {customer.orders ? (
            <table>
              <thead>
                <tr>
                  <th>Number</th>
                  <th>Placed</th>
                  <th>Status</th>
                  <th>Total</th>
                  <th>Lines</th>
                </tr>
              </thead>
              <tbody>
                {customer.orders?.nodes.map((order) => (
                  <OrderRow key={order.id} order={order} />
                ))}
              </tbody>
            </table>
          ) : null}
          <h3>Invoices ({customer.invoices?.totalCount ?? 'unavailable'})</h3>
          <SectionNotice what="The invoices" errors={errorsAt(errors, 'invoices')} testId="notice-invoices" />
          {customer.invoices ? (
            <table>
              <thead>
                <tr>
                  <th>Number</th>
                  <th>Due</th>
                  <th>Status</th>
                  <th>Total</th>
                  <th>Due now</th>
                  <th>Payments</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {customer.invoices?.nodes.map((invoice) => (
                  <InvoiceRow key={invoice.id} customerId={customer.id} invoice={invoice} paymentMethodId={customer.defaultPaymentMethod?.id} />
                ))}
              </tbody>
            </table>
          ) : null}
        </>
      )}
    </section>
  );
}
