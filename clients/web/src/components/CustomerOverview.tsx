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
import { useState, type ReactNode } from 'react';
import type { ErrorLike } from '@apollo/client';
import type {
  ContactCardFragment,
  CustomerHeaderFragment,
  InvoiceRowFragment,
  OrderRowFragment,
  PageInfoFieldsFragment,
  PaymentMethodSummaryFragment,
} from '../../../__generated__/graphql.js';
import { useCustomerInvoicesPageQuery, useCustomerOrdersPageQuery, useCustomerOverviewQuery } from '../../../__generated__/hooks.js';
import { industryLabel, invoiceStatusLabel, lifecycleStageLabel, orderStatusLabel, paymentStatusLabel } from '../labels.js';
import { ErrorNotice, fieldErrors, SectionNotice, type FieldError } from './ErrorNotice.js';
import { PayInvoice } from './PayInvoice.js';

export function CustomerHeader({ customer, errors = [] }: { customer: CustomerHeaderFragment; errors?: FieldError[] }) {
  const card = customer.defaultPaymentMethod;
  return (
    <div className="card">
      <h2 data-testid="customer-name">{customer.name}</h2>
      <p className="muted">
        {[customer.domain, customer.industry && industryLabel(customer.industry), customer.city, customer.country].filter(Boolean).join(' · ')} ·{' '}
        <span className="badge">{lifecycleStageLabel[customer.lifecycleStage]}</span>
      </p>
      <p>
        Outstanding balance: <strong data-testid="balance">{customer.outstandingBalance?.formatted ?? 'unknown'}</strong>
        {card ? ` · default card ${card.brand} ****${card.last4}` : ' · no saved card'}
      </p>
      <SectionNotice
        what={errors.some((e) => e.path?.[1] === 'outstandingBalance') ? 'The balance' : 'The payment method'}
        errors={errors}
        testId="notice-header"
      />
    </div>
  );
}

/** The errors of the customer's field `field` (paths start at customer.<field>). */
const errorsAt = (errors: FieldError[], ...fields: string[]): FieldError[] =>
  errors.filter((e) => e.path?.[0] === 'customer' && fields.includes(String(e.path[1])));

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
      <td>
        <span className={`badge ${order.status === 'CONFIRMED' ? 'good' : order.status === 'CANCELLED' ? 'bad' : ''}`}>{orderStatusLabel[order.status]}</span>
      </td>
      <td className="amount">{order.total.formatted}</td>
      <td>{order.lines.map((line) => `${line.quantity} × ${line.product.name}${line.product.inStock ? '' : ' (out of stock)'}`).join('; ')}</td>
    </tr>
  );
}

const INVOICE_BADGE: Record<InvoiceRowFragment['status'], string> = { PAID: 'good', OVERDUE: 'bad', PARTIALLY_PAID: 'wait', OPEN: '' };

export function InvoiceRow({ customerId, invoice, card }: { customerId: string; invoice: InvoiceRowFragment; card?: PaymentMethodSummaryFragment | null }) {
  return (
    <tr data-testid="invoice-row" data-invoice-id={invoice.id}>
      <td>{invoice.number}</td>
      <td>{invoice.dueAt}</td>
      <td data-testid="invoice-status">
        <span className={`badge ${INVOICE_BADGE[invoice.status]}`}>{invoiceStatusLabel[invoice.status]}</span>
      </td>
      <td className="amount">{invoice.total.formatted}</td>
      <td className="amount">{invoice.amountDue.formatted}</td>
      <td>
        {invoice.payments
          ? invoice.payments.map((p) => `${p.amount.formatted} ${paymentStatusLabel[p.status].toLowerCase()}`).join(', ') || 'none'
          : 'unavailable'}
      </td>
      <td>
        <PayInvoice customerId={customerId} invoice={invoice} card={card ?? undefined} />
      </td>
    </tr>
  );
}

/** Page sizes: CustomerOverview's $orders and $invoices defaults, and the page queries'. */
const ORDERS_PAGE = 5;
const INVOICES_PAGE = 10;

interface Page<T> {
  totalCount: number;
  nodes: T[];
  pageInfo: PageInfoFieldsFragment;
}

/**
 * Which page of a section is shown: the first comes with the overview; each later one is
 * fetched by its page query after the cursor of the page before it.
 */
function usePages(): { cursor: string | undefined; number: number; next(endCursor: string): void; previous(): void } {
  const [cursors, setCursors] = useState<string[]>([]);
  return {
    cursor: cursors[cursors.length - 1],
    number: cursors.length + 1,
    next: (endCursor) => setCursors([...cursors, endCursor]),
    previous: () => setCursors(cursors.slice(0, -1)),
  };
}

