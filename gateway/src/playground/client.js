/* global window, document */
/**
 * Starts GraphiQL in the browser, from the UMD globals the page's scripts defined
 * (React, ReactDOM, GraphiQL, GraphiQLPluginExplorer). It is a served file rather than
 * an inline script so that the page's Content-Security-Policy can forbid inline script.
 * Settings come from the page's JSON data block (see page.ts).
 */
(() => {
  'use strict';
  const settings = JSON.parse(document.getElementById('playground-config').textContent);
  const { React, ReactDOM, GraphiQL, GraphiQLPluginExplorer } = window;

  // Same origin, JSON POSTs: `content-type: application/json` is not a "simple" type, so
  // the gateway's CSRF prevention lets these through without any extra header.
  const fetcher = GraphiQL.createFetcher({ url: new URL(settings.endpoint, window.location.href).href });
  // The explorer's footer links to its authors' sites; the playground keeps to its origin.
  const explorer = GraphiQLPluginExplorer.explorerPlugin({ showAttribution: false });

  const props = {
    fetcher,
    plugins: [explorer],
    defaultQuery: settings.defaultQuery,
    isHeadersEditorEnabled: true,
    // Headers (tokens) stay in the tab's memory, not in localStorage.
    shouldPersistHeaders: false,
  };
  if (settings.defaultHeaders) {
    props.defaultHeaders = settings.defaultHeaders;
    // Open the headers tab so that a prefilled token is seen, not a surprise.
    props.defaultEditorToolsVisibility = 'headers';
  }
  ReactDOM.createRoot(document.getElementById('playground')).render(React.createElement(GraphiQL, props));
})();
