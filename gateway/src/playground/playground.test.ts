/**
 * The playground without a browser: which requests it takes and which it leaves to
 * Apollo Server, the content type, caching and compression of each file, and that
 * nothing it serves makes a browser fetch from another host. (The browser test in
 * test/playground.browser.test.ts checks the same in Chromium, by recording requests.)
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ROUTER_SUPPORTED_SUPERGRAPH_FEATURES, Supergraph } from '@apollo/federation-internals';
import { Kind, parse, validate, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { readGatewayConfig } from '../config.js';
import { createGateway } from '../createGateway.js';
import {
  createPlayground,
  DEFAULT_PLAYGROUND_QUERY,
  DEFAULT_PLAYGROUND_TABS,
  PLAYGROUND_CSP,
  PLAYGROUND_DEFER_EXAMPLE,
  PLAYGROUND_SUBSCRIPTION_EXAMPLE,
  type PlaygroundOptions,
} from './index.js';
import { prefersHtml, preferredEncoding } from './negotiate.js';

/** The API schema clients see (the supergraph without its federation machinery), with @defer, as the gateway validates. */
function apiSchema(): GraphQLSchema {
  const supergraph = readFileSync(new URL('../../../schema/supergraph.graphql', import.meta.url), 'utf8');
  return Supergraph.build(supergraph, { supportedFeatures: ROUTER_SUPPORTED_SUPERGRAPH_FEATURES }).apiSchema().toGraphQLJSSchema({ includeDefer: true });
}

