/**
 * The playground's static files: GraphiQL, its explorer plugin, React and graphql-ws's
 * client as UMD builds from node_modules, plus our own bootstrap script and stylesheet. They are read and
 * hashed once, when the playground is created, so a missing package fails the gateway
 * at start-up rather than a developer's first page load; compressed copies are made on
 * the first request that asks for them and kept, because brotli over GraphiQL's 3.5 MB
 * bundle costs a fifth of a second that start-up (and every test that spawns a gateway)
 * should not pay.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib';

export type AssetEncoding = 'br' | 'gzip';

export interface PlaygroundAsset {
  /** The stable name the page refers to, e.g. `graphiql.js`. */
  readonly name: string;
  /** The URL path, with a content hash in the file name so it can be cached for a year. */
  readonly path: string;
  readonly contentType: string;
  /** A strong ETag: the content hash, quoted. */
  readonly etag: string;
  readonly body: Buffer;
  /** The body compressed with `encoding`, made on first use and kept. */
  encoded(encoding: AssetEncoding): Promise<Buffer>;
}

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));

/** Resolves a file inside an installed package through its package.json, which every package exports (react's `exports` map hides `umd/`). */
function packageFile(pkg: string, file: string): string {
  return join(dirname(require.resolve(`${pkg}/package.json`)), file);
}

/**
 * Every file the page loads, in the order the page loads the scripts: React before
 * ReactDOM, both before GraphiQL (its UMD reads `window.React` and `window.ReactDOM`),
 * GraphiQL before the explorer (which reads `window.GraphiQL.React` and
 * `window.GraphiQL.GraphQL`), graphql-ws (standalone), and our bootstrap last.
 */
const SOURCES: ReadonlyArray<{ name: string; file: () => string }> = [
  { name: 'react.js', file: () => packageFile('react', 'umd/react.production.min.js') },
  { name: 'react-dom.js', file: () => packageFile('react-dom', 'umd/react-dom.production.min.js') },
  { name: 'graphiql.js', file: () => packageFile('graphiql', 'graphiql.min.js') },
  { name: 'graphiql.css', file: () => packageFile('graphiql', 'graphiql.min.css') },
  { name: 'explorer.js', file: () => packageFile('@graphiql/plugin-explorer', 'dist/index.umd.js') },
  { name: 'explorer.css', file: () => packageFile('@graphiql/plugin-explorer', 'dist/style.css') },
  // graphql-ws's browser client (window.graphqlWs): the playground's subscriptions, over WebSocket.
  { name: 'graphql-ws.js', file: () => packageFile('graphql-ws', 'umd/graphql-ws.min.js') },
  { name: 'playground.css', file: () => join(here, 'playground.css') },
  { name: 'playground.js', file: () => join(here, 'client.js') },
];

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/**
 * Source map comments point at .map files we do not serve (GraphiQL's is 6 MB); left in,
 * they make the browser's developer tools request a file that 404s.
 */
const SOURCE_MAP_COMMENT = /\n?(\/\/# sourceMappingURL=[^\n]*|\/\*# sourceMappingURL=[^*]*\*\/)\s*$/;

function compress(body: Buffer, encoding: AssetEncoding): Promise<Buffer> {
  if (encoding === 'gzip') return promisify(gzip)(body, { level: 6 });
  // Quality 5 gets within 5% of quality 11 on these bundles at a twentieth of the time.
  return promisify(brotliCompress)(body, {
    params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 5, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: body.length },
  });
}

/** Reads every asset and returns them by URL path, each path under `assetsPath`. */
export function loadPlaygroundAssets(assetsPath: string): Map<string, PlaygroundAsset> {
  const assets = new Map<string, PlaygroundAsset>();
  for (const source of SOURCES) {
    const file = source.file();
    const body = Buffer.from(readFileSync(file, 'utf8').replace(SOURCE_MAP_COMMENT, '\n'), 'utf8');
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 16);
    const dot = source.name.lastIndexOf('.');
    const extension = source.name.slice(dot);
    const path = `${assetsPath}/${source.name.slice(0, dot)}.${hash}${extension}`;
    const contentType = CONTENT_TYPES[extension];
    if (!contentType) throw new Error(`playground asset ${file} has no known content type`);
    const cache = new Map<AssetEncoding, Promise<Buffer>>();
    assets.set(path, {
      name: source.name,
      path,
      contentType,
      etag: `"${hash}"`,
      body,
      encoded(encoding) {
        let compressed = cache.get(encoding);
        if (!compressed) {
          compressed = compress(body, encoding);
          // A failed compression is not kept: the next request tries again.
          compressed.catch(() => cache.delete(encoding));
          cache.set(encoding, compressed);
        }
        return compressed;
      },
    });
  }
  return assets;
}