function Pager({ what, page, size, pages }: { what: string; page: Page<unknown> | undefined; size: number; pages: ReturnType<typeof usePages> }) {
  const total = Math.max(1, Math.ceil((page?.totalCount ?? 0) / size));
  if (total === 1 && pages.number === 1) return null;
  return (
    <nav className="pager" aria-label={`${what} pages`}>
      <button type="button" className="secondary" disabled={pages.number === 1} onClick={pages.previous}>
        Previous
      </button>
      <span data-testid={`${what}-page`}>
        Page {pages.number} of {total}
      </span>
      <button
        type="button"
        className="secondary"
        disabled={!page?.pageInfo.hasNextPage || !page.pageInfo.endCursor}
        onClick={() => page?.pageInfo.endCursor && pages.next(page.pageInfo.endCursor)}
      >
        Next
      </button>
    </nav>
  );
}

/** A section's table: the page shown (or a loading line while a later page comes), then its pager. */
function PagedTable<T>({
  what,
  size,
  page,
  pages,
  error,
  head,
  row,
}: {
  what: string;
  size: number;
  page: Page<T> | undefined;
  pages: ReturnType<typeof usePages>;
  error: ErrorLike | undefined;
  head: ReactNode;
  row: (node: T) => ReactNode;
}) {
  return (
    <>
      {error ? <ErrorNotice error={error} /> : null}
      {page ? (
        <table>
          <thead>
            <tr>{head}</tr>
          </thead>
          <tbody>{page.nodes.map(row)}</tbody>
        </table>
      ) : (
        <p className="loading">Loading…</p>
      )}
      <Pager what={what} page={page} size={size} pages={pages} />
    </>
  );
}

export function OrdersTable({ customerId, firstPage }: { customerId: string; firstPage: Page<OrderRowFragment> }) {
  const pages = usePages();
  const later = useCustomerOrdersPageQuery({
    variables: { id: customerId, first: ORDERS_PAGE, after: pages.cursor ?? null },
    skip: pages.cursor === undefined,
    errorPolicy: 'all',
  });
  const page = pages.cursor === undefined ? firstPage : (later.data?.customer?.orders ?? undefined);
  const head = (
    <>
      <th>Number</th>
      <th>Placed</th>
      <th>Status</th>
      <th className="amount">Total</th>
      <th>Lines</th>
    </>
  );
  return (
    <PagedTable
      what="orders"
      size={ORDERS_PAGE}
      page={page}
      pages={pages}
      error={later.error}
      head={head}
      row={(order) => <OrderRow key={order.id} order={order} />}
    />
  );
}

export function InvoicesTable({
  customerId,
  firstPage,
  card,
}: {
  customerId: string;
  firstPage: Page<InvoiceRowFragment>;
  card: PaymentMethodSummaryFragment | null;
}) {
  const pages = usePages();
  const later = useCustomerInvoicesPageQuery({
    variables: { id: customerId, first: INVOICES_PAGE, after: pages.cursor ?? null },
    skip: pages.cursor === undefined,
    errorPolicy: 'all',
  });
  const page = pages.cursor === undefined ? firstPage : (later.data?.customer?.invoices ?? undefined);
  const head = (
    <>
      <th>Number</th>
      <th>Due</th>
      <th>Status</th>
      <th className="amount">Total</th>
      <th className="amount">Due now</th>
      <th>Payments</th>
      <th />
    </>
  );
  return (
    <PagedTable
      what="invoices"
      size={INVOICES_PAGE}
      page={page}
      pages={pages}
      error={later.error}
      head={head}
      row={(invoice) => <InvoiceRow key={invoice.id} customerId={customerId} invoice={invoice} card={card} />}
    />
  );
}

export function CustomerOverview({ id }: { id: string }) {
  const { data, loading, error } = useCustomerOverviewQuery({ variables: { id }, errorPolicy: 'all' });
  if (loading && !data) return <p className="loading">Loading…</p>;
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
        error ? null : (
          <p>No customer {id}.</p>
        )
      ) : (
        <>
          <CustomerHeader customer={customer} errors={errorsAt(errors, 'outstandingBalance', 'defaultPaymentMethod')} />
          <div className="card">
            <h3>Contacts ({customer.contacts?.totalCount ?? 'unavailable'})</h3>
            <SectionNotice what="The contacts" errors={errorsAt(errors, 'contacts')} testId="notice-contacts" />
            <ul>
              {customer.contacts?.nodes.map((contact) => (
                <ContactCard key={contact.id} contact={contact} />
              ))}
            </ul>
          </div>
          <div className="card">
            <h3>Orders ({ordersArrived ? (customer.orders?.totalCount ?? 'unavailable') : '…'})</h3>
            {ordersArrived ? null : (
              <p className="loading" data-testid="orders-loading">
                Loading the order history…
              </p>
            )}
            <SectionNotice what="The order history" errors={errorsAt(errors, 'orders')} testId="notice-orders" />
            {customer.orders ? <OrdersTable customerId={customer.id} firstPage={customer.orders} /> : null}
          </div>
          <div className="card">
            <h3>Invoices ({customer.invoices?.totalCount ?? 'unavailable'})</h3>
            <SectionNotice what="The invoices" errors={errorsAt(errors, 'invoices')} testId="notice-invoices" />
            {customer.invoices ? <InvoicesTable customerId={customer.id} firstPage={customer.invoices} card={customer.defaultPaymentMethod} /> : null}
          </div>
        </>
      )}
    </section>
  );
}
