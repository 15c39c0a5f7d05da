/**
 * The ERP sandbox's invoices as a client reads them over XML-RPC (Odoo's execute_kw), for
 * tests that pay them through the gateway: the open ones with their company, and one
 * invoice's residual and payment state.
 */
import { numberOf, parseMethodResponse, serializeMethodCall, type XmlRpcStruct, type XmlRpcValue } from '../../lib/xmlrpc/index.js';

export interface ErpInvoice {
  invoiceId: string;
  /** The CRM company id of the invoice's partner. */
  companyId: string;
  currency: string;
  /** Left to pay, in minor units. */
  residual: number;
}

export async function erpExecuteKw(
  erpUrl: string,
  model: string,
  method: string,
  args: XmlRpcValue[],
  kwargs: Record<string, XmlRpcValue>,
): Promise<XmlRpcValue> {
  const body = serializeMethodCall('execute_kw', ['sandbox', 2, 'admin', model, method, args, kwargs]);
  const response = await fetch(`${erpUrl}/xmlrpc/2/object`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body });
  const parsed = parseMethodResponse(await response.text());
  if (parsed.kind === 'fault') throw new Error(`ERP fault: ${parsed.faultString}`);
  return parsed.value;
}

const minor = (value: XmlRpcValue | undefined): number => Math.round((numberOf(value as XmlRpcValue) ?? Number.NaN) * 100);

/** Customer invoices in one of these payment states (default: not paid at all), oldest first. */
export async function erpInvoices(erpUrl: string, paymentStates: readonly string[] = ['not_paid']): Promise<ErpInvoice[]> {
  const domain = [
    ['move_type', '=', 'out_invoice'],
    ['state', '=', 'posted'],
    ['payment_state', 'in', [...paymentStates]],
  ];
  const moves = (await erpExecuteKw(erpUrl, 'account.move', 'search_read', [domain], {
    fields: ['partner_id', 'currency_id', 'amount_residual'],
    order: 'id',
  })) as XmlRpcStruct[];
  const partners = (await erpExecuteKw(erpUrl, 'res.partner', 'search_read', [[['ref', '!=', false]]], { fields: ['ref'] })) as XmlRpcStruct[];
  const refOf = new Map(partners.map((p) => [Number(p.id), String(p.ref)]));
  return moves
    .map((m) => ({
      invoiceId: String(m.id),
      companyId: refOf.get(Number((m.partner_id as XmlRpcValue[])[0])) ?? '',
      currency: String((m.currency_id as XmlRpcValue[])[1]),
      residual: minor(m.amount_residual),
    }))
    .filter((invoice) => invoice.companyId !== '');
}

/** One invoice's residual (minor units) and payment state, as the ERP has them now. */
export async function erpInvoiceState(erpUrl: string, invoiceId: string): Promise<{ residual: number; paymentState: string }> {
  const [move] = (await erpExecuteKw(erpUrl, 'account.move', 'read', [[Number(invoiceId)]], {
    fields: ['amount_residual', 'payment_state'],
  })) as XmlRpcStruct[];
  return { residual: minor(move!.amount_residual), paymentState: String(move!.payment_state) };
}
