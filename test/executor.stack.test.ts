/**
 * Differential test over the real stack: every client query and mutation of schema/operations
 * (the documents the web and mobile clients send, with their fragments) through a gateway
 * running our executor and a replica running @apollo/gateway's (EXECUTOR=apollo), over the
 * same subgraphs and sandboxes, must give the same response byte for byte. Caches are off
 * on both, so that each answer is fetched rather than served from what the other fetched;
 * `extensions.cacheStatus` (which counts what this gateway did) is left out of the compare.
 * The mutations are replayed with the same idempotency key, so the second gateway gets
 * the provider's replay of the same payment.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { Kind, parse, print, visit, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './helpers/startStack.js';

const CACHES_OFF = { ENTITY_CACHE: 'off', RESPONSE_CACHE: 'off', RATE_LIMIT: 'off' };
const OPERATIONS = new URL('../schema/operations/', import.meta.url);

/** All client documents as one: operations are picked by name, fragments shared. */
function clientDocument(): DocumentNode {
  const files = readdirSync(OPERATIONS).filter((name) => name.endsWith('.graphql'));
  return { kind: Kind.DOCUMENT, definitions: files.flatMap((name) => parse(readFileSync(new URL(name, OPERATIONS), 'utf8')).definitions) };
}

async function post(url: string, headers: Record<string, string>, query: string, operationName: string, variables: Record<string, unknown>): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, operationName, variables }),
  });
  const body = (await response.json()) as { extensions?: Record<string, unknown> };
  if (body.extensions) {
    delete body.extensions.cacheStatus;
    if (Object.keys(body.extensions).length === 0) delete body.extensions;
  }
  return `${response.status} ${JSON.stringify(body)}`;
}

describe('client operations through both executors on the real stack', () => {
  let stack: Stack;
  let apolloUrl: string;
  beforeAll(async () => {
    stack = await startStack({ scale: 0.1, gatewayEnv: { ...CACHES_OFF, EXECUTOR: 'graph360' } });
    apolloUrl = (await stack.startGateway({ EXECUTOR: 'apollo' })).url;
  }, 180_000);
  afterAll(() => stack?.stop());

  it('answers every operation of schema/operations alike', async () => {
    const document = clientDocument();
    const query = print(document);
    // @apollo/gateway has no @defer: it gets the operations without it, which must answer
    // what ours answers with it to a client that does not take multipart (all of it at once).
    const withoutDefer = print(visit(document, { Directive: (node) => (node.name.value === 'defer' ? null : undefined) }));
    expect(withoutDefer).not.toBe(query);
    // Queries and mutations: @apollo/gateway's executor has no subscriptions (InvoicePaymentEvents: test/web.browser.test.ts, test/subscriptions.test.ts).
    const operations = document.definitions
      .filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && d.operation !== 'subscription')
      .map((d) => d.name!.value);
    const both = async (operationName: string, variables: Record<string, unknown>) => {
      const ours = await post(stack.gatewayUrl, stack.authHeaders, query, operationName, variables);
      const apollo = await post(apolloUrl, stack.authHeaders, withoutDefer, operationName, variables);
      return { ours, apollo, data: JSON.parse(ours.slice(4)) as { data?: Record<string, unknown> } };
    };

    // Ids for the operations that need them, taken from the answers themselves.
    const list = await both('CustomerList', { first: 5 });
    expect(list.ours).toBe(list.apollo);
    const customers = (list.data.data!.customers as { nodes: Array<{ id: string }> }).nodes;
    expect(customers.length).toBe(5);
    const compared: Record<string, number> = { CustomerList: 1 };
    const check = async (operationName: string, variables: Record<string, unknown>) => {
      const answer = await both(operationName, variables);
      expect(answer.ours, operationName).toBe(answer.apollo);
      compared[operationName] = (compared[operationName] ?? 0) + 1;
      return answer.data;
    };

    await check('CustomerList', { first: 3, nameContains: 'a' });
    let invoice: { id: string; amountDue: { amount: number; currency: string } } | undefined;
    let customerId = '';
    for (const { id } of customers) {
      const overview = await check('CustomerOverview', { id });
      const open = ((overview.data?.customer as { invoices?: { nodes: Array<typeof invoice> } } | null)?.invoices?.nodes ?? []).find(
        (i) => i!.amountDue.amount > 0,
      );
      if (open && !invoice) [invoice, customerId] = [open, id];
    }
    await check('CustomerOverview', { id: 'no-such-customer' });
    // The later pages of a customer's orders and invoices, after the first page's cursor.
    const pageOf = (data: { data?: Record<string, unknown> }, field: 'orders' | 'invoices') =>
      (data.data?.customer as Record<string, { pageInfo: { endCursor: string | null } }>)[field]!;
    const orders = await check('CustomerOrdersPage', { id: customers[0]!.id, first: 2 });
    await check('CustomerOrdersPage', { id: customers[0]!.id, first: 2, after: pageOf(orders, 'orders').pageInfo.endCursor });
    const invoices = await check('CustomerInvoicesPage', { id: customers[0]!.id, first: 2 });
    await check('CustomerInvoicesPage', { id: customers[0]!.id, first: 2, after: pageOf(invoices, 'invoices').pageInfo.endCursor });
    await check('ProductSearch', {});
    await check('ProductSearch', { search: 'a', inStockOnly: true, first: 5 });
    expect(invoice).toBeDefined();
    await check('InvoicePaymentStatus', { id: invoice!.id });
    const payment = await check('PayInvoice', {
      customerId,
      invoiceId: invoice!.id,
      amount: { amount: invoice!.amountDue.amount, currency: invoice!.amountDue.currency },
      idempotencyKey: randomUUID(),
    });
    const paymentId = (payment.data?.payInvoice as { payment: { id: string } }).payment.id;
    await check('RefundPayment', { paymentId, amount: { amount: 1, currency: invoice!.amountDue.currency }, idempotencyKey: randomUUID() });
    await check('InvoicePaymentStatus', { id: invoice!.id });
    await check('UpdateCustomer', { input: { id: customerId, phone: '+1 555 0100' } });
    // Every client operation was compared.
    expect(Object.keys(compared).sort()).toEqual([...operations].sort());
  });
});
