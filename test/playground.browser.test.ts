/**
 * The playground as a developer meets it: Debian's Chromium, driven by playwright-core,
 * opens the gateway's /graphql over the whole stack (the provider's webhooks wired), and
 * GraphiQL must load entirely from the gateway (every request the page makes goes to the
 * gateway's own origin, with no Content-Security-Policy violation), run the default
 * customer-360 query and show what the sandboxes hold, and list the schema's types in
 * the docs explorer. Then its example tabs: the subscription runs over a WebSocket to the
 * same host, authenticated by the headers editor's token in connection_init, and shows
 * the events of a payment made meanwhile (a new socket when the headers change); the
 * @defer query streams its parts and shows them merged. The screenshots are kept in
 * test-artifacts/playground*.png.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page, type WebSocket } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { DEFAULT_PLAYGROUND_QUERY, PLAYGROUND_DEFER_EXAMPLE, PLAYGROUND_SUBSCRIPTION_EXAMPLE } from '../gateway/src/playground/index.js';
import { backendClients } from './helpers/backends.js';
import { createTestAuth } from './helpers/auth.js';
import { erpInvoices } from './helpers/erpInvoices.js';
import { CHROMIUM_PATH, requireOrSkip, until } from './support.js';
import { graphql, startStack, type Stack } from './helpers/startStack.js';

/** Debian's Chromium; CHROMIUM_PATH points elsewhere (or at nothing, to see the skip). */
const hasChromium = await requireOrSkip('playground browser suite', 'chromium');

const ARTIFACTS = join(import.meta.dirname, '..', 'test-artifacts');
/** The page waits this long at most for any one thing; the suite stays well under 90 s. */
const STEP_MS = 15_000;

/** The text of a CodeMirror 5 editor in `selector`: its DOM only holds the visible lines. */
const editorText = (page: Page, selector: string): Promise<string> =>
  page.evaluate<string>(`document.querySelector(${JSON.stringify(`${selector} .CodeMirror`)}).CodeMirror.getValue()`);

/** Sets the variables (0) or headers (1) editor's text, as typing would (GraphiQL hears CodeMirror's change). */
const setToolEditor = (page: Page, which: 0 | 1, text: string): Promise<void> =>
  page.evaluate<void>(`document.querySelectorAll('.graphiql-editor-tool .CodeMirror')[${which}].CodeMirror.setValue(${JSON.stringify(text)})`);

/** The result pane's JSON (undefined while it holds none). */
async function shownResult<T>(page: Page): Promise<T | undefined> {
  const text = await editorText(page, '.graphiql-response').catch(() => '');
  try {
    return text.startsWith('{') ? (JSON.parse(text) as T) : undefined;
  } catch {
    return undefined;
  }
}

/** One WebSocket the page opened, with the text of its frames. */
interface SocketRecord {
  url: string;
  sent: string[];
  received: string[];
  closed: boolean;
}

