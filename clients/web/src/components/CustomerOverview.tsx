/**
 * The customer-360 page: one query (CustomerOverview) for the CRM record and contacts,
 * the ERP's orders, invoices and balance and the payments against each invoice; one
 * component per fragment of it.
 */
import type {
  ContactCardFragment,
  CustomerHeaderFragment,
  InvoiceRowFragment,
  OrderRowFragment,
} from '../../../__generated__/graphql.js';
import { useCustomerOverviewQuery } from '../../../__generated__/hooks.js';
import { ErrorNotice } from './ErrorNotice.js';
import { PayInvoice } from './PayInvoice.js';

export function CustomerHeader({ customer }: { customer: CustomerHeaderFragment }) {
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
    </div>
  );
}

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
  const { data, loading, error } = useCustomerOverviewQuery({ variables: { id } });
  if (loading && !data) return <p>Loading…</p>;
  const customer = data?.customer;
  return (
    <section>
      {error ? <ErrorNotice error={error} /> : null}
      {!customer ? (
        <p>No customer {id}.</p>
      ) : (
        <>
          <CustomerHeader customer={customer} />
          <h3>Contacts ({customer.contacts?.totalCount ?? 'unavailable'})</h3>
          <ul>
            {customer.contacts?.nodes.map((contact) => (
              <ContactCard key={contact.id} contact={contact} />
            ))}
          </ul>
          <h3>Orders ({customer.orders?.totalCount ?? 'unavailable'})</h3>
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
          <h3>Invoices ({customer.invoices?.totalCount ?? 'unavailable'})</h3>
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
        </>
      )}
    </section>
  );
}
