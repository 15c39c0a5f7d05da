/**
 * Builds the CRM sandbox: the seeded store, its indexes, the HubSpot router and the kit's
 * HTTP shell, and starts listening. This is what tests call; `index.ts` only reads the
 * configuration and calls it.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { createSandboxServer, generateWorld, SandboxStore, type SandboxRequest, type SandboxServer } from '../../kit/src/index.js';
import type { CrmSandboxConfig } from './config.js';
import { CrmData } from './CrmData.js';
import { crmProductErrors } from './errors.js';
import { RollingRateLimiter } from './rateLimiter.js';
import { createCrmRouter } from './router.js';
import { seedDocs } from './seedDocs.js';

export interface CrmSandbox extends SandboxServer {
  /** Base URL, e.g. http://127.0.0.1:4101: the `basePath` of @hubspot/api-client. */
  readonly url: string;
  readonly data: CrmData;
  /** Stops the server and closes the database. */
  close(): Promise<void>;
}

export interface CrmSandboxOptions {
  /** Clock for the timestamps of client writes. Default Date.now. */
  now?: () => number;
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

function bearerToken(headers: IncomingHttpHeaders): string | null {
  return BEARER.exec(headers.authorization ?? '')?.[1] ?? null;
}

export async function createCrmSandbox(config: CrmSandboxConfig, options: CrmSandboxOptions = {}): Promise<CrmSandbox> {
  const store = SandboxStore.open({
    file: config.dataFile,
    seedKey: `crm:${config.seed.seed}:${config.seed.scale}`,
    seed: () => {
      const docs = seedDocs(generateWorld(config.seed));
      return { companies: docs.companies, contacts: docs.contacts, deals: docs.deals };
    },
  });
  const data = new CrmData(store);
  const tokens = new Set(config.tokens);
  const limiter = new RollingRateLimiter(config.rateLimit);
  // The burst-limit verdict of each request, decided when it arrives (see below). Keyed by
  // the request's headers object, which the kit hands to the router unchanged.
  const refused = new WeakSet<IncomingHttpHeaders>();

  const sandbox = createSandboxServer({
    name: 'crm',
    errors: crmProductErrors,
    route: createCrmRouter({
      ctx: { data, now: options.now ?? Date.now },
      authenticated: (request: SandboxRequest) => {
        const token = bearerToken(request.headers);
        return token !== null && tokens.has(token);
      },
      rateLimited: (request: SandboxRequest) => refused.has(request.headers),
    }),
  });

  // HubSpot sends its X-HubSpot-RateLimit-* headers on every response, injected faults
  // included, which the router cannot reach; so the limit is applied as each request
  // arrives, ahead of the kit's handler, and the headers set on the response there.
  sandbox.server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith('/__sandbox/')) return;
    const token = bearerToken(req.headers);
    if (token === null || !tokens.has(token)) return;
    const decision = limiter.take(token);
    for (const [name, value] of Object.entries(decision.headers)) res.setHeader(name, value);
    if (!decision.allowed) refused.add(req.headers);
  });

  let url: string;
  try {
    url = await sandbox.listen(config.port, config.host);
  } catch (error) {
    store.close();
    throw error;
  }
  return {
    ...sandbox,
    url,
    data,
    async close() {
      await sandbox.close();
      store.close();
    },
  };
}
