/**
 * Where the ERP is and who we are there: the same four variables for every service that
 * talks to Odoo (the erp subgraph, and the payments subgraph checking invoices), so that
 * one setting points them all at the same database.
 */
import { checkUrl, ConfigError, envString, type Env } from '../../../../lib/env.js';

export interface OdooConnectionSettings {
  /** Origin of the Odoo server (ERP_URL); the client calls `<url>/xmlrpc/2/...`. Default http://127.0.0.1:4102, the sandbox. */
  url: string;
  /** Database name (ERP_DB). Default `sandbox`. */
  db: string;
  /** Login of the API user (ERP_USERNAME). Default `admin`. */
  username: string;
  /** That user's password or, in production, an API key (ERP_PASSWORD). Default `admin`. Never logged. */
  password: string;
}

function odooUrl(env: Env): string {
  const value = envString(env, 'ERP_URL', 'http://127.0.0.1:4102');
  const url = checkUrl('ERP_URL', value, { credentials: 'use ERP_USERNAME and ERP_PASSWORD' });
  if (url.search !== '' || url.hash !== '') throw new ConfigError('ERP_URL', `must not have a query or fragment, got "${value}"`);
  // A path prefix is kept: Odoo behind a proxy may live under one (https://example.com/odoo).
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

export function readOdooConnection(env: Env): OdooConnectionSettings {
  return {
    url: odooUrl(env),
    db: envString(env, 'ERP_DB', 'sandbox'),
    username: envString(env, 'ERP_USERNAME', 'admin'),
    password: envString(env, 'ERP_PASSWORD', 'admin'),
  };
}
