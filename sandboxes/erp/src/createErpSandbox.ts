/**
 * Builds the ERP sandbox: the seeded store, the Odoo models over it and the kit's HTTP
 * shell around the XML-RPC endpoints and the Stripe webhook. Tests call this;
 * src/index.ts only reads the configuration and listens.
 */
import { SandboxStore, createSandboxServer, generateWorld, schedulePruning, type SandboxRequest, type SandboxServer } from '../../kit/src/index.js';
import type { ErpSandboxConfig } from './config.js';
import { ERP_ERRORS } from './httpErrors.js';
import { MODELS } from './odoo/models.js';
import { Orm } from './odoo/orm.js';
import { Registry } from './odoo/Registry.js';
import { seedDocs } from './seedDocs.js';
import { StripeReconciler } from './stripe/StripeReconciler.js';
import { STRIPE_WEBHOOK_PATH, createStripeWebhookRoute } from './stripe/stripeWebhookRoute.js';
import { createXmlRpcRoute } from './xmlrpcRoute.js';

/** Odoo's admin user id (uid 1 is the superuser OdooBot, which cannot log in). */
export const ADMIN_UID = 2;

/** Bumped when the shape of the seeded records changes, so older data files are re-seeded (2: Stripe intents; 3: payment transactions). */
const SEED_FORMAT = 3;

export interface ErpSandboxOptions {
  /**
   * The sandbox's clock, ms since the epoch: create_date/write_date, processed Stripe
   * events and their retention. Default Date.now. (Webhook signatures are checked
   * against the real time, as the sender signs with it.)
   */
  now?: () => number;
}

export interface ErpSandbox extends SandboxServer {
  readonly registry: Registry;
  /**
   * Forgets the processed Stripe events older than `config.stripeEventRetentionMs` now;
   * it also runs at start and every `config.pruneIntervalMs`.
   */
  prune(): { stripeEvents: number };
  /** The base URL once listening (e.g. http://127.0.0.1:4102), undefined before. */
  readonly url: string | undefined;
  /** Listens on the configured port and host unless told otherwise; resolves to the URL. */
  listen(port?: number, host?: string): Promise<string>;
  /** Stops the server and closes the data file. */
  close(): Promise<void>;
}

export async function createErpSandbox(config: ErpSandboxConfig, options: ErpSandboxOptions = {}): Promise<ErpSandbox> {
  const now = options.now ?? Date.now;
  const store = SandboxStore.open({
    file: config.dataFile,
    seedKey: `erp:${SEED_FORMAT}:${config.seed.seed}:${config.seed.scale}`,
    seed: () => seedDocs(generateWorld(config.seed)),
    now,
  });
  const registry = new Registry(store, MODELS);
  const orm = new Orm(registry, ADMIN_UID, now);
  const reconciler = new StripeReconciler(registry, { now });
  const prune = () => ({ stripeEvents: reconciler.prune(config.stripeEventRetentionMs) });
  const stopPruning = schedulePruning('erp', prune, config.pruneIntervalMs);
  const credentials = { database: config.database, login: config.login, password: config.password, uid: ADMIN_UID };
  const xmlRpc = createXmlRpcRoute(credentials, orm);
  const stripeWebhook = createStripeWebhookRoute({ secret: config.stripeWebhookSecret, reconciler });
  const route = (request: SandboxRequest) => (request.path === STRIPE_WEBHOOK_PATH ? stripeWebhook(request) : xmlRpc(request));
  const server = createSandboxServer({ name: 'erp', route, errors: ERP_ERRORS });
  let url: string | undefined;
  let closed = false;
  return {
    ...server,
    registry,
    prune,
    get url() {
      return url;
    },
    async listen(port = config.port, host = config.host) {
      url = await server.listen(port, host);
      return url;
    },
    async close() {
      if (closed) return;
      closed = true;
      stopPruning();
      await server.close();
      store.close();
    },
  };
}
