/**
 * The web client as a user meets it: Debian's Chromium, driven by playwright-core, opens
 * the app served by Vite's dev server (started here on a free port, proxying /graphql to
 * the stack's gateway), over the whole stack with the payment provider's webhooks wired
 * and the gateway's safelist on. The user sees the customer list, pages through it,
 * opens a customer with an unpaid invoice, sees its orders and invoices, pays the
 * invoice (the first charge fails at the provider and the retry reuses the attempt's
 * idempotency key), and sees the payment's events live, from the InvoicePaymentEvents
 * subscription (multipart over HTTP, through the Vite proxy): PAYMENT_SUCCEEDED, then
 * INVOICE_RECONCILED once the webhook has reconciled the invoice in the ERP, and the
 * invoice PAID, with no InvoicePaymentStatus query sent (no polling). When the
 * subscription fails, the page says so and the user can check the status once. Every
 * operation the page sends goes by id (no document), the only way a safelisted gateway
 * runs it. The screenshot is kept in test-artifacts/web-paid.png.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page, type Route } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CustomerListQuery, CustomerOverviewQuery, InvoicePaymentStatusQuery } from '../clients/__generated__/graphql.js';
import { MANIFEST_FILE, type PersistedQueryManifest } from '../clients/codegen/persistedManifest.js';
import { webConfig } from '../clients/web/vite.config.js';
import { invoiceStatusLabel } from '../clients/web/src/labels.js';
import { CHROMIUM_PATH, requireOrSkip, until } from './support.js';
import { graphql, startStack, type Stack } from './helpers/startStack.js';

const hasChromium = await requireOrSkip('web client browser suite', 'chromium');

const ARTIFACTS = join(import.meta.dirname, '..', 'test-artifacts');
/** The page waits this long at most for any one thing. */
const STEP_MS = 20_000;

