/**
 * graph360's own workload: the customer-360 query for one customer, and the same
 * selection for a page of 50 customers (the list a front end's customer screen asks),
 * over the three sandboxes through the crm, erp and payments subgraphs. The selection is
 * the one test/customer360.test.ts checks against the backing systems.
 */
const CUSTOMER_FIELDS = /* GraphQL */ `
  id
  name
  currency
  contacts(first: 5) { totalCount nodes { id email } }
  deals(first: 5) { totalCount nodes { id name amount { amount currency } } }
  orders(first: 3) {
    totalCount
    nodes {
      id number status total { amount currency }
      lines { quantity unitPrice { amount } product { id sku name stockOnHand price { amount currency } } }
    }
  }
  invoices(first: 3) {
    totalCount
    nodes {
      id number status total { amount } amountDue { amount currency }
      payments { id status amount { amount currency } }
    }
  }
  outstandingBalance { amount currency }
  payments(first: 3) { nodes { id status amount { amount } invoice { id } } }
`;

export const CUSTOMER_360 = /* GraphQL */ `
  query Customer360($id: ID!) {
    customer(id: $id) {${CUSTOMER_FIELDS}}
  }
`;

export const CUSTOMERS_50 = /* GraphQL */ `
  query Customers50($first: Int!) {
    customers(first: $first) {
      nodes {${CUSTOMER_FIELDS}}
    }
  }
`;
