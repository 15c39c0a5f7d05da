/** The customer list: a page at a time, with a name filter; a row opens the customer. */
import { useState } from 'react';
import type { CustomerListRowFragment } from '../../../__generated__/graphql.js';
import { useCustomerListQuery } from '../../../__generated__/hooks.js';
import { lifecycleStageLabel } from '../labels.js';
import { ErrorNotice } from './ErrorNotice.js';

const PAGE_SIZE = 20;

export function CustomerListRow({ customer }: { customer: CustomerListRowFragment }) {
  return (
    <tr data-testid="customer-row">
      <td>
        <a href={`#/customers/${encodeURIComponent(customer.id)}`}>{customer.name}</a>
      </td>
      <td>{customer.domain ?? ''}</td>
      <td>{[customer.city, customer.country].filter(Boolean).join(', ')}</td>
      <td>{lifecycleStageLabel[customer.lifecycleStage]}</td>
    </tr>
  );
}

export function CustomerList() {
  const [nameContains, setNameContains] = useState('');
  // The cursors of the pages before this one, so that "Previous" needs no backward paging.
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const after = cursors[cursors.length - 1] ?? null;
  const { data, loading, error } = useCustomerListQuery({
    variables: { first: PAGE_SIZE, after, nameContains: nameContains || null },
  });
  const page = data?.customers;
  return (
    <section className="card">
      <h2>Customers{page ? ` (${page.totalCount})` : ''}</h2>
      <input
        aria-label="Filter by name"
        placeholder="Filter by name"
        value={nameContains}
        onChange={(event) => {
          setNameContains(event.target.value);
          setCursors([null]);
        }}
      />
      {error ? <ErrorNotice error={error} /> : null}
      {loading && !page ? <p className="loading">Loading…</p> : null}
      {page ? (
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Domain</th>
              <th>Location</th>
              <th>Stage</th>
            </tr>
          </thead>
          <tbody>
            {page.nodes.map((customer) => (
              <CustomerListRow key={customer.id} customer={customer} />
            ))}
          </tbody>
        </table>
      ) : null}
      <nav className="pager">
        <button type="button" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          Previous
        </button>
        <span> Page {cursors.length} </span>
        <button
          type="button"
          disabled={!page?.pageInfo.hasNextPage}
          onClick={() => page?.pageInfo.endCursor && setCursors([...cursors, page.pageInfo.endCursor])}
        >
          Next
        </button>
      </nav>
    </section>
  );
}
