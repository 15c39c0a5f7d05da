/**
 * Which graph entities a Stripe event changed, for the gateway's caches. The payment
 * intent is the Payment; its metadata names the ERP invoice it pays (erp_invoice_id) and
 * the CRM company paying (crm_company_id), which are the Invoice and Customer whose
 * payments lists changed. Charges carry their intent's id and metadata; refunds their
 * intent's id. A customer event names the Customer by its metadata.
 *
 * Not mapped: payment_method.attached/detached name only the Stripe customer (cus_…),
 * and finding its CRM company would cost a call per event; a customer's saved cards stay
 * cached until their TTL (30 s).
 */
import type Stripe from 'stripe';
import type { ChangedEntity } from '../../../kit/src/index.js';

type Metadata = Record<string, string> | null | undefined;

const idOf = (value: unknown): string | undefined =>
  typeof value === 'string'
    ? value
    : typeof value === 'object' && value !== null && typeof (value as { id?: unknown }).id === 'string'
      ? (value as { id: string }).id
      : undefined;

function fromMetadata(metadata: Metadata): ChangedEntity[] {
  const entities: ChangedEntity[] = [];
  if (metadata?.erp_invoice_id) entities.push({ __typename: 'Invoice', id: metadata.erp_invoice_id });
  if (metadata?.crm_company_id) entities.push({ __typename: 'Customer', id: metadata.crm_company_id });
  return entities;
}

export function entitiesChangedBy(event: Stripe.Event): ChangedEntity[] {
  const object = event.data.object as { object?: string; id?: string; payment_intent?: unknown; metadata?: Metadata };
  const payment = (id: string | undefined): ChangedEntity[] => (id ? [{ __typename: 'Payment', id }] : []);
  switch (object.object) {
    case 'payment_intent':
      return [...payment(object.id), ...fromMetadata(object.metadata)];
    case 'charge':
    case 'refund':
      return [...payment(idOf(object.payment_intent)), ...fromMetadata(object.metadata)];
    case 'customer':
      return fromMetadata(object.metadata).filter((entity) => entity.__typename === 'Customer');
    default:
      return [];
  }
}
