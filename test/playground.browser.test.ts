/**
 * The playground as a developer meets it: Debian's Chromium, driven by playwright-core,
 * opens the gateway's /graphql over the whole stack, and GraphiQL must load entirely
 * from the gateway (every request the page makes goes to the gateway's own origin, with
 * no Content-Security-Policy violation), run the default customer-360 query and show
 * what the sandboxes hold, and list the schema's types in the docs explorer. The
 * screenshot is kept in test-artifacts/playground.png.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PLAYGROUND_QUERY } from '../gateway/src/playground/index.js';
import { backendClients } from './helpers/backends.js';
import { createTestAuth } from './helpers/auth.js';
import { graphql, startStack, type Stack } from './helpers/startStack.js';

/** Debian's Chromium; CHROMIUM_PATH points elsewhere (or at nothing, to see the skip). */
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const missing = existsSync(CHROMIUM) ? undefined : `Chromium at ${CHROMIUM} (apt-get install chromium)`;
const required = process.env.REQUIRE_ALL_SUITES === '1';
if (missing && !required) console.warn(`playground browser suite skipped: ${missing} is missing`);

const ARTIFACTS = join(import.meta.dirname, '..', 'test-artifacts');
/** The page waits this long at most for any one thing; the suite stays well under 90 s. */
const STEP_MS = 15_000;

/** The text of a CodeMirror 5 editor in `selector`: its DOM only holds the visible lines. */
const editorText = (page: Page, selector: string): Promise<string> =>
  page.evaluate<string>(`document.querySelector(${JSON.stringify(`${selector} .CodeMirror`)}).CodeMirror.getValue()`);

describe.skipIf(missing !== undefined && !required)('the playground in a browser', () => {
  let stack: Stack | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let profile: string | undefined;
  const requests: Array<{ method: string; url: string }> = [];
  const failures: string[] = [];
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    if (missing) throw new Error(`REQUIRE_ALL_SUITES=1 and ${missing} is missing`);
    // The playground opens with the development token in its headers (AUTH_DEV_TOKEN), as `npm start` sets it up.
    const auth = createTestAuth();
    stack = await startStack({ scale: 0.1, auth, gatewayEnv: { AUTH_DEV_TOKEN: await auth.token({ sub: 'playground-dev' }) } });
    profile = mkdtempSync(join(tmpdir(), 'graph360-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1440, height: 900 },
      timeout: STEP_MS,
    });
    // On the context, not the page: service workers and popups would show here too.
    context.on('request', (request) => requests.push({ method: request.method(), url: request.url() }));
    context.on('requestfailed', (request) => failures.push(`${request.url()}: ${request.failure()?.errorText}`));
    // Violations of the page's Content-Security-Policy, as the page itself sees them.
    await context.addInitScript(
      "window.__cspViolations = []; document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));",
    );
    page = context.pages()[0] ?? (await context.newPage());
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

    // Offline: every request went to the gateway's own origin: the page, its 8 files once
    // each, and GraphQL POSTs (introspection, then the two queries). Fonts are data: URIs in the CSS.
    const seen = requests.map(({ method, url }) => ({ method, origin: new URL(url).origin, path: new URL(url).pathname }));
    expect(seen.filter((r) => r.origin !== gateway.origin)).toEqual([]);
    const assets = [...(await response!.text()).matchAll(/ (?:src|href)="(\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets).toHaveLength(8);
    expect(seen.filter((r) => r.path.startsWith('/playground/')).map((r) => r.path).sort()).toEqual([...assets].sort());
    expect(seen.filter((r) => r.path === '/graphql').map((r) => r.method)).toEqual(['GET', 'POST', 'POST', 'POST']);
    expect(seen).toHaveLength(12);
    expect(failures).toEqual([]);
    expect(await page.evaluate('window.__cspViolations')).toEqual([]);
    expect(consoleErrors).toEqual([]);
  }, 40_000);
});
