/**
 * The values resolvers pass between each other (codegen's mappers for Customer, Contact
 * and Deal): HubSpot records as the connector parses them. They keep HubSpot's own values
 * (a lifecycle stage is "salesqualifiedlead", an amount is "1500.00"); turning those into
 * the graph's enums and Money is the resolvers' job, so each rule lives in one place.
 */

/** The currencies the graph's CurrencyCode enum knows. */
export const CURRENCY_CODES = ['USD', 'EUR', 'GBP'] as const;
export type CurrencyCode = (typeof CURRENCY_CODES)[number];

export function isCurrencyCode(value: string | null | undefined): value is CurrencyCode {
  return (CURRENCY_CODES as readonly (string | null | undefined)[]).includes(value);
}

/** A HubSpot company: the graph's Customer. */
export interface CompanyRecord {
  id: string;
  name: string | null;
  domain: string | null;
  industry: string | null;
  phone: string | null;
  city: string | null;
  country: string | null;
  /** HubSpot's internal lifecycle stage value, e.g. "salesqualifiedlead". */
  lifecycleStage: string | null;
  numberOfEmployees: number | null;
  /** ISO code from the portal's currency property, or the configured default when empty. */
  currency: string;
  ownerId: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A HubSpot contact. */
export interface ContactRecord {
  id: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  jobTitle: string | null;
  /** The primary company (HubSpot's `associatedcompanyid`). */
  companyId: string | null;
  createdAt: string;
}

/** A HubSpot deal. */
export interface DealRecord {
  id: string;
  name: string | null;
  /** HubSpot's decimal string in currency units, e.g. "1500.00"; null when empty. */
  amount: string | null;
  /** The deal's own currency (`deal_currency_code`), when the portal records one. */
  currency: string | null;
  /** HubSpot's internal stage id, e.g. "closedwon". */
  stage: string | null;
  closeDate: string | null;
  createdAt: string;
}

export type CustomerModel = CompanyRecord;
export type ContactModel = ContactRecord;

/** A deal with the currency of the customer it was reached through, for deals that name none. */
export interface DealModel extends DealRecord {
  customerCurrency: string;
}
