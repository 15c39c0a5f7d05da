/**
 * Clients that read the sandboxes directly, over their own protocols, so that tests can
 * compare what the graph answers with what the backing systems hold.
 */
import Stripe from 'stripe';
import { parseMethodResponse, serializeMethodCall, type XmlRpcValue } from '../../lib/xmlrpc/index.js';

export interface BackendClients {
  crm<T = unknown>(path: string, body?: unknown): Promise<T>;
  odoo<T = unknown>(model: string, method: string, args: XmlRpcValue[], kwargs?: Record<string, XmlRpcValue>): Promise<T>;
  stripe: Stripe;
}

export function backendClients(urls: { crm: string; erp: string; payments: string }): BackendClients {
  const payments = new URL(urls.payments);
  return {
    async crm<T>(path: string, body?: unknown): Promise<T> {
      const response = await fetch(`${urls.crm}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { authorization: 'Bearer crm-sandbox-token', 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`CRM ${path}: ${response.status} ${await response.text()}`);
      return (await response.json()) as T;
    },
    async odoo<T>(model: string, method: string, args: XmlRpcValue[], kwargs: Record<string, XmlRpcValue> = {}): Promise<T> {
      const response = await fetch(`${urls.erp}/xmlrpc/2/object`, {
        method: 'POST',
        headers: { 'content-type': 'text/xml' },
        body: serializeMethodCall('execute_kw', ['sandbox', 2, 'admin', model, method, args, kwargs]),
      });
      const parsed = parseMethodResponse(await response.text());
      if (parsed.kind === 'fault') throw new Error(`ERP ${model}.${method}: ${parsed.faultString}`);
      return parsed.value as T;
    },
    stripe: new Stripe('sk_test_sandbox', {
      host: payments.hostname,
      port: Number(payments.port),
      protocol: payments.protocol === 'https:' ? 'https' : 'http',
      maxNetworkRetries: 0,
    }),
  };
}

/** Odoo's floats in currency units to integer minor units (exact for two decimals). */
export const minor = (value: number): number => Math.round(value * 100);
