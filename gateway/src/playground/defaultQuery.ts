/**
 * The query a fresh playground opens with: the customer-360 view across the three
 * subgraphs (CRM companies and contacts, ERP orders, products and invoices, provider
 * payments), so that the first Run shows what the graph is for. GraphiQL keeps the
 * user's own query in localStorage afterwards; this only seeds an empty editor.
 */
export const DEFAULT_PLAYGROUND_QUERY = /* GraphQL */ `# graph360: one endpoint over the CRM,
# the ERP and the payment provider.
# Run: the play button or Ctrl-Enter.
# Docs and the explorer: the sidebar.
query Customer360($first: Int = 5) {
  customers(first: $first) {
    totalCount
    nodes {
      id
      name
      currency
      contacts(first: 3) {
        totalCount
        nodes { fullName email jobTitle }
      }
      orders(first: 2) {
        nodes {
          number
          status
          total { formatted }
          lines {
            quantity
            unitPrice { formatted }
            product {
              sku
              name
              stockOnHand
            }
          }
        }
      }
      invoices(first: 2) {
        nodes {
          number
          status
          amountDue { formatted }
          payments {
            id
            status
            amount { formatted }
          }
        }
      }
      outstandingBalance { formatted }
    }
  }
}
`;
