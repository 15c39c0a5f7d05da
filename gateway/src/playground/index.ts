/**
 * The playground: GraphiQL (with its docs explorer and the explorer plugin) served by
 * the gateway itself, HTML, scripts, styles and fonts, so it works on a machine with no
 * internet. Queries and mutations go over HTTP (with @defer's parts merged as they come),
 * subscriptions over graphql-ws at the same path (client.js). A browser that opens the GraphQL endpoint gets the page; every other request
 * to the endpoint (POSTs, GETs with a `query`, clients that ask for JSON) is left to
 * Apollo Server.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendGraphQLError } from '../../../lib/http.js';
import { loadPlaygroundAssets, type AssetEncoding, type PlaygroundAsset } from './assets.js';
import { DEFAULT_PLAYGROUND_QUERY, DEFAULT_PLAYGROUND_TABS, type PlaygroundTab } from './defaultQuery.js';
import { prefersHtml, preferredEncoding } from './negotiate.js';
import { PLAYGROUND_CSP, renderPage } from './page.js';

export {
  DEFAULT_PLAYGROUND_QUERY,
  DEFAULT_PLAYGROUND_TABS,
  PLAYGROUND_DEFER_EXAMPLE,
  PLAYGROUND_SUBSCRIPTION_EXAMPLE,
  type PlaygroundTab,
} from './defaultQuery.js';
export { PLAYGROUND_CSP } from './page.js';

export interface PlaygroundOptions {
  /** Path of the GraphQL endpoint: the page is served there to browsers, and runs its queries against it. Default `/graphql`. */
  endpoint?: string;
  /** Path under which the scripts and stylesheets are served. Default `/playground/assets`. */
  assetsPath?: string;
  /** Query a new tab opens with. Default the customer-360 query (DEFAULT_PLAYGROUND_QUERY). */
  defaultQuery?: string;
  /**
   * Tabs a fresh playground opens with. Default DEFAULT_PLAYGROUND_TABS: the customer-360
   * query, a subscription (paymentEvents) and a query with @defer; with defaultQuery
   * given and no tabs, that query alone.
   */
  defaultTabs?: readonly PlaygroundTab[];
  /** Headers prefilled in GraphiQL's headers editor, e.g. a development token. Default none. */
  defaultHeaders?: Record<string, string>;
  /** The page's title. Default `graph360 playground`. */
  title?: string;
}

/** Handles the request and returns true when it is the playground's; returns false, having done nothing, otherwise. */
export type PlaygroundHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/** The asset bodies are versioned by their hash, so a browser may keep them for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

export function createPlayground(options: PlaygroundOptions = {}): PlaygroundHandler {
  const endpoint = options.endpoint ?? '/graphql';
  const assetsPath = options.assetsPath ?? '/playground/assets';
  const assets = loadPlaygroundAssets(assetsPath);
  const headers = options.defaultHeaders && Object.keys(options.defaultHeaders).length > 0 ? JSON.stringify(options.defaultHeaders, null, 2) : undefined;
  const defaultQuery = options.defaultQuery ?? DEFAULT_PLAYGROUND_QUERY;
  const tabs = options.defaultTabs ?? (options.defaultQuery === undefined ? DEFAULT_PLAYGROUND_TABS : [{ query: defaultQuery }]);
  const page = renderPage({ title: options.title ?? 'graph360 playground', endpoint, defaultQuery, tabs, defaultHeaders: headers }, assets);

  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const url = new URL(req.url ?? '/', 'http://gateway.invalid');
    if (url.pathname.startsWith(`${assetsPath}/`)) {
      const asset = assets.get(url.pathname);
      if (!asset) sendGraphQLError(res, 404, 'NOT_FOUND', `No playground asset ${url.pathname}; reload the page for the current ones.`);
      else serveAsset(req, res, asset);
      return true;
    }
    if (!prefersHtml(req.headers.accept)) return false;
    // A GET with a query (or an APQ hash) is GraphQL over GET, even from a browser.
    if (url.pathname === endpoint && !url.searchParams.has('query') && !url.searchParams.has('extensions')) {
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': PLAYGROUND_CSP,
        // The same URL answers JSON to API clients: caches must key on Accept.
        vary: 'accept',
        'cache-control': 'no-cache',
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
      });
      res.end(req.method === 'HEAD' ? undefined : page);
      return true;
    }
    if (url.pathname === '/') {
      res.writeHead(302, { location: endpoint, vary: 'accept', 'cache-control': 'no-cache' });
      res.end();
      return true;
    }
    return false;
  };
}

function serveAsset(req: IncomingMessage, res: ServerResponse, asset: PlaygroundAsset): void {
  const common = { etag: asset.etag, 'cache-control': IMMUTABLE, vary: 'accept-encoding', 'x-content-type-options': 'nosniff' };
  if (req.headers['if-none-match'] === asset.etag) {
    res.writeHead(304, common);
    res.end();
    return;
  }
  const send = (body: Buffer, encoding?: AssetEncoding): void => {
    res.writeHead(200, { ...common, 'content-type': asset.contentType, 'content-length': body.length, ...(encoding ? { 'content-encoding': encoding } : {}) });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  const encoding = preferredEncoding(req.headers['accept-encoding']);
  if (!encoding) return send(asset.body);
  // Compression failing is no reason to fail the file: it is sent as it is.
  asset.encoded(encoding).then(
    (body) => send(body, encoding),
    () => send(asset.body),
  );
}
