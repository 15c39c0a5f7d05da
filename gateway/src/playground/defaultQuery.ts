/**
 * What a fresh playground opens with: the customer-360 query across the three subgraphs
 * (CRM companies and contacts, ERP orders, products and invoices, provider payments), so
 * that the first Run shows what the graph is for, then a tab with a subscription
 * (payment events, over WebSocket) and one with @defer, each with its variables and
 * comments on how to use it. GraphiQL keeps the user's own tabs in localStorage
 * afterwards; these only seed an empty playground (and a new tab gets the first query).
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

/** One tab of a fresh playground: its document and its variables (JSON text). */
export interface PlaygroundTab {
  query: string;
  variables?: string;
}

/**
 * A subscription to try: a customer's payment events, live, over WebSocket. The run
 * button becomes a stop button while it is subscribed; the payment that makes the events
 * is made elsewhere (GraphiQL runs one operation at a time).
 */
export const PLAYGROUND_SUBSCRIPTION_EXAMPLE = /* GraphQL */ `# Live payment events of a customer (or of one of their invoices),
# over WebSocket: graphql-transport-ws at this same /graphql, with
# the headers below (your token) sent when the socket opens.
# Needs the payments:read scope.
#
# 1. Set customerId in Variables (the ids are in the Customer360
#    tab); invoiceId narrows it to one invoice, null for all.
# 2. Run: the run button turns into a stop button, and the result
#    pane shows each event as it arrives (the latest one).
# 3. Pay one of the customer's invoices from somewhere else (this
#    playground runs one operation at a time): the web app, the
#    playground in another browser tab, or curl, e.g.
#      mutation {
#        payInvoice(input: {
#          customerId: "10000001", invoiceId: "<an open invoice>"
#          amount: { amount: 1000, currency: USD }  # up to what is due
#          idempotencyKey: "try-subscriptions-1"
#        }) { payment { id status } }
#      }
#    PAYMENT_SUCCEEDED arrives first, then INVOICE_RECONCILED once
#    the ERP has applied the payment (the invoice's status is read
#    from the ERP, the customer's name from the CRM, per event).
# Over HTTP, clients that speak Apollo's multipart subscriptions
# (Accept: multipart/mixed;subscriptionSpec=1.0) get them too.
subscription PaymentEvents($customerId: ID!, $invoiceId: ID) {
  paymentEvents(customerId: $customerId, invoiceId: $invoiceId) {
    id
    type
    occurredAt
    payment {
      id
      status
      amount { formatted }
    }
    invoice {
      id
      number
      status
      amountDue { formatted }
    }
    customer { id name }
  }
}
`;

/** A query with @defer: the CRM's fields first, the ERP's order history in a later part of the same response. */
export const PLAYGROUND_DEFER_EXAMPLE = /* GraphQL */ `# @defer: what is inside the deferred fragment comes in a later
# part of the same response (multipart/mixed; deferSpec=20220824),
# so the customer's CRM record is not held back by the ERP's order
# history. GraphiQL merges the parts into the result pane as they
# arrive. Set id in Variables to any customer's id and run.
query CustomerWithDeferredOrders($id: ID!) {
  customer(id: $id) {
    id
    name
    city
    ... @defer(label: "orders") {
      orders(first: 5) {
        totalCount
        nodes {
          number
          status
          total { formatted }
        }
      }
    }
  }
}
`;

/** The tabs a fresh playground opens with: the customer-360 query, a subscription, and @defer. */
export const DEFAULT_PLAYGROUND_TABS: readonly PlaygroundTab[] = [
  { query: DEFAULT_PLAYGROUND_QUERY },
  { query: PLAYGROUND_SUBSCRIPTION_EXAMPLE, variables: JSON.stringify({ customerId: '10000001', invoiceId: null }, null, 2) },
  { query: PLAYGROUND_DEFER_EXAMPLE, variables: JSON.stringify({ id: '10000001' }, null, 2) },
];
