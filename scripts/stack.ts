/**
 * The services `npm start` runs, in start order. Each is its own process on its own
 * port; a group starts once the earlier groups report their URLs, and each service is
 * told where the services it calls are (a variable the user set wins).
 */
export type ServiceGroup = 'sandboxes' | 'subgraphs' | 'gateway';

export type Urls = Readonly<Record<string, string>>;
type Env = Readonly<Record<string, string | undefined>>;

export interface ServiceSpec {
  name: string;
  group: ServiceGroup;
  /** Entry point, relative to the repository root. */
  entry: string;
  /** Variables for this service, from the URLs of the services already up. */
  env?: (urls: Urls, env: Env) => Record<string, string>;
  /** Where it listens: its port variable and default, its host variable (default 127.0.0.1); `npm start` checks the port is free first. */
  listen: { portVariable: string; defaultPort: number; hostVariable: string };
}

/** The origin (scheme, host, port) of a URL a service reported. */
const origin = (url: string | undefined): string => (url ? new URL(url).origin : '');

const port = (env: Env, variable: string, fallback: number): string => env[variable] || String(fallback);

export const STACK: readonly ServiceSpec[] = [
  {
    name: 'crm-sandbox',
    listen: { portVariable: 'CRM_SANDBOX_PORT', defaultPort: 4101, hostVariable: 'SANDBOX_HOST' },
    group: 'sandboxes',
    entry: 'sandboxes/crm/src/index.ts',
  },
  {
    name: 'erp-sandbox',
    listen: { portVariable: 'ERP_SANDBOX_PORT', defaultPort: 4102, hostVariable: 'SANDBOX_HOST' },
    group: 'sandboxes',
    entry: 'sandboxes/erp/src/index.ts',
  },
  {
    name: 'payments-sandbox',
    listen: { portVariable: 'PAYMENTS_SANDBOX_PORT', defaultPort: 4103, hostVariable: 'SANDBOX_HOST' },
    group: 'sandboxes',
    entry: 'sandboxes/payments/src/index.ts',
    // The payment provider tells the ERP (which reconciles the invoice) and the payments
    // subgraph (which passes the change on to the gateway's caches) about every payment.
    // The subgraph starts later; the sandbox retries deliveries until it is up.
    env: (_urls, env) => ({
      PAYMENTS_SANDBOX_WEBHOOK_URLS:
        env.PAYMENTS_SANDBOX_WEBHOOK_URLS ||
        [
          `http://127.0.0.1:${port(env, 'ERP_SANDBOX_PORT', 4102)}/payment/stripe/webhook`,
          `http://127.0.0.1:${port(env, 'PAYMENTS_SUBGRAPH_PORT', 4003)}/webhooks/stripe`,
        ].join(','),
    }),
  },
  {
    name: 'crm-subgraph',
    listen: { portVariable: 'CRM_SUBGRAPH_PORT', defaultPort: 4001, hostVariable: 'SUBGRAPH_HOST' },
    group: 'subgraphs',
    entry: 'subgraphs/crm/src/index.ts',
    env: (urls, env) => ({ CRM_API_URL: env.CRM_API_URL || origin(urls['crm-sandbox']) }),
  },
  {
    name: 'erp-subgraph',
    listen: { portVariable: 'ERP_SUBGRAPH_PORT', defaultPort: 4002, hostVariable: 'SUBGRAPH_HOST' },
    group: 'subgraphs',
    entry: 'subgraphs/erp/src/index.ts',
    env: (urls, env) => ({ ERP_URL: env.ERP_URL || origin(urls['erp-sandbox']) }),
  },
  {
    name: 'payments-subgraph',
    listen: { portVariable: 'PAYMENTS_SUBGRAPH_PORT', defaultPort: 4003, hostVariable: 'SUBGRAPH_HOST' },
    group: 'subgraphs',
    entry: 'subgraphs/payments/src/index.ts',
    // GATEWAY_URL: where webhook events' cache invalidations go (the gateway starts later, on its known port).
    // ERP_URL: payInvoice checks each invoice in the ERP before it charges.
    env: (urls, env) => ({
      STRIPE_API_URL: env.STRIPE_API_URL || origin(urls['payments-sandbox']),
      ERP_URL: env.ERP_URL || origin(urls['erp-sandbox']),
      GATEWAY_URL: env.GATEWAY_URL || `http://127.0.0.1:${port(env, 'GATEWAY_PORT', 4000)}`,
    }),
  },
  {
    name: 'gateway',
    listen: { portVariable: 'GATEWAY_PORT', defaultPort: 4000, hostVariable: 'GATEWAY_HOST' },
    group: 'gateway',
    entry: 'gateway/src/index.ts',
    env: (urls, env) => ({
      CRM_SUBGRAPH_URL: env.CRM_SUBGRAPH_URL || (urls['crm-subgraph'] ?? ''),
      ERP_SUBGRAPH_URL: env.ERP_SUBGRAPH_URL || (urls['erp-subgraph'] ?? ''),
      PAYMENTS_SUBGRAPH_URL: env.PAYMENTS_SUBGRAPH_URL || (urls['payments-subgraph'] ?? ''),
    }),
  },
];

export const GROUP_ORDER: readonly ServiceGroup[] = ['sandboxes', 'subgraphs', 'gateway'];