describe.runIf(hasChromium)('the playground in a browser', () => {
  let stack: Stack | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let profile: string | undefined;
  const requests: Array<{ method: string; url: string }> = [];
  const sockets: SocketRecord[] = [];
  let devToken: string;
  const failures: string[] = [];
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    // The playground opens with the development token in its headers (AUTH_DEV_TOKEN), as `npm start` sets it up.
    // Webhooks wired: a payment's events reach the subscription example.
    const auth = createTestAuth();
    devToken = await auth.token({ sub: 'playground-dev' });
    stack = await startStack({ scale: 0.1, auth, webhooks: true, gatewayEnv: { AUTH_DEV_TOKEN: devToken } });
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
    // On the context, not the page: service workers and popups would show here too.
    context.on('request', (request) => requests.push({ method: request.method(), url: request.url() }));
    context.on('requestfailed', (request) => failures.push(`${request.url()}: ${request.failure()?.errorText}`));
    // WebSockets are not requests: recorded on their own, with their frames.
    const recordSocket = (socket: WebSocket): void => {
      const record: SocketRecord = { url: socket.url(), sent: [], received: [], closed: false };
      sockets.push(record);
      socket.on('framesent', (frame) => record.sent.push(String(frame.payload)));
      socket.on('framereceived', (frame) => record.received.push(String(frame.payload)));
      socket.on('close', () => (record.closed = true));
    };
    // Violations of the page's Content-Security-Policy, as the page itself sees them.
    await context.addInitScript(
      "window.__cspViolations = []; document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));",
    );
    page = context.pages()[0] ?? (await context.newPage());
    page.on('websocket', recordSocket);
    page.setDefaultTimeout(STEP_MS);
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(`uncaught: ${error.message}`));
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await stack?.stop();
  });

  it('loads GraphiQL from the gateway alone, runs the default query and shows the schema docs', async () => {
    const gateway = new URL(stack!.gatewayUrl);
    const response = await page.goto(gateway.href, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-type']).toBe('text/html; charset=utf-8');

    // GraphiQL rendered, with the schema introspected through the gateway.
    await page.locator('.graphiql-container').waitFor();
    await page.locator('.graphiql-query-editor .CodeMirror').waitFor();
    expect(await editorText(page, '.graphiql-query-editor')).toBe(DEFAULT_PLAYGROUND_QUERY);

    // Run the default query with the run button; the result pane fills with JSON.
    await page.locator('.graphiql-execute-button').click();
    let shown: { data?: { customers: { nodes: Array<{ id: string; name: string }> } }; errors?: unknown } | undefined;
    await expect
      .poll(
        async () => {
          const text = await editorText(page, '.graphiql-response').catch(() => '');
          shown = text.startsWith('{') ? (JSON.parse(text) as typeof shown) : undefined;
          return shown?.data !== undefined || shown?.errors !== undefined;
        },
        { timeout: STEP_MS },
      )
      .toBe(true);
    expect(shown!.errors).toBeUndefined();

    // What the page shows is what the graph answers, and the names are the CRM's.
    const direct = await graphql(stack!.gatewayUrl, DEFAULT_PLAYGROUND_QUERY, {}, stack!.authHeaders);
    expect(direct.errors).toBeUndefined();
    expect(shown!.data).toEqual(direct.data);
    const crm = await backendClients(stack!.sandboxUrls).crm<{ results: Array<{ id: string; properties: { name: string } }> }>(
      '/crm/v3/objects/companies?limit=5&properties=name',
    );
    expect(crm.results).toHaveLength(5);
    expect(shown!.data!.customers.nodes.map((c) => [c.id, c.name])).toEqual(crm.results.map((r) => [r.id, r.properties.name]));
    await expect.poll(() => page.locator('.graphiql-response').innerText()).toContain(crm.results[0]!.properties.name);

    // The docs explorer lists the schema's types; Customer opens with its fields.
    await page.getByRole('button', { name: 'Show Documentation Explorer' }).click();
    await page.locator('.graphiql-doc-explorer').getByText('Query', { exact: true }).first().waitFor();
    await page.locator('.graphiql-doc-explorer a.graphiql-doc-explorer-type-name', { hasText: /^Customer$/ }).click();
    await expect.poll(() => page.locator('.graphiql-doc-explorer-title').innerText()).toBe('Customer');
    await page.locator('.graphiql-doc-explorer-field-name', { hasText: 'outstandingBalance' }).first().waitFor();

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'playground.png') });

    // A query typed into the editor (its brackets and quotes close as they are typed), run
    // with Ctrl-Enter once GraphiQL has parsed it (it saves the query when it has, after a
    // 100 ms debounce; run before, it would send the previous operation's name).
    const first = crm.results[0]!;
    const typed = `query CustomerName { customer(id: "${first.id}") { name } }`;
    await page.locator('.graphiql-query-editor .CodeMirror').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.type(typed);
    expect(await editorText(page, '.graphiql-query-editor')).toBe(typed);
    await expect.poll(() => page.evaluate<string | null>("localStorage.getItem('graphiql:query')")).toBe(typed);
    await page.keyboard.press('Control+Enter');
    await expect
      .poll(async () => (JSON.parse((await editorText(page, '.graphiql-response')) || '{}') as { data?: unknown }).data, { timeout: STEP_MS })
      .toEqual({ customer: { name: first.properties.name } });

    // The explorer plugin renders the Query type's fields from the same schema.
    await page.getByRole('button', { name: 'Show GraphiQL Explorer' }).click();
    await page.locator('.graphiql-explorer-root').getByText('customers', { exact: true }).first().waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'playground-explorer.png') });

    // A dialog: Radix injects a <style> element for its scroll lock, which the policy allows.
    await page.getByRole('button', { name: 'Open short keys dialog' }).click();
    await page.locator('.graphiql-dialog').waitFor();
    await page.keyboard.press('Escape');
    await page.locator('.graphiql-dialog').waitFor({ state: 'detached' });

    // Offline: every request went to the gateway's own origin: the page, its 9 files once
    // each, and GraphQL POSTs (introspection, then the two queries). Fonts are data: URIs in the CSS.
    const seen = requests.map(({ method, url }) => ({ method, origin: new URL(url).origin, path: new URL(url).pathname }));
    expect(seen.filter((r) => r.origin !== gateway.origin)).toEqual([]);
    const assets = [...(await response!.text()).matchAll(/ (?:src|href)="(\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets).toHaveLength(9);
    expect(
      seen
        .filter((r) => r.path.startsWith('/playground/'))
        .map((r) => r.path)
        .sort(),
    ).toEqual([...assets].sort());
    expect(seen.filter((r) => r.path === '/graphql').map((r) => r.method)).toEqual(['GET', 'POST', 'POST', 'POST']);
    expect(seen).toHaveLength(13);
    expect(sockets).toEqual([]);
    expect(failures).toEqual([]);
    expect(await page.evaluate('window.__cspViolations')).toEqual([]);
    expect(consoleErrors).toEqual([]);
  }, 40_000);
  /** Subscriptions the payments subgraph serves now (its /health): a payment is made once the example's is in place. */
  const subgraphSubscriptions = async (): Promise<number> => {
    const health = (await (await fetch(stack!.subgraphUrls.payments.replace('/graphql', '/health'))).json()) as { subscriptions?: { active?: number } };
    if (health.subscriptions?.active === undefined) throw new Error('the payments subgraph reports no subscriptions in /health');
    return health.subscriptions.active;
  };

  const openTab = async (title: string, query: string): Promise<void> => {
    await page.locator('.graphiql-tab', { hasText: title }).locator('.graphiql-tab-button').click();
    await expect.poll(() => editorText(page, '.graphiql-query-editor')).toBe(query);
    // GraphiQL takes the operation name from the editor after a debounce, and nothing on the
    // page shows when it has: run at once and it sends the previous tab's name ("Unknown
    // operation named PaymentEvents", seen on a fast run). Give the debounce its time.
    await page.waitForTimeout(500);
  };

  it('runs the subscription example over a WebSocket, showing the events of a payment made meanwhile', async () => {
    const gateway = new URL(stack!.gatewayUrl);
    const [invoice] = await erpInvoices(stack!.sandboxUrls.erp);
    expect(invoice, 'an open invoice').toBeDefined();
    await openTab('PaymentEvents', PLAYGROUND_SUBSCRIPTION_EXAMPLE);
    await setToolEditor(page, 0, JSON.stringify({ customerId: invoice!.companyId, invoiceId: invoice!.invoiceId }));
    await page.locator('.graphiql-execute-button').click();
    // The socket is open and the subscription has reached the payments subgraph: now pay, over HTTP.
    await until('the subscription at the payments subgraph', async () => ((await subgraphSubscriptions()) === 1 ? true : undefined));
    const paid = await graphql<{ payInvoice: { payment: { id: string; status: string } } }>(
      stack!.gatewayUrl,
      'mutation Pay($input: PayInvoiceInput!) { payInvoice(input: $input) { payment { id status } } }',
      {
        input: {
          customerId: invoice!.companyId,
          invoiceId: invoice!.invoiceId,
          amount: { amount: invoice!.residual, currency: invoice!.currency },
          idempotencyKey: randomUUID(),
        },
      },
      stack!.authHeaders,
    );
    expect(paid.errors).toBeUndefined();
    const paymentId = paid.data!.payInvoice.payment.id;

    // The result pane shows each event as it comes; the last is the ERP's reconciliation.
    type Shown = {
      data?: {
        paymentEvents: {
          type: string;
          payment: { id: string; status: string };
          invoice: { id: string; status: string; amountDue: { formatted: string } };
          customer: { id: string; name: string };
        };
      };
      errors?: unknown;
    };
    await expect.poll(async () => (await shownResult<Shown>(page))?.data?.paymentEvents.type, { timeout: 30_000 }).toBe('INVOICE_RECONCILED');
    const shown = (await shownResult<Shown>(page))!;
    expect(shown.errors).toBeUndefined();
    expect(shown.data!.paymentEvents).toMatchObject({
      payment: { id: paymentId, status: 'SUCCEEDED' },
      invoice: { id: invoice!.invoiceId, status: 'PAID' },
      customer: { id: invoice!.companyId },
    });
    expect(shown.data!.paymentEvents.customer.name).toBeTruthy();
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'playground-subscription.png') });

    // One socket, to this host's /graphql: its connection_init carried the headers editor's token, and both events came over it.
    expect(sockets.map((socket) => socket.url)).toEqual([`ws://${gateway.host}/graphql`]);
    const [socket] = sockets;
    const messages = (frames: string[]) =>
      frames.map((frame) => JSON.parse(frame) as { type: string; payload?: Record<string, unknown> & { data?: Shown['data'] } });
    expect(messages(socket!.sent)[0]).toEqual({ type: 'connection_init', payload: { Authorization: `Bearer ${devToken}` } });
    expect(messages(socket!.sent)[1]).toMatchObject({
      type: 'subscribe',
      payload: { operationName: 'PaymentEvents', variables: { customerId: invoice!.companyId, invoiceId: invoice!.invoiceId } },
    });
    const events = messages(socket!.received)
      .filter((m) => m.type === 'next')
      .map((m) => m.payload!.data!.paymentEvents);
    expect(events.map((e) => [e.type, e.payment.id])).toEqual([
      ['PAYMENT_SUCCEEDED', paymentId],
      ['INVOICE_RECONCILED', paymentId],
    ]);

    // Stop (the run button while subscribed): the subscription ends, at the gateway and at the subgraph.
    await page.locator('.graphiql-execute-button').click();
    await expect.poll(() => messages(socket!.sent).some((m) => m.type === 'complete')).toBe(true);
    await until('the subgraph subscription to end', async () => ((await subgraphSubscriptions()) === 0 ? true : undefined));

    // Other headers, another socket: a token the gateway refuses closes it with 4403, which the pane shows.
    await setToolEditor(page, 1, JSON.stringify({ Authorization: 'Bearer not-a-token' }));
    await page.locator('.graphiql-execute-button').click();
    await expect.poll(async () => JSON.stringify(await shownResult(page))).toContain('4403');
    expect(sockets).toHaveLength(2);
    expect(messages(sockets[1]!.sent)[0]).toEqual({ type: 'connection_init', payload: { Authorization: 'Bearer not-a-token' } });
    expect(sockets[1]!.url).toBe(`ws://${gateway.host}/graphql`);
    await setToolEditor(page, 1, JSON.stringify({ Authorization: `Bearer ${devToken}` }));

    expect(failures).toEqual([]);
    expect(await page.evaluate('window.__cspViolations')).toEqual([]);
    expect(consoleErrors).toEqual([]);
  }, 60_000);

  it('runs the @defer example, its parts streamed and merged in the result pane', async () => {
    const customerId = '10000001';
    await openTab('CustomerWithDeferredOrders', PLAYGROUND_DEFER_EXAMPLE);
    await setToolEditor(page, 0, JSON.stringify({ id: customerId }));
    const streamed = page.waitForResponse(
      (response) => response.url().endsWith('/graphql') && (response.request().postData() ?? '').includes('CustomerWithDeferredOrders'),
    );
    await page.locator('.graphiql-execute-button').click();
    const response = await streamed;
    expect(response.headers()['content-type']).toBe('multipart/mixed; boundary="-"; deferSpec=20220824');
    // What the graph answers in one piece (no @defer) is what the pane shows once the parts are merged.
    const whole = await graphql(
      stack!.gatewayUrl,
      PLAYGROUND_DEFER_EXAMPLE.replace('... @defer(label: "orders") {', '... on Customer {'),
      { id: customerId },
      stack!.authHeaders,
    );
    expect(whole.errors).toBeUndefined();
    await expect.poll(async () => (await shownResult<{ data?: unknown }>(page))?.data, { timeout: STEP_MS }).toEqual(whole.data);
    const shown = (await shownResult<{ data: { customer: { orders?: { totalCount: number } } } }>(page))!;
    expect(shown.data.customer.orders!.totalCount).toBeGreaterThan(0);
    // GraphiQL's multipart reader (meros) cancels the body once it has read the closing
    // boundary, before the end of the stream, which Chromium reports as an aborted request:
    // that one, and nothing else.
    expect(failures).toEqual([`${stack!.gatewayUrl}: net::ERR_ABORTED`]);
    expect(await page.evaluate('window.__cspViolations')).toEqual([]);
    expect(consoleErrors).toEqual([]);
  }, 40_000);
});
