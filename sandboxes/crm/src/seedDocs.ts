/**
 * The CRM's part of the seed world, in the shape the store keeps: companies, contacts and
 * deals with HubSpot's property names and string values. Amounts become decimal strings in
 * currency units ("1500.00"), as HubSpot sends them; the seed holds minor units.
 */
import type { World } from '../../kit/src/index.js';
import { formatAmount, isoDate, type CrmRecord } from './records.js';

export interface CrmSeed {
  companies: CrmRecord[];
  contacts: CrmRecord[];
  deals: CrmRecord[];
}

export function seedDocs(world: World): CrmSeed {
  const companies = world.companies.map((c): CrmRecord => ({
    id: c.crmId,
    properties: {
      name: c.name,
      domain: c.domain,
      website: `https://${c.domain}`,
      industry: c.industry,
      city: c.city,
      country: c.country,
      phone: c.phone,
      lifecyclestage: c.lifecycleStage,
      numberofemployees: String(c.numberOfEmployees),
      annualrevenue: String(c.annualRevenue),
      hubspot_owner_id: c.ownerId,
      company_currency: c.currency,
    },
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    companyId: null,
  }));

  const companyOf = (index: number) => world.companies[index]!;

  const contacts = world.contacts.map((c): CrmRecord => ({
    id: c.crmId,
    properties: {
      firstname: c.firstName,
      lastname: c.lastName,
      email: c.email,
      phone: c.phone,
      jobtitle: c.jobTitle,
      lifecyclestage: c.lifecycleStage,
      company: companyOf(c.companyIndex).name,
    },
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    companyId: companyOf(c.companyIndex).crmId,
  }));

  const deals = world.deals.map((d): CrmRecord => ({
    id: d.crmId,
    properties: {
      dealname: d.name,
      amount: formatAmount(d.amountMinor),
      deal_currency_code: companyOf(d.companyIndex).currency,
      dealstage: d.stage,
      pipeline: d.pipeline,
      closedate: isoDate(d.closeDate),
    },
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    companyId: companyOf(d.companyIndex).crmId,
  }));

  return { companies, contacts, deals };
}
