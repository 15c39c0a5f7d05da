/* global window, document */
/**
 * Starts GraphiQL in the browser, from the UMD globals the page's scripts defined
 * (React, ReactDOM, GraphiQL, GraphiQLPluginExplorer, graphqlWs). It is a served file
 * rather than an inline script so that the page's Content-Security-Policy can forbid
 * inline script. Settings come from the page's JSON data block (see page.ts).
 *
 * Queries and mutations go as JSON POSTs, asking for @defer's multipart answer
 * (deferSpec=20220824), whose parts GraphiQL merges as they come. Subscriptions go over
 * graphql-ws (graphql-transport-ws) to ws(s)://<this host>/graphql: the headers in
 * GraphiQL's headers editor are the socket's connection_init payload, which is where
 * the gateway reads the Authorization header of a WebSocket; a socket serves one set
 * of headers, and a new one is opened when they change.
 */
(() => {
  'use strict';
  const settings = JSON.parse(document.getElementById('playground-config').textContent);
  const { React, ReactDOM, GraphiQL, GraphiQLPluginExplorer, graphqlWs } = window;

  const endpoint = new URL(settings.endpoint, window.location.href);
  const socketUrl = new URL(endpoint.href);
  socketUrl.protocol = endpoint.protocol === 'https:' ? 'wss:' : 'ws:';

  // Same origin, JSON POSTs: `content-type: application/json` is not a "simple" type, so
  // the gateway's CSRF prevention lets these through without any extra header.
  const httpFetcher = GraphiQL.createFetcher({
    url: endpoint.href,
    headers: { accept: 'multipart/mixed;deferSpec=20220824, application/json' },
  });

  /** The socket client of the headers last used, opened lazily and closed when idle. */
  let socket;
  const socketFor = (headers) => {
    const key = JSON.stringify(headers);
    if (socket?.key === key) return socket.client;
    // Another token: its own connection (the gateway authenticates once per socket).
    socket?.client.dispose();
    const client = graphqlWs.createClient({
      url: socketUrl.href,
      connectionParams: headers,
      lazy: true,
      // A dropped socket or a gateway restart (1001, 1006, 1012, 1013) is retried; a
      // refusal (4403 bad token, 44xx) is shown at once.
      retryAttempts: 3,
      shouldRetry: (event) => typeof event?.code !== 'number' || event.code < 4000,
    });
    socket = { key, client };
    return client;
  };

  /** A closed socket as an error the result pane can show: the gateway puts `CODE: message` in the reason. */
  const socketError = (error) => {
    if (error && typeof error.code === 'number' && 'reason' in error) {
      return new Error(`The subscription's socket closed (${error.code}${error.reason ? `: ${error.reason}` : ''}).`);
    }
    return error instanceof Error ? error : new Error(String(error));
  };

  /** True when the operation GraphiQL runs is a subscription. */
  const isSubscription = (documentAST, operationName) => {
    const operations = (documentAST?.definitions ?? []).filter((d) => d.kind === 'OperationDefinition');
    const operation = operationName ? operations.find((d) => d.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
    return operation?.operation === 'subscription';
  };

  const fetcher = (params, options) => {
    if (!isSubscription(options?.documentAST, params.operationName)) return httpFetcher(params, options);
    const client = socketFor(options?.headers ?? {});
    // An observable: GraphiQL shows each result as it comes, and Stop unsubscribes.
    return {
      subscribe(observer) {
        const dispose = client.subscribe(params, {
          next: (result) => observer.next(result),
          complete: () => observer.complete(),
          error: (error) => {
            // Refused by the gateway (authorization, validation, limits): its errors, as a response.
            if (Array.isArray(error)) {
              observer.next({ errors: error });
              observer.complete();
            } else observer.error(socketError(error));
          },
        });
        return { unsubscribe: dispose };
      },
    };
  };
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
  // A fresh playground opens with the example tabs (customer 360, a subscription, @defer), each with the default headers.
  if (settings.tabs) props.defaultTabs = settings.tabs.map((tab) => ({ ...tab, headers: settings.defaultHeaders ?? null }));
  ReactDOM.createRoot(document.getElementById('playground')).render(React.createElement(GraphiQL, props));
})();
