/**
 * The payment provider's part of the seed world, as sandbox records: one customer per
 * company (metadata.crm_company_id), its cards, every payment attempt against an invoice
 * as a payment intent (metadata.erp_invoice_id / erp_invoice_name / crm_company_id) with
 * its charge, and the refunds. Ids come from the world; derived ids (charges, secrets)
 * are hashed from it, so the seed is the same on every machine.
 */
import { createHash } from 'node:crypto';
import { generateWorld, type Doc, type SeedOptions, type WorldCompany } from '../../kit/src/index.js';
import { derivedId, idSuffix } from './ids.js';
import type { ChargeRecord, CustomerRecord, PaymentIntentRecord, PaymentMethodRecord, RefundRecord } from './records.js';
import { declineMessage } from './testCards.js';

const seconds = (ms: number): number => Math.floor(ms / 1000);

const COUNTRY_CODES: Readonly<Record<string, string>> = {
  'United States': 'US',
  Canada: 'CA',
  Germany: 'DE',
  France: 'FR',
  Spain: 'ES',
  Netherlands: 'NL',
  'United Kingdom': 'GB',
};

function hex(from: string, length: number): string {
  return createHash('sha256').update(from).digest('hex').slice(0, length);
}

export function fingerprint(brand: string, last4: string, expYear: number): string {
  return derivedId('fp', `${brand}:${last4}:${expYear}`, 16).slice(3);
}

/** Collections to seed the store with, keyed by collection name. */
export function seedCollections(options: SeedOptions): Record<string, Doc[]> {
  const world = generateWorld(options);
  const companyOf = (index: number): WorldCompany => world.companies[index]!;

  const customers: CustomerRecord[] = [];
  const paymentMethods: PaymentMethodRecord[] = [];
  for (const customer of world.customers) {
    const company = companyOf(customer.companyIndex);
    customers.push({
      id: customer.id,
      created: seconds(customer.created),
      name: customer.name,
      email: customer.email,
      phone: company.phone,
      description: null,
      metadata: { crm_company_id: company.crmId },
      invoicePrefix: hex(customer.id, 8).toUpperCase(),
      defaultPaymentMethod: customer.paymentMethods[0]?.id ?? null,
      deleted: false,
    });
    for (const method of customer.paymentMethods) {
      paymentMethods.push({
        id: method.id,
        created: seconds(method.created),
        customer: customer.id,
        brand: method.brand,
        last4: method.last4,
        expMonth: method.expMonth,
        expYear: method.expYear,
        funding: 'credit',
        country: COUNTRY_CODES[company.country] ?? 'US',
        fingerprint: fingerprint(method.brand, method.last4, method.expYear),
        metadata: {},
        decline: null,
      });
    }
  }

  const paymentIntents: PaymentIntentRecord[] = [];
  const charges: ChargeRecord[] = [];
  const refunds: RefundRecord[] = [];
  for (const payment of world.payments) {
    const company = companyOf(payment.companyIndex);
    const created = seconds(payment.created);
    const chargeId = `ch_${idSuffix(payment.id)}`;
    const currency = payment.currency.toLowerCase();
    const description = `Payment for invoice ${payment.invoiceName}`;
    const metadata = { erp_invoice_id: String(payment.invoiceErpId), erp_invoice_name: payment.invoiceName, crm_company_id: company.crmId };
    const succeeded = payment.status === 'succeeded';
    const declineCode = payment.declineCode ?? 'generic_decline';
    const errorCode = declineCode === 'expired_card' ? 'expired_card' : 'card_declined';
    paymentIntents.push({
      id: payment.id,
      created,
      amount: payment.amountMinor,
      currency,
      customer: payment.customerId,
      paymentMethod: succeeded ? payment.paymentMethodId : null,
      description,
      receiptEmail: null,
      metadata,
      status: payment.status,
      amountReceived: succeeded ? payment.amountMinor : 0,
      latestCharge: chargeId,
      lastPaymentError: succeeded
        ? null
        : { code: errorCode, declineCode, message: declineMessage(declineCode), charge: chargeId, paymentMethod: payment.paymentMethodId },
      canceledAt: null,
      cancellationReason: null,
      clientSecret: `${payment.id}_secret_${derivedId('s', payment.id, 25).slice(2)}`,
      automaticPaymentMethods: { enabled: true, allowRedirects: 'always' },
      paymentMethodTypes: ['card'],
      statementDescriptor: null,
    });
    let amountRefunded = 0;
    for (const refund of payment.refunds) {
      amountRefunded += refund.amountMinor;
      refunds.push({
        id: refund.id,
        created: seconds(refund.created),
        amount: refund.amountMinor,
        currency,
        charge: chargeId,
        paymentIntent: payment.id,
        reason: 'requested_by_customer',
        metadata: {},
      });
    }
    charges.push({
      id: chargeId,
      created,
      amount: payment.amountMinor,
      amountRefunded,
      currency,
      customer: payment.customerId,
      paymentIntent: payment.id,
      paymentMethod: payment.paymentMethodId,
      status: succeeded ? 'succeeded' : 'failed',
      failure: succeeded ? null : { code: errorCode, declineCode, message: declineMessage(declineCode) },
      description,
      metadata,
    });
  }

  return { customers, payment_methods: paymentMethods, payment_intents: paymentIntents, charges, refunds };
}
