/**
 * For the payments subgraph's tests of money writes: the payments sandbox and the ERP
 * sandbox over one seed world (the same customers, invoices and payments in both), on
 * free ports over temporary data files, and the ERP's open invoices read over XML-RPC,
 * handed out one per test so tests never pay the same invoice.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readErpSandboxConfig } from '../../../sandboxes/erp/src/config.js';
import { createErpSandbox, type ErpSandbox } from '../../../sandboxes/erp/src/createErpSandbox.js';
import { readPaymentsSandboxConfig } from '../../../sandboxes/payments/src/config.js';
import { createPaymentsSandbox, type PaymentsSandbox } from '../../../sandboxes/payments/src/createPaymentsSandbox.js';
import { numberOf, parseMethodResponse, serializeMethodCall, type XmlRpcStruct, type XmlRpcValue } from '../../../lib/xmlrpc/index.js';
import type { CurrencyCode } from './__generated__/resolvers-types.js';

export interface OpenInvoice {
  invoiceId: string;
  /** The CRM company id of the invoice's partner. */
  companyId: string;
  currency: CurrencyCode;
  /** What is left to pay, in minor units. */
  residual: number;
}

export interface MoneySandboxes {
  payments: PaymentsSandbox;
  erp: ErpSandbox;
  paymentsUrl: string;
  erpUrl: string;
  /** An open invoice no other test got, matching `accept`; throws when none is left. */
  takeInvoice(accept?: (invoice: OpenInvoice) => boolean): OpenInvoice;
  /** The invoice as the ERP has it now. */
  invoice(invoiceId: string): Promise<{ residual: number; paymentState: string; total: number }>;
  close(): Promise<void>;
}

async function executeKw(erpUrl: string, model: string, method: string, args: XmlRpcValue[], kwargs: Record<string, XmlRpcValue>): Promise<XmlRpcValue> {
  const body = serializeMethodCall('execute_kw', ['sandbox', 2, 'admin', model, method, args, kwargs]);
  const response = await fetch(`${erpUrl}/xmlrpc/2/object`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body });
  const parsed = parseMethodResponse(await response.text());
  if (parsed.kind === 'fault') throw new Error(`ERP fault ${String(parsed.faultCode)}: ${parsed.faultString}`);
  return parsed.value;
}

const minor = (value: XmlRpcValue | undefined): number => Math.round((numberOf(value as XmlRpcValue) ?? Number.NaN) * 100);
const name = (value: XmlRpcValue | undefined): string => (Array.isArray(value) ? String(value[1]) : '');
const relId = (value: XmlRpcValue | undefined): number => (Array.isArray(value) ? Number(value[0]) : 0);

async function readOpenInvoices(erpUrl: string): Promise<OpenInvoice[]> {
  const domain = [
    ['move_type', '=', 'out_invoice'],
    ['state', '=', 'posted'],
    ['payment_state', 'in', ['not_paid', 'partial']],
  ];
  const moves = (await executeKw(erpUrl, 'account.move', 'search_read', [domain], {
    fields: ['partner_id', 'currency_id', 'amount_residual'],
    order: 'id',
  })) as XmlRpcStruct[];
  const partners = (await executeKw(erpUrl, 'res.partner', 'search_read', [[['ref', '!=', false]]], { fields: ['ref'] })) as XmlRpcStruct[];
  const refOf = new Map(partners.map((p) => [Number(p.id), String(p.ref)]));
  return moves.flatMap((move) => {
    const companyId = refOf.get(relId(move.partner_id));
    return companyId
      ? [{ invoiceId: String(move.id), companyId, currency: name(move.currency_id) as CurrencyCode, residual: minor(move.amount_residual) }]
      : [];
  });
}

/** Both sandboxes over one seed world (scale 0.05 by default: 50 companies, about 400 invoices). */
export async function startMoneySandboxes(options: { scale?: string; paymentsEnv?: Record<string, string> } = {}): Promise<MoneySandboxes> {
  const dir = mkdtempSync(join(tmpdir(), 'payments-money-'));
  const scale = options.scale ?? '0.05';
  const erp = await createErpSandbox(readErpSandboxConfig({ SANDBOX_DATA_DIR: join(dir, 'erp'), SANDBOX_SCALE: scale, ERP_SANDBOX_PORT: '0' }));
  const erpUrl = await erp.listen(0);
  const payments = await createPaymentsSandbox(
    readPaymentsSandboxConfig({
      SANDBOX_DATA_DIR: join(dir, 'payments'),
      SANDBOX_SCALE: scale,
      PAYMENTS_SANDBOX_PORT: '0',
      // The ERP reconciles invoices from the provider's webhooks, as in the stack.
      PAYMENTS_SANDBOX_WEBHOOK_URLS: `${erpUrl}/payment/stripe/webhook`,
      ...options.paymentsEnv,
    }),
  );
  const paymentsUrl = await payments.listen(0);
  const pool = await readOpenInvoices(erpUrl);
  return {
    payments,
    erp,
    paymentsUrl,
    erpUrl,
    takeInvoice(accept = () => true) {
      const index = pool.findIndex(accept);
      if (index < 0) throw new Error('no open invoice left that the test accepts');
      return pool.splice(index, 1)[0]!;
    },
    async invoice(invoiceId) {
      const [move] = (await executeKw(erpUrl, 'account.move', 'read', [[Number(invoiceId)]], {
        fields: ['amount_residual', 'amount_total', 'payment_state'],
      })) as XmlRpcStruct[];
      return { residual: minor(move!.amount_residual), total: minor(move!.amount_total), paymentState: String(move!.payment_state) };
    },
    async close() {
      await payments.close();
      await erp.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
