/**
 * The playground's HTML page and its Content-Security-Policy. The page holds no inline
 * script: GraphiQL is started by a served file (client.js), and what it needs to know
 * (endpoint, default query, example tabs and headers) travels in a JSON data block,
 * which browsers never execute, so the policy can allow scripts from 'self' only.
 */
import type { PlaygroundAsset } from './assets.js';
import type { PlaygroundTab } from './defaultQuery.js';

export interface PageSettings {
  title: string;
  endpoint: string;
  defaultQuery: string;
  /** The tabs a fresh playground opens with (GraphiQL keeps the user's own afterwards). */
  tabs: readonly PlaygroundTab[];
  /** JSON text for GraphiQL's headers editor, or undefined for an empty editor. */
  defaultHeaders: string | undefined;
}

/**
 * Only this origin, for everything. The exceptions, and why:
 * - `data:` for fonts and images: GraphiQL's stylesheet embeds its fonts (Roboto,
 *   Fira Code) and a few icons as data URIs rather than loading them from a CDN;
 * - `style-src 'unsafe-inline'`: GraphiQL's dialogs (Radix, through react-remove-scroll)
 *   add a `<style>` element when they open, with no way to hand them a nonce; the
 *   browser test opens one. Styles cannot run code, so scripts stay 'self'-only.
 * `connect-src 'self'` also admits the subscriptions' WebSocket to this same host
 * (ws: for an http: page, wss: for https:, as CSP Level 3 matches 'self').
 */
export const PLAYGROUND_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** JSON that cannot close its `<script>` element or start a comment inside it. */
const scriptSafeJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');

export function renderPage(settings: PageSettings, assets: ReadonlyMap<string, PlaygroundAsset>): string {
  const byName = new Map([...assets.values()].map((asset) => [asset.name, asset.path]));
  const url = (name: string): string => {
    const path = byName.get(name);
    if (!path) throw new Error(`the playground page needs asset ${name}, which was not loaded`);
    return escapeHtml(path);
  };
  const config = { endpoint: settings.endpoint, defaultQuery: settings.defaultQuery, tabs: settings.tabs, defaultHeaders: settings.defaultHeaders };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(settings.title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${url('graphiql.css')}">
<link rel="stylesheet" href="${url('explorer.css')}">
<link rel="stylesheet" href="${url('playground.css')}">
<script src="${url('react.js')}" defer></script>
<script src="${url('react-dom.js')}" defer></script>
<script src="${url('graphiql.js')}" defer></script>
<script src="${url('explorer.js')}" defer></script>
<script src="${url('graphql-ws.js')}" defer></script>
<script src="${url('playground.js')}" defer></script>
</head>
<body>
<div id="playground"><p class="playground-loading">Loading the playground…</p></div>
<script type="application/json" id="playground-config">${scriptSafeJson(config)}</script>
</body>
</html>
`;
}
