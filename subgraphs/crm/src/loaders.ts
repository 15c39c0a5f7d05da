/**
 * The request's DataLoaders: every lookup a query makes, however many entities the
 * gateway sends in one `_entities` request, becomes one backend call per kind of lookup.
 *
 * Backend calls for one batch of N ≤ 100 customers (C contacts and D deals in all):
 *   companyById          1                        companies batch read (100 ids per call)
 *   contactsByCompanyId  ceil(max(C, 1) / 200)    contacts search, associatedcompanyid IN [N ids]
 *   dealsByCompanyId     1 + ceil(D / 100)        v4 company→deal associations, then deals batch read
 * At the seed's density (about 3 contacts and 1.5 deals per company) that is 1 + 1 + 2 = 4
 * calls for any N up to 50: C stays under 200 and D under 100. Past 100 customers each
 * further 100 add the same again.
 *
 * Batch functions answer one value per key, in key order: a company HubSpot does not know
 * is null (Query.customer and _entities answer null), a company without contacts or deals
 * has an empty list.
 */
import DataLoader from 'dataloader';
import { tracedBatch } from '../../kit/src/index.js';
import type { HubSpotCrmConnector } from './connector/HubSpotCrmConnector.js';
import type { CompanyRecord, ContactRecord, DealRecord } from './models.js';

export interface CrmLoaders {
  companyById: DataLoader<string, CompanyRecord | null>;
  contactsByCompanyId: DataLoader<string, ContactRecord[]>;
  dealsByCompanyId: DataLoader<string, DealRecord[]>;
}

/** HubSpot record ids are numbers; anything else cannot name a record and is never sent. */
export function isRecordId(id: string): boolean {
  return /^\d{1,20}$/.test(id);
}

const byNumericId = (a: { id: string }, b: { id: string }): number => a.id.length - b.id.length || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Deals in the order the CRM created them; the id breaks ties. */
const byCreation = (a: DealRecord, b: DealRecord): number => a.createdAt.localeCompare(b.createdAt) || byNumericId(a, b);

export function createLoaders(connector: HubSpotCrmConnector): CrmLoaders {
  return {
    companyById: new DataLoader<string, CompanyRecord | null>(
      tracedBatch('companyById', async (ids) => {
        const valid = ids.filter(isRecordId);
        const found = valid.length > 0 ? await connector.getCompanies(valid) : new Map<string, CompanyRecord>();
        return ids.map((id) => found.get(id) ?? null);
      }),
      { maxBatchSize: 100 },
    ),
    contactsByCompanyId: new DataLoader<string, ContactRecord[]>(
      tracedBatch('contactsByCompanyId', async (companyIds) => {
        const valid = companyIds.filter(isRecordId);
        const found = valid.length > 0 ? await connector.contactsOfCompanies(valid) : new Map<string, ContactRecord[]>();
        return companyIds.map((id) => [...(found.get(id) ?? [])].sort(byNumericId));
      }),
      // 100 company ids keep the search body far below HubSpot's 3,000 characters.
      { maxBatchSize: 100 },
    ),
    dealsByCompanyId: new DataLoader<string, DealRecord[]>(
      tracedBatch('dealsByCompanyId', async (companyIds) => {
        const valid = companyIds.filter(isRecordId);
        const found = valid.length > 0 ? await connector.dealsOfCompanies(valid) : new Map<string, DealRecord[]>();
        return companyIds.map((id) => [...(found.get(id) ?? [])].sort(byCreation));
      }),
      { maxBatchSize: 100 },
    ),
  };
}