describe.runIf(hasChromium)('the web client in a browser', () => {
  let stack: Stack | undefined;
  let vite: ViteDevServer | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let profile: string | undefined;
  let appUrl: string;
  const manifest = JSON.parse(readFileSync(MANIFEST_FILE, 'utf8')) as PersistedQueryManifest;
  const bodyOf = (name: string): string => manifest.operations.find((o) => o.name === name)!.body;
  const sent: Array<{ operationName?: string; query?: string; hash?: string; variables?: Record<string, unknown>; accept?: string }> = [];
  const consoleErrors: string[] = [];
  const failedResponses: string[] = [];

  /** A manifest operation sent by its exact document (the safelist allows that too). */
  const ask = async <T>(name: string, variables: Record<string, unknown>): Promise<T> => {
    const answer = await graphql<T>(stack!.gatewayUrl, bodyOf(name), variables, stack!.authHeaders);
    expect(answer.errors, name).toBeUndefined();
    return answer.data as T;
  };

  beforeAll(async () => {
    // PAYMENTS_MAX_ATTEMPTS=1: the payments subgraph does not retry, so the user sees the injected failure.
    stack = await startStack({ scale: 0.1, webhooks: true, env: { PAYMENTS_MAX_ATTEMPTS: '1' }, gatewayEnv: { SAFELIST: 'on' } });
    vite = await createServer({ ...webConfig({ gatewayUrl: stack.gatewayUrl, token: stack.token, port: 0 }), logLevel: 'warn' });
    await vite.listen();
    appUrl = vite.resolvedUrls!.local[0]!;
    profile = mkdtempSync(join(tmpdir(), 'graph360-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1440, height: 900 },
      timeout: STEP_MS,
    });
    context.on('request', (request) => {
      if (new URL(request.url()).pathname !== '/graphql' || request.method() !== 'POST') return;
      const body = JSON.parse(request.postData() ?? '{}') as {
        operationName?: string;
        query?: string;
        variables?: Record<string, unknown>;
        extensions?: { persistedQuery?: { sha256Hash?: string } };
      };
      sent.push({
        operationName: body.operationName,
        query: body.query,
        hash: body.extensions?.persistedQuery?.sha256Hash,
        variables: body.variables,
        accept: request.headers().accept,
      });
    });
    context.on('response', (response) => {
      if (response.status() >= 400) failedResponses.push(`${response.status()} ${response.request().method()} ${response.url()}`);
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(STEP_MS);
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(`uncaught: ${error.message}`));
  }, 150_000);

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await vite?.close();
    await stack?.stop();
  });

  it('lists customers, pages, opens one, pays an open invoice and shows it paid', async () => {
    // The list: the first page as the graph has it.
    const first = await ask<CustomerListQuery>('CustomerList', { first: 20 });
    await page.goto(appUrl);
    const rows = page.getByTestId('customer-row');
    await expect.poll(() => rows.count(), { timeout: STEP_MS }).toBe(20);
    expect(await rows.locator('td:first-child').allInnerTexts()).toEqual(first.customers!.nodes.map((c) => c.name));
    await page.getByRole('heading', { name: `Customers (${first.customers!.totalCount})` }).waitFor();

    // Paging forward and back.
    const second = await ask<CustomerListQuery>('CustomerList', { first: 20, after: first.customers!.pageInfo.endCursor });
    await page.getByRole('button', { name: 'Next' }).click();
    await expect.poll(() => rows.first().locator('td').first().innerText()).toBe(second.customers!.nodes[0]!.name);
    await page.getByRole('button', { name: 'Previous' }).click();
    await expect.poll(() => rows.first().locator('td').first().innerText()).toBe(first.customers!.nodes[0]!.name);

    // A customer of the first page with a default card and an unpaid invoice among its latest ten.
    let target: { customer: NonNullable<CustomerOverviewQuery['customer']>; invoiceId: string } | undefined;
    for (const { id } of first.customers!.nodes) {
      const { customer } = await ask<CustomerOverviewQuery>('CustomerOverview', { id });
      const invoice = customer?.invoices?.nodes.find((i) => i.status !== 'PAID' && i.amountDue.amount > 0);
      if (customer?.defaultPaymentMethod && invoice && customer.orders!.totalCount > 0) {
        target = { customer, invoiceId: invoice.id };
        break;
      }
    }
    expect(target, 'a customer on the first page with a card, an order and an unpaid invoice').toBeDefined();
    const { customer, invoiceId } = target!;

    // Its 360 page: header, orders and invoices as the graph has them.
    await page.getByRole('link', { name: customer.name, exact: true }).click();
    await expect.poll(() => page.getByTestId('customer-name').innerText()).toBe(customer.name);
    await expect.poll(() => page.getByTestId('order-row').count()).toBe(customer.orders!.nodes.length);
    expect(await page.getByTestId('order-row').locator('td:first-child').allInnerTexts()).toEqual(customer.orders!.nodes.map((o) => o.number));
    await expect.poll(() => page.getByTestId('invoice-row').count()).toBe(customer.invoices!.nodes.length);
    // Statuses in words (Open, Overdue, Partly paid, Paid), not the enum's values.
    expect(await page.getByTestId('invoice-status').allInnerTexts()).toEqual(customer.invoices!.nodes.map((i) => invoiceStatusLabel[i.status]));
    expect(await page.getByTestId('balance').innerText()).toBe(customer.outstandingBalance!.formatted);

    // Pay the invoice. The provider fails the first charge (a 500 the subgraph reports as
    // BACKEND_ERROR): the page offers to retry, and the retry carries the same idempotency key.
    const row = page.locator(`[data-testid="invoice-row"][data-invoice-id="${invoiceId}"]`);
    const invoice = customer.invoices!.nodes.find((i) => i.id === invoiceId)!;
    const paymentsBefore = invoice.payments!.length;
    const liveEvents = row.getByTestId('payment-event');
    await stack!.setFaults('payments', { errorRate: 1, remaining: 1, operations: ['payment_intents.create'] });
    // Pay asks first, with the amount, the invoice and the card; Cancel sends nothing.
    const card = customer.defaultPaymentMethod!;
    await row.getByRole('button', { name: `Pay ${invoice.amountDue.formatted}` }).click();
    const confirm = row.getByRole('dialog', { name: 'Confirm payment' });
    expect(await confirm.innerText()).toContain(
      `Pay ${invoice.amountDue.formatted} for invoice ${invoice.number} with the ${card.brand} card ending ${card.last4}?`,
    );
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    expect(await row.getByRole('dialog').count()).toBe(0);
    expect(sent.filter((r) => r.operationName === 'PayInvoice')).toHaveLength(0);
    // Pay subscribes to the invoice's payment events at once, before anything is charged:
    // multipart over HTTP (Apollo's protocol), streamed through the dev server's proxy.
    const streamed = page.waitForResponse(
      (response) => response.url().endsWith('/graphql') && (response.request().postData() ?? '').includes('"InvoicePaymentEvents"'),
    );
    await row.getByRole('button', { name: `Pay ${invoice.amountDue.formatted}` }).click();
    expect((await streamed).headers()['content-type']).toBe('multipart/mixed;boundary="graphql";subscriptionSpec="1.0"');
    await row.getByRole('dialog', { name: 'Confirm payment' }).getByRole('button', { name: 'Confirm payment' }).click();
    await expect
      .poll(() =>
        row
          .getByRole('alert')
          .innerText()
          .catch(() => ''),
      )
      .toContain('(BACKEND_ERROR)');
    // The refused charge published nothing.
    expect(await liveEvents.count()).toBe(0);
    await row.getByRole('button', { name: 'Retry payment' }).click();
    await expect
      .poll(
        () =>
          row
            .getByTestId('payment-result')
            .innerText()
            .catch(() => ''),
        { timeout: STEP_MS },
      )
      .toContain('Payment: Succeeded.');
    // The events as they come: the payment, then the ERP's reconciliation; the row turns Paid with nothing due.
    const eventTypes = () => liveEvents.evaluateAll((items) => items.map((item) => item.getAttribute('data-event-type')));
    await expect.poll(eventTypes, { timeout: 30_000 }).toEqual(['PAYMENT_SUCCEEDED', 'INVOICE_RECONCILED']);
    expect(await liveEvents.allInnerTexts()).toEqual([`Payment succeeded: ${invoice.amountDue.formatted}`, 'Reconciled in the ERP: invoice paid, nothing due']);
    await expect.poll(() => row.getByTestId('invoice-status').innerText()).toBe('Paid');
    expect(await row.getByTestId('invoice-watch').innerText()).toBe('Paid.');
    expect(await row.getByTestId('live-notice').count()).toBe(0);

    // The graph agrees: paid, nothing due, one payment more (charged once).
    const after = await until('the invoice to be PAID through the gateway', async () => {
      const data = await ask<InvoicePaymentStatusQuery>('InvoicePaymentStatus', { id: invoiceId });
      return data.invoice?.status === 'PAID' ? data.invoice : undefined;
    });
    expect(after.amountDue.amount).toBe(0);
    expect(after.payments!.length).toBe(paymentsBefore + 1);
    expect(after.payments!.filter((p) => p.status === 'SUCCEEDED' && p.amount.amount === invoice.amountDue.amount).length).toBeGreaterThanOrEqual(1);
    const attempts = sent.filter((r) => r.operationName === 'PayInvoice').map((r) => r.variables!);
    expect(attempts).toHaveLength(2);
    expect(attempts[0]!.idempotencyKey).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(attempts[1]).toEqual(attempts[0]);
    expect(attempts[0]).toMatchObject({
      customerId: customer.id,
      invoiceId,
      amount: { amount: invoice.amountDue.amount, currency: invoice.amountDue.currency },
      paymentMethodId: customer.defaultPaymentMethod!.id,
    });

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'web-paid.png'), fullPage: true });

    // Every operation went out by its manifest id alone (the safelist would refuse anything else).
    const ids = new Map(manifest.operations.map((o) => [o.name, o.id]));
    expect(sent.length).toBeGreaterThan(5);
    for (const request of sent) {
      expect(request.query, request.operationName).toBeUndefined();
      expect(request.hash, request.operationName).toBe(ids.get(request.operationName ?? ''));
    }
    // The status came from the subscription alone: no InvoicePaymentStatus was asked (no polling).
    expect(new Set(sent.map((r) => r.operationName))).toEqual(new Set(['CustomerList', 'CustomerOverview', 'PayInvoice', 'InvoicePaymentEvents']));
    expect(sent.filter((r) => r.operationName === 'InvoicePaymentStatus')).toEqual([]);
    // One subscription for the cancelled confirmation, one for the payment; each asked for multipart subscriptions.
    const subscriptions = sent.filter((r) => r.operationName === 'InvoicePaymentEvents');
    expect(subscriptions).toHaveLength(2);
    for (const subscription of subscriptions) {
      expect(subscription.variables).toEqual({ customerId: customer.id, invoiceId });
      expect(subscription.accept).toMatch(/^multipart\/mixed;boundary=graphql;subscriptionSpec=1\.0,/);
    }
    expect(failedResponses).toEqual([]);
    expect(consoleErrors).toEqual([]);
  }, 120_000);

  it('says so when the live updates fail, and checks the status once when asked', async () => {
    // A customer with a card and an unpaid invoice; the page's subscription requests fail (a network error).
    type Invoice = NonNullable<NonNullable<CustomerOverviewQuery['customer']>['invoices']>['nodes'][number];
    const list = await ask<CustomerListQuery>('CustomerList', { first: 20 });
    let target: { customerId: string; open: Invoice } | undefined;
    for (const { id } of list.customers!.nodes) {
      const { customer } = await ask<CustomerOverviewQuery>('CustomerOverview', { id });
      const open = customer?.invoices?.nodes.find((i) => i.status !== 'PAID' && i.amountDue.amount > 0);
      if (customer?.defaultPaymentMethod && open) {
        target = { customerId: customer.id, open };
        break;
      }
    }
    expect(target, 'a customer on the first page with a card and an unpaid invoice').toBeDefined();
    const { customerId, open } = target!;
    const refused = (route: Route) =>
      (route.request().postData() ?? '').includes('"InvoicePaymentEvents"') ? route.abort('connectionfailed') : route.fallback();
    await page.route('**/graphql', refused);
    const before = sent.length;
    try {
      await page.goto(`${appUrl}#/customers/${customerId}`);
      const row = page.locator(`[data-testid="invoice-row"][data-invoice-id="${open.id}"]`);
      await row.getByRole('button', { name: `Pay ${open.amountDue.formatted}` }).click();
      // The failure is shown, with what to do; nothing is polled meanwhile.
      await expect
        .poll(() =>
          row
            .getByTestId('live-notice')
            .innerText()
            .catch(() => ''),
        )
        .toContain('Live updates of this payment failed.');
      expect(await row.getByRole('alert').count()).toBe(1);
      await row.getByRole('button', { name: 'Check status' }).click();
      await expect
        .poll(() =>
          row
            .getByTestId('checked-status')
            .innerText()
            .catch(() => ''),
        )
        .toContain(`Invoice: ${invoiceStatusLabel[open.status]}, ${open.amountDue.formatted} due.`);
      const mine = sent.slice(before);
      expect(mine.filter((r) => r.operationName === 'InvoicePaymentStatus')).toHaveLength(1);
      expect(mine.filter((r) => r.operationName === 'PayInvoice')).toHaveLength(0);
      // Cancel: nothing was paid, and the notice goes with the confirmation.
      await row.getByRole('dialog', { name: 'Confirm payment' }).getByRole('button', { name: 'Cancel' }).click();
      expect(await row.getByTestId('live-notice').count()).toBe(0);
      expect(await row.getByTestId('invoice-status').innerText()).toBe(invoiceStatusLabel[open.status]);
    } finally {
      await page.unroute('**/graphql', refused);
    }
  }, 120_000);

  /** A customer of the first page with orders, and its page as the graph has it. */
  const customerWithOrders = async (skip: number): Promise<NonNullable<CustomerOverviewQuery['customer']>> => {
    const list = await ask<CustomerListQuery>('CustomerList', { first: 20 });
    const found: Array<NonNullable<CustomerOverviewQuery['customer']>> = [];
    for (const { id } of list.customers!.nodes) {
      const { customer } = await ask<CustomerOverviewQuery>('CustomerOverview', { id });
      if (customer?.orders && customer.orders.totalCount > 0) found.push(customer);
    }
    expect(found.length, 'customers with orders on the first page').toBeGreaterThan(skip);
    return found[skip]!;
  };

  it("shows the header, contacts and invoices first, and the ERP's order history when its deferred part arrives", async () => {
    const customer = await customerWithOrders(1);
    // Only the ERP's order calls are slow: the rest of the page does not wait for them.
    await stack!.setFaults('erp', { latencyMs: 4000, operations: ['sale.order'] });
    try {
      const overview = page.waitForResponse(
        (response) => response.url().endsWith('/graphql') && (response.request().postData() ?? '').includes('"CustomerOverview"'),
      );
      await page.goto(`${appUrl}#/customers/${customer.id}`);
      // The gateway streamed the answer in parts.
      expect((await overview).headers()['content-type']).toBe('multipart/mixed; boundary="-"; deferSpec=20220824');
      await expect.poll(() => page.getByTestId('customer-name').innerText()).toBe(customer.name);
      // Header, contacts and invoices are there while the order history is still on its way.
      expect(await page.getByTestId('balance').innerText()).toBe(customer.outstandingBalance!.formatted);
      await expect.poll(() => page.getByTestId('invoice-row').count()).toBe(customer.invoices!.nodes.length);
      expect(await page.getByTestId('orders-loading').isVisible()).toBe(true);
      expect(await page.getByTestId('order-row').count()).toBe(0);
      // Then it arrives.
      await expect.poll(() => page.getByTestId('order-row').count(), { timeout: STEP_MS }).toBe(customer.orders!.nodes.length);
      expect(await page.getByTestId('order-row').locator('td:first-child').allInnerTexts()).toEqual(customer.orders!.nodes.map((o) => o.number));
      expect(await page.getByTestId('orders-loading').count()).toBe(0);
    } finally {
      await stack!.clearFaults();
    }
  }, 120_000);

  it("pages through a customer's orders and invoices", async () => {
    const ORDERS_PAGE = 5;
    const INVOICES_PAGE = 10;
    const list = await ask<CustomerListQuery>('CustomerList', { first: 50 });
    let withOrders: NonNullable<CustomerOverviewQuery['customer']> | undefined;
    let withInvoices: NonNullable<CustomerOverviewQuery['customer']> | undefined;
    for (const { id } of list.customers!.nodes) {
      const { customer } = await ask<CustomerOverviewQuery>('CustomerOverview', { id });
      if (!withOrders && customer?.orders && customer.orders.totalCount > ORDERS_PAGE) withOrders = customer;
      if (!withInvoices && customer?.invoices && customer.invoices.totalCount > INVOICES_PAGE) withInvoices = customer;
      if (withOrders && withInvoices) break;
    }
    expect(withOrders, `a customer with more than ${ORDERS_PAGE} orders`).toBeDefined();
    expect(withInvoices, `a customer with more than ${INVOICES_PAGE} invoices`).toBeDefined();

    for (const [customer, what, size, rowId, operation] of [
      [withOrders!, 'orders', ORDERS_PAGE, 'order-row', 'CustomerOrdersPage'],
      [withInvoices!, 'invoices', INVOICES_PAGE, 'invoice-row', 'CustomerInvoicesPage'],
    ] as const) {
      const first = what === 'orders' ? customer.orders! : customer.invoices!;
      const second = await ask<{ customer: { orders?: typeof first; invoices?: typeof first } }>(operation, {
        id: customer.id,
        first: size,
        after: first.pageInfo.endCursor,
      });
      const secondPage = (what === 'orders' ? second.customer.orders : second.customer.invoices)!;
      const numbers = (page: typeof first) => page.nodes.map((node) => node.number);
      await page.goto(`${appUrl}#/customers/${customer.id}`);
      const pager = page.getByRole('navigation', { name: `${what} pages` });
      const rows = page.getByTestId(rowId).locator('td:first-child');
      await expect.poll(() => rows.allInnerTexts()).toEqual(numbers(first));
      const pages = Math.ceil(first.totalCount / size);
      expect(await page.getByTestId(`${what}-page`).innerText()).toBe(`Page 1 of ${pages}`);
      await pager.getByRole('button', { name: 'Next' }).click();
      await expect.poll(() => rows.allInnerTexts()).toEqual(numbers(secondPage));
      expect(await page.getByTestId(`${what}-page`).innerText()).toBe(`Page 2 of ${pages}`);
      await pager.getByRole('button', { name: 'Previous' }).click();
      await expect.poll(() => rows.allInnerTexts()).toEqual(numbers(first));
    }
    // The later pages went out by their manifest ids too.
    expect(
      sent.filter((r) => r.operationName === 'CustomerOrdersPage' || r.operationName === 'CustomerInvoicesPage').every((r) => r.query === undefined && r.hash),
    ).toBe(true);
  }, 120_000);

  // Last: it opens the subgraphs' circuit breakers to the ERP.
  it("keeps the CRM's fields with the ERP down, with a notice on each ERP section", async () => {
    await stack!.setFaults('erp', { down: true });
    try {
      // A customer beyond the first page: the gateway has none of its ERP fields cached.
      const fresh = await graphql<CustomerOverviewQuery>(stack!.gatewayUrl, bodyOf('CustomerOverview'), { id: '10000099' }, stack!.authHeaders);
      // The graph itself answers the CRM's fields with the ERP's as errors.
      expect(fresh.data?.customer?.name).toBeTruthy();
      expect(fresh.errors?.some((e) => (e.extensions as { code?: string } | undefined)?.code === 'BACKEND_UNAVAILABLE')).toBe(true);
      await page.goto(`${appUrl}#/customers/10000099`);
      await expect.poll(() => page.getByTestId('customer-name').innerText()).toBe(fresh.data!.customer!.name);
      await expect
        .poll(() =>
          page
            .getByTestId('notice-orders')
            .innerText()
            .catch(() => ''),
        )
        .toContain('BACKEND_UNAVAILABLE');
      expect(await page.getByTestId('notice-invoices').innerText()).toContain('BACKEND_UNAVAILABLE');
      expect(await page.getByTestId('notice-header').innerText()).toContain('BACKEND_UNAVAILABLE');
      // The CRM's sections have no notice, and their data is shown.
      expect(await page.getByTestId('notice-contacts').count()).toBe(0);
      await page.getByRole('heading', { name: `Contacts (${fresh.data!.customer!.contacts!.totalCount})` }).waitFor();
      expect(await page.getByText('No customer').count()).toBe(0);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'web-erp-down.png'), fullPage: true });
    } finally {
      await stack!.clearFaults();
    }
  }, 120_000);
});
