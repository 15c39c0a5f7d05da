/**
 * The web client's Vite config. `npm run web` serves it with Vite's dev server (default
 * http://127.0.0.1:5173, a dev origin the gateway's CORS already allows) and proxies
 * /graphql to the gateway, so the page and its API share an origin.
 *
 * - GATEWAY_URL: the gateway (default http://127.0.0.1:4000; a .../graphql URL works too).
 * - VITE_GRAPH360_TOKEN: the bearer token the app sends; when unset, the development
 *   token that `npm start` writes to .data/dev-auth/token, if that file exists; else none
 *   (anonymous: fields that need a user come back null with UNAUTHENTICATED).
 *
 * Tests build the same config with webConfig({ gatewayUrl, token, port: 0 }).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import type { InlineConfig } from 'vite';

const ROOT = fileURLToPath(new URL('.', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const DEV_TOKEN_FILE = `${REPO}.data/dev-auth/token`;

export interface WebConfigOptions {
  /** The gateway's URL (its origin is used). Default GATEWAY_URL, else http://127.0.0.1:4000. */
  gatewayUrl?: string;
  /** Bearer token for the app. Default VITE_GRAPH360_TOKEN, else .data/dev-auth/token, else none. */
  token?: string;
  /** Dev server port (0: any free one). Default WEB_PORT, else 5173. */
  port?: number;
  /** Dev server interface. Default 127.0.0.1. */
  host?: string;
}

function devToken(): string | undefined {
  if (!existsSync(DEV_TOKEN_FILE)) return undefined;
  return readFileSync(DEV_TOKEN_FILE, 'utf8').trim() || undefined;
}

export function webConfig(options: WebConfigOptions = {}): InlineConfig {
  const gateway = new URL(options.gatewayUrl ?? process.env.GATEWAY_URL ?? 'http://127.0.0.1:4000');
  const token = options.token ?? (process.env.VITE_GRAPH360_TOKEN || devToken()) ?? '';
  return {
    root: ROOT,
    configFile: false,
    envDir: false,
    cacheDir: `${REPO}node_modules/.vite/graph360-web`,
    clearScreen: false,
    plugins: [react()],
    define: { 'import.meta.env.VITE_GRAPH360_TOKEN': JSON.stringify(token) },
    // Bundled before the first page load, so that no late discovery reloads the page.
    optimizeDeps: {
      include: [
        'react',
        'react/jsx-runtime',
        'react/jsx-dev-runtime',
        'react-dom/client',
        '@apollo/client',
        '@apollo/client/react',
        '@apollo/client/errors',
        '@apollo/client/link/persisted-queries',
        'rxjs',
      ],
    },
    server: {
      host: options.host ?? '127.0.0.1',
      port: options.port ?? Number(process.env.WEB_PORT ?? 5173),
      strictPort: options.port !== 0,
      proxy: { '/graphql': { target: gateway.origin, changeOrigin: true } },
    },
  };
}

export default webConfig();