const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8';
/** What the handler leaves alone gets this status, standing in for Apollo Server. */
const NOT_HANDLED = 418;

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A raw GET over node:http: no automatic decompression, so encodings can be checked. */
function get(base: string, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, base), { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function serve(options?: PlaygroundOptions): Promise<{ server: Server; base: string }> {
  const playground = createPlayground(options);
  const server = createServer((req, res) => {
    if (playground(req, res)) return;
    res.writeHead(NOT_HANDLED);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Every src and href attribute of the page. */
const references = (html: string): string[] => [...html.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((m) => m[1]!);
const pageConfig = (html: string): Record<string, unknown> =>
  JSON.parse(/<script type="application\/json" id="playground-config">(.*?)<\/script>/s.exec(html)![1]!) as Record<string, unknown>;

/**
 * Hosts that appear in absolute URLs inside the vendored scripts, none of which the
 * browser fetches: XML namespace names (createElementNS), and links in comments, error
 * messages and anchors. A new host after an upgrade fails this test until someone has
 * looked at where it is used.
 */
const NEVER_FETCHED_HOSTS = new Set([
  // XML namespaces.
  'www.w3.org',
  // React's error messages link to its decoder; the explorer's attribution links (off) to its authors.
  'reactjs.org',
  'www.onegraph.com',
  'github.com',
  // Comments and messages in GraphiQL's bundled dependencies (graphql-js, CodeMirror, markdown-it, Radix, ...).
  '',
  'a',
  'foo',
  'foo.com',
  'host',
  'test1',
  'example.org',
  'commonmark.org',
  'spec.commonmark.org',
  'daringfireball.net',
  'json-schema.org',
  'marijnhaverbeke.nl',
  'mathiasbynens.be',
  'serverfault.com',
  'unicode.org',
  'bugs.chromium.org',
  'codemirror.net',
  'datatracker.ietf.org',
  'developer.mozilla.org',
  'en.wikipedia.org',
  'esbench.com',
  'expressjs.com',
  'floating-ui.com',
  'gist.github.com',
  'github.github.com',
  'graphiql-test.netlify.app',
  'highlightjs.org',
  'html.spec.whatwg.org',
  'microsoft.github.io',
  'radix-ui.com',
  'spec.graphql.org',
  'tools.ietf.org',
  'trac.webkit.org',
  'webpack.js.org',
  'www.framer.com',
  'www.nayuki.io',
  'yarnpkg.com',
]);

describe('the playground handler', () => {
  let server: Server;
  let base: string;
  let html: string;
  let assets: string[];

  beforeAll(async () => {
    ({ server, base } = await serve());
    html = (await get(base, '/graphql', { accept: BROWSER })).body.toString('utf8');
    assets = references(html).filter((ref) => !ref.startsWith('data:'));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('serves the page to a browser opening the endpoint, under a script-src self policy', async () => {
    const page = await get(base, '/graphql', { accept: BROWSER });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toBe(PLAYGROUND_CSP);
    expect(page.headers.vary).toBe('accept');
    expect(PLAYGROUND_CSP).toContain("script-src 'self';");
    expect(PLAYGROUND_CSP).toContain("connect-src 'self';");
    expect(PLAYGROUND_CSP).toContain("default-src 'none';");
    // No inline script for the policy to allow: every <script> has a src or holds JSON data.
    const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]!);
    expect(scripts).toHaveLength(7);
    for (const attributes of scripts) expect(attributes).toMatch(/ src="|type="application\/json"/);
    expect(pageConfig(html)).toEqual({ endpoint: '/graphql', defaultQuery: DEFAULT_PLAYGROUND_QUERY, tabs: DEFAULT_PLAYGROUND_TABS });

    const head = await get(base, '/graphql', { accept: BROWSER }, 'HEAD');
    expect([head.status, head.body.length]).toEqual([200, 0]);
    const root = await get(base, '/', { accept: BROWSER });
    expect([root.status, root.headers.location]).toEqual([302, '/graphql']);
  });

  it('leaves GraphQL requests and API clients to Apollo Server', async () => {
    const cases: Array<[string, Record<string, string>, string?]> = [
      ['/graphql?query=%7B__typename%7D', { accept: BROWSER }],
      ['/graphql?extensions=%7B%7D', { accept: BROWSER }],
      ['/graphql', { accept: 'application/json' }],
      ['/graphql', { accept: 'application/graphql-response+json, application/json;q=0.9' }],
      ['/graphql', { accept: '*/*' }],
      ['/graphql', {}],
      ['/graphql', { accept: 'application/json, text/html' }],
      ['/graphql', { accept: BROWSER }, 'POST'],
      ['/health', { accept: BROWSER }],
    ];
    for (const [path, headers, method] of cases) {
      expect({ path, headers, status: (await get(base, path, headers, method)).status }).toEqual({ path, headers, status: NOT_HANDLED });
    }
  });

  it('refers only to its own origin and serves every file with its type, a year of caching and a strong ETag', async () => {
    for (const ref of references(html)) expect(ref).toMatch(/^(data:|\/[^/])/);
    expect(assets).toHaveLength(9);
    const types = new Map([
      ['.js', 'text/javascript; charset=utf-8'],
      ['.css', 'text/css; charset=utf-8'],
    ]);
    for (const path of assets) {
      expect(path).toMatch(/^\/playground\/assets\/[a-z-]+\.[0-9a-f]{16}\.(js|css)$/);
      const file = await get(base, path, { 'accept-encoding': 'identity' });
      expect(file.status).toBe(200);
      expect(file.headers['content-type']).toBe(types.get(path.slice(path.lastIndexOf('.'))));
      expect(file.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(file.headers['content-encoding']).toBeUndefined();
      expect(Number(file.headers['content-length'])).toBe(file.body.length);
      expect(file.headers.etag).toBe(`"${path.split('.').at(-2)}"`);
      const again = await get(base, path, { 'if-none-match': file.headers.etag! });
      expect([again.status, again.body.length]).toEqual([304, 0]);
    }
    const gone = await get(base, '/playground/assets/graphiql.0000000000000000.js');
    expect(gone.status).toBe(404);
    expect(JSON.parse(gone.body.toString('utf8'))).toMatchObject({ errors: [{ extensions: { code: 'NOT_FOUND' } }] });
  });

  it('sends brotli or gzip to clients that accept them, the same bytes once decompressed', async () => {
    const graphiql = assets.find((path) => path.includes('/graphiql.') && path.endsWith('.js'))!;
    const plain = (await get(base, graphiql, { 'accept-encoding': 'identity' })).body;
    const br = await get(base, graphiql, { 'accept-encoding': 'gzip, deflate, br' });
    expect([br.headers['content-encoding'], br.headers.vary]).toEqual(['br', 'accept-encoding']);
    expect(br.body.length).toBeLessThan(plain.length / 4);
    expect(brotliDecompressSync(br.body).equals(plain)).toBe(true);
    const gzip = await get(base, graphiql, { 'accept-encoding': 'gzip' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.body).equals(plain)).toBe(true);
  });

  it('serves no file that makes a browser fetch from another host', async () => {
    expect(html).not.toMatch(/https?:\/\//);
    for (const path of assets) {
      const text = (await get(base, path, { 'accept-encoding': 'identity' })).body.toString('utf8');
      // Source maps would be requested (from here, and 404) by the developer tools.
      expect({ path, sourceMap: /sourceMappingURL/.test(text) }).toEqual({ path, sourceMap: false });
      if (path.endsWith('.css')) {
        // A stylesheet fetches through url() and @import only: here, fonts and images are data: URIs.
        const urls = [...text.matchAll(/url\(\s*['"]?([^'")]*)/g)].map((m) => m[1]!);
        expect({ path, remote: urls.filter((url) => !url.startsWith('data:')) }).toEqual({ path, remote: [] });
        expect({ path, imports: text.includes('@import') }).toEqual({ path, imports: false });
      } else {
        const hosts = new Set([...text.matchAll(/https?:\/\/([a-z0-9.-]*)/gi)].map((m) => m[1]!.toLowerCase()));
        expect({ path, unknown: [...hosts].filter((host) => !NEVER_FETCHED_HOSTS.has(host)) }).toEqual({ path, unknown: [] });
      }
    }
  });

  it('prefills the headers editor and keeps page settings from closing their script element', async () => {
    const custom = await serve({ defaultHeaders: { authorization: 'Bearer dev-token' }, defaultQuery: '# </script><script>alert(1)</script>\n{ __typename }' });
    try {
      const page = (await get(custom.base, '/graphql', { accept: BROWSER })).body.toString('utf8');
      expect(page.match(/<\/script>/g)).toHaveLength(7);
      expect(pageConfig(page)).toEqual({
        endpoint: '/graphql',
        defaultQuery: '# </script><script>alert(1)</script>\n{ __typename }',
        tabs: [{ query: '# </script><script>alert(1)</script>\n{ __typename }' }],
        defaultHeaders: '{\n  "authorization": "Bearer dev-token"\n}',
      });
    } finally {
      await new Promise<void>((resolve) => custom.server.close(() => resolve()));
    }
  });
});

describe('the example tabs', () => {
  it('open with the customer-360 query, a subscription and a query with @defer, each valid against the API schema', () => {
    expect(DEFAULT_PLAYGROUND_TABS.map((tab) => tab.query)).toEqual([DEFAULT_PLAYGROUND_QUERY, PLAYGROUND_SUBSCRIPTION_EXAMPLE, PLAYGROUND_DEFER_EXAMPLE]);
    const schema = apiSchema();
    for (const tab of DEFAULT_PLAYGROUND_TABS) {
      const document = parse(tab.query);
      expect({ query: tab.query.slice(0, 40), errors: validate(schema, document).map((e) => e.message) }).toEqual({
        query: tab.query.slice(0, 40),
        errors: [],
      });
      // Variables are JSON and name only the operation's variables, its required ones among them.
      const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
      const variables = JSON.parse(tab.variables ?? '{}') as Record<string, unknown>;
      const declared = (operation.variableDefinitions ?? []).map((v) => v.variable.name.value);
      expect(Object.keys(variables).filter((name) => !declared.includes(name))).toEqual([]);
      const required = (operation.variableDefinitions ?? [])
        .filter((v) => v.type.kind === Kind.NON_NULL_TYPE && !v.defaultValue)
        .map((v) => v.variable.name.value);
      for (const name of required) expect(variables[name], name).toBeTypeOf('string');
    }
    expect(PLAYGROUND_SUBSCRIPTION_EXAMPLE).toMatch(/^subscription PaymentEvents/m);
    expect(PLAYGROUND_DEFER_EXAMPLE).toContain('@defer');
  });
});

describe('the playground in the gateway', () => {
  /** A gateway over the real supergraph; `{ __typename }` needs no subgraph, so none runs. */
  async function gatewayIn(env: Record<string, string>): Promise<{ base: string; close(): Promise<void> }> {
    const auth = {
      AUTH_PUBLIC_KEY: generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      GATEWAY_SUBGRAPH_SECRET: 'playground-test-secret-0123456789abcdef',
    };
    const gateway = await createGateway(readGatewayConfig({ REDIS_URL: '', LOG_LEVEL: 'silent', ...auth, ...env }), pino({ level: 'silent' }));
    const url = await gateway.listen(0);
    return { base: new URL(url).origin, close: () => gateway.close() };
  }

  it('serves the page to browsers and GraphQL over GET to everyone else, never a landing page from a CDN', async () => {
    const gateway = await gatewayIn({});
    try {
      const page = await get(gateway.base, '/graphql', { accept: BROWSER });
      expect([page.status, page.headers['content-security-policy']]).toEqual([200, PLAYGROUND_CSP]);
      const asset = references(page.body.toString('utf8')).find((ref) => ref.endsWith('.js'))!;
      expect((await get(gateway.base, asset)).status).toBe(200);

      const query = '/graphql?query=%7B__typename%7D';
      const api = await get(gateway.base, query, { accept: 'application/json', 'apollo-require-preflight': 'true' });
      expect([api.status, (JSON.parse(api.body.toString('utf8')) as { data?: unknown }).data]).toEqual([200, { __typename: 'Query' }]);
      // A browser navigating to a query URL reaches Apollo Server, whose CSRF prevention
      // refuses a GET without a preflight header; Apollo's own landing page is off.
      const navigated = await get(gateway.base, query, { accept: BROWSER });
      expect(navigated.status).toBe(400);
      expect(navigated.headers['content-type']).toMatch(/^application\/json/);
    } finally {
      await gateway.close();
    }
  });

  it('pre-fills the development token (AUTH_DEV_TOKEN) in the headers editor', async () => {
    const gateway = await gatewayIn({ AUTH_DEV_TOKEN: 'dev.token.value' });
    try {
      const page = (await get(gateway.base, '/graphql', { accept: BROWSER })).body.toString('utf8');
      const config = JSON.parse(/<script type="application\/json" id="playground-config">(.*?)<\/script>/s.exec(page)![1]!) as { defaultHeaders?: string };
      expect(JSON.parse(config.defaultHeaders!)).toEqual({ Authorization: 'Bearer dev.token.value' });
    } finally {
      await gateway.close();
    }
    const plain = await gatewayIn({});
    try {
      expect((await get(plain.base, '/graphql', { accept: BROWSER })).body.toString('utf8')).not.toContain('Bearer');
    } finally {
      await plain.close();
    }
  });

  it('is off in production, where introspection is off too', async () => {
    const gateway = await gatewayIn({ NODE_ENV: 'production', GATEWAY_INVALIDATION_SECRET: 'a-production-secret-of-some-length' });
    try {
      const page = await get(gateway.base, '/graphql', { accept: BROWSER });
      expect(page.status).toBe(400);
      expect(page.headers['content-type']).toMatch(/^application\/json/);
      expect((await get(gateway.base, '/playground/assets/graphiql.0000000000000000.js')).status).toBe(404);
    } finally {
      await gateway.close();
    }
  });
});

describe('content negotiation', () => {
  it('wants the page only when text/html is named and preferred to every GraphQL type', () => {
    expect(prefersHtml(BROWSER)).toBe(true);
    expect(prefersHtml('text/html')).toBe(true);
    expect(prefersHtml('text/html;q=0.9, application/json;q=0.5')).toBe(true);
    expect(prefersHtml(undefined)).toBe(false);
    expect(prefersHtml('*/*')).toBe(false);
    expect(prefersHtml('application/json, text/html')).toBe(false);
    expect(prefersHtml('text/html;q=0, */*')).toBe(false);
    expect(prefersHtml('multipart/mixed;deferSpec=20220824, text/html')).toBe(false);
  });

  it('picks brotli over gzip, and neither when both are refused', () => {
    expect(preferredEncoding('gzip, deflate, br')).toBe('br');
    expect(preferredEncoding('gzip')).toBe('gzip');
    expect(preferredEncoding('br;q=0.5, gzip')).toBe('gzip');
    expect(preferredEncoding('*')).toBe('br');
    expect(preferredEncoding('*, br;q=0')).toBe('gzip');
    expect(preferredEncoding('identity')).toBeUndefined();
    expect(preferredEncoding(undefined)).toBeUndefined();
  });
});
