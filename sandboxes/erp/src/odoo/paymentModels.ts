/**
 * payment.transaction: what Odoo's payment module keeps per payment made through a
 * provider (one per Stripe payment intent), linked to the invoices it pays. The sandbox
 * writes one when it reconciles a `payment_intent.succeeded` event (stripe/StripeReconciler.ts),
 * so a client can ask the ERP which of the provider's payments it has already applied to
 * an invoice, as it would ask Odoo: search_read on `provider_reference`.
 */
import { text } from './baseModels.js';
import type { ModelDef } from './Registry.js';

export const paymentTransaction: ModelDef = {
  name: 'payment.transaction',
  description: 'Payment Transaction',
  order: 'id desc',
  nameSearchFields: ['reference', 'provider_reference'],
  fields: {
    reference: { type: 'char', string: 'Reference', required: true, index: true },
    provider_reference: { type: 'char', string: 'Provider Reference', index: true },
    provider_code: { type: 'selection', string: 'Provider Code', selection: [['stripe', 'Stripe']] },
    state: {
      type: 'selection',
      string: 'Status',
      required: true,
      selection: [
        ['draft', 'Draft'],
        ['pending', 'Pending'],
        ['authorized', 'Authorized'],
        ['done', 'Confirmed'],
        ['cancel', 'Canceled'],
        ['error', 'Error'],
      ],
    },
    amount: { type: 'monetary', string: 'Amount', minorUnits: true },
    currency_id: { type: 'many2one', string: 'Currency', relation: 'res.currency' },
    partner_id: { type: 'many2one', string: 'Customer', relation: 'res.partner', index: true },
    // Odoo keeps this many2many in a relation table; the sandbox's transactions each pay one invoice, kept as _invoice_id.
    invoice_ids: {
      type: 'many2many',
      string: 'Invoices',
      relation: 'account.move',
      readonly: true,
      compute: (doc) => (typeof doc._invoice_id === 'number' ? [doc._invoice_id] : []),
    },
  },
  displayName: (doc) => text(doc.reference),
};
