/**
 * What the payments subgraph reads from the ERP before money moves, through Odoo's own
 * API (the kit's OdooClient), never through the gateway: the invoice as the ERP has it at
 * this moment (whose it is, its currency, whether it is open, what is left to pay), and
 * which of the provider's payments the ERP has already applied to it (Odoo's
 * payment.transaction, by provider reference). Both are reads, so they are retried; none
 * is cached, because a payment must be checked against the ERP as it is now.
 */
import type { Logger } from 'pino';
import { BackendPolicy, malformed, OdooClient, readRecords, type OdooConnectionSettings } from '../../../kit/src/index.js';
import { numberOf, type XmlRpcStruct, type XmlRpcValue } from '../../../../lib/xmlrpc/index.js';

/** A journal entry as payInvoice needs it; amounts in minor units. */
export interface ErpInvoice {
  id: number;
  /** out_invoice for a customer invoice. */
  moveType: string;
  /** draft, posted or cancel. */
  state: string;
  /** not_paid, partial, in_payment, paid, reversed...; null when the ERP sends none. */
  paymentState: string | null;
  /** ISO code of the invoice's currency, e.g. EUR. */
  currency: string | null;
  totalMinor: number;
  residualMinor: number;
  partnerId: number | null;
}

const INVOICE_FIELDS = ['move_type', 'state', 'payment_state', 'currency_id', 'amount_total', 'amount_residual', 'partner_id'];
/** Every currency the graph bills in has two decimals. */
const MINOR_PER_UNIT = 100;

export interface ErpInvoiceConnectorOptions {
  settings: OdooConnectionSettings & { timeoutMs: number };
  logger: Logger;
}

function many2one(record: XmlRpcStruct, field: string): { id: number; name: string } | null {
  const value = record[field];
  if (value === false || value === undefined) return null;
  if (Array.isArray(value) && typeof value[0] === 'number' && typeof value[1] === 'string') return { id: value[0], name: value[1] };
  if (typeof value === 'number') return { id: value, name: '' };
  throw malformed(`account.move ${String(record.id)}: ${field} is not a many2one`);
}

function minor(record: XmlRpcStruct, field: string): number {
  const value = numberOf(record[field] as XmlRpcValue);
  if (value === undefined || !Number.isFinite(value)) throw malformed(`account.move ${String(record.id)}: ${field} is not an amount`);
  return Math.round(value * MINOR_PER_UNIT);
}

function toInvoice(record: XmlRpcStruct): ErpInvoice {
  if (typeof record.id !== 'number') throw malformed('an account.move record without an integer id');
  const text = (field: string): string | null => (typeof record[field] === 'string' ? (record[field] as string) : null);
  return {
    id: record.id,
    moveType: text('move_type') ?? '',
    state: text('state') ?? '',
    paymentState: text('payment_state'),
    currency: many2one(record, 'currency_id')?.name ?? null,
    totalMinor: minor(record, 'amount_total'),
    residualMinor: minor(record, 'amount_residual'),
    partnerId: many2one(record, 'partner_id')?.id ?? null,
  };
}

export class ErpInvoiceConnector {
  readonly policy: BackendPolicy;
  private readonly client: OdooClient;

  constructor(options: ErpInvoiceConnectorOptions) {
    this.policy = new BackendPolicy({ backend: 'erp', timeoutMs: options.settings.timeoutMs });
    this.client = new OdooClient({ ...options.settings, policy: this.policy, logger: options.logger });
  }

  /**
   * The invoice (null when the ERP has no journal entry with this id) and the ERP's
   * partners for a CRM company (`ref`), read in parallel: the invoice belongs to the
   * company when its partner is one of them.
   */
  async invoiceAndCompanyPartners(invoiceId: number, companyId: string): Promise<{ invoice: ErpInvoice | null; partnerIds: number[] }> {
    const [invoices, partners] = await Promise.all([
      this.client.executeKw('account.move', 'search_read', [[['id', '=', invoiceId]]], { fields: INVOICE_FIELDS, limit: 1 }, true),
      this.client.executeKw('res.partner', 'search_read', [[['ref', '=', companyId]]], { fields: ['id'] }, true),
    ]);
    const invoice = readRecords(invoices, 'account.move').map(toInvoice)[0] ?? null;
    const partnerIds = readRecords(partners, 'res.partner').flatMap((p) => (typeof p.id === 'number' ? [p.id] : []));
    return { invoice, partnerIds };
  }

  /** The invoice as the ERP has it now; null when it has no journal entry with this id. */
  async invoice(invoiceId: number): Promise<ErpInvoice | null> {
    const value = await this.client.executeKw('account.move', 'search_read', [[['id', '=', invoiceId]]], { fields: INVOICE_FIELDS, limit: 1 }, true);
    return readRecords(value, 'account.move').map(toInvoice)[0] ?? null;
  }

  /** Of these provider payment ids, those the ERP has applied (a payment.transaction in state done). */
  async appliedPayments(paymentIds: readonly string[]): Promise<Set<string>> {
    if (paymentIds.length === 0) return new Set();
    const value = await this.client.executeKw(
      'payment.transaction',
      'search_read',
      [
        [
          ['provider_reference', 'in', [...paymentIds]],
          ['state', '=', 'done'],
        ],
      ],
      { fields: ['provider_reference'] },
      true,
    );
    return new Set(readRecords(value, 'payment.transaction').flatMap((t) => (typeof t.provider_reference === 'string' ? [t.provider_reference] : [])));
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
