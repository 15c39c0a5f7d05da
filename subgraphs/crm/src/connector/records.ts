/**
 * HubSpot's wire shapes (SimplePublicObject, search and batch responses, v4 association
 * results) and their parsing into the connector's records. Every response is checked
 * before use: a body that is not what HubSpot documents is a BACKEND_ERROR naming what
 * was wrong, never an `undefined` that surfaces three resolvers later.
 */
import { BackendError } from '../../../kit/src/index.js';
import type { CompanyRecord, ContactRecord, DealRecord } from '../models.js';

/** HubSpot's SimplePublicObject: every property value is a string or null. */
export interface HubSpotObject {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
}

/** The properties each type is read with; HubSpot returns only the ones a request names. */
export const CONTACT_PROPERTIES = ['firstname', 'lastname', 'email', 'phone', 'jobtitle', 'associatedcompanyid'] as const;
export const DEAL_PROPERTIES = ['dealname', 'amount', 'deal_currency_code', 'dealstage', 'closedate'] as const;
export function companyProperties(currencyProperty: string): string[] {
  return ['name', 'domain', 'industry', 'phone', 'city', 'country', 'lifecyclestage', 'numberofemployees', 'hubspot_owner_id', currencyProperty];
}

export function malformed(what: string): BackendError {
  return new BackendError('BACKEND_ERROR', `The CRM sent a response this service cannot read: ${what}`, { backend: 'crm', retryable: false });
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A HubSpot timestamp (ISO 8601, or ms since epoch as some properties hold) as ISO in UTC. */
export function toIsoDate(value: string | null | undefined): string | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  const ms = /^-?\d+$/.test(value.trim()) ? Number(value) : Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

export function readObject(value: unknown): HubSpotObject {
  if (!isObject(value) || (typeof value.id !== 'string' && typeof value.id !== 'number') || !isObject(value.properties)) {
    throw malformed('a record without an id or properties');
  }
  const properties: Record<string, string | null> = {};
  for (const [name, raw] of Object.entries(value.properties)) {
    properties[name] = typeof raw === 'string' ? raw : raw === null || raw === undefined ? null : String(raw);
  }
  const createdAt = toIsoDate(typeof value.createdAt === 'string' ? value.createdAt : properties.createdate);
  const updatedAt = toIsoDate(typeof value.updatedAt === 'string' ? value.updatedAt : properties.hs_lastmodifieddate);
  if (createdAt === null || updatedAt === null) throw malformed(`record ${String(value.id)} has no readable createdAt/updatedAt`);
  return { id: String(value.id), properties, createdAt, updatedAt };
}

/** `results` of a batch, list or search response. */
export function readResults(body: unknown): HubSpotObject[] {
  if (!isObject(body) || !Array.isArray(body.results)) throw malformed('no results list');
  return body.results.map(readObject);
}

/** `paging.next.after` of a list or search response, or null on the last page. */
export function readNextAfter(body: unknown): string | null {
  if (!isObject(body) || !isObject(body.paging) || !isObject(body.paging.next)) return null;
  const after = body.paging.next.after;
  return typeof after === 'string' || typeof after === 'number' ? String(after) : null;
}

/** A property value with HubSpot's "no value" ('' or null) as null. */
function text(object: HubSpotObject, name: string): string | null {
  const value = object.properties[name];
  return value === undefined || value === null || value.trim() === '' ? null : value;
}

function integer(object: HubSpotObject, name: string): number | null {
  const value = text(object, name);
  if (value === null || !/^-?\d+(\.0+)?$/.test(value.trim())) return null;
  const n = Number.parseInt(value, 10);
  return Number.isSafeInteger(n) ? n : null;
}

export function toCompany(object: HubSpotObject, currencyProperty: string, defaultCurrency: string): CompanyRecord {
  return {
    id: object.id,
    name: text(object, 'name'),
    domain: text(object, 'domain'),
    industry: text(object, 'industry'),
    phone: text(object, 'phone'),
    city: text(object, 'city'),
    country: text(object, 'country'),
    lifecycleStage: text(object, 'lifecyclestage'),
    numberOfEmployees: integer(object, 'numberofemployees'),
    currency: text(object, currencyProperty)?.trim().toUpperCase() ?? defaultCurrency,
    ownerId: text(object, 'hubspot_owner_id'),
    createdAt: object.createdAt,
    updatedAt: object.updatedAt,
  };
}

export function toContact(object: HubSpotObject): ContactRecord {
  return {
    id: object.id,
    firstName: text(object, 'firstname'),
    lastName: text(object, 'lastname'),
    email: text(object, 'email'),
    phone: text(object, 'phone'),
    jobTitle: text(object, 'jobtitle'),
    companyId: text(object, 'associatedcompanyid'),
    createdAt: object.createdAt,
  };
}

export function toDeal(object: HubSpotObject): DealRecord {
  return {
    id: object.id,
    name: text(object, 'dealname'),
    amount: text(object, 'amount'),
    currency: text(object, 'deal_currency_code')?.trim().toUpperCase() ?? null,
    stage: text(object, 'dealstage'),
    closeDate: toIsoDate(text(object, 'closedate')),
    createdAt: object.createdAt,
  };
}

/**
 * The `results` of a v4 association batch read: the associated ids per input id. Inputs
 * with no association come back as NO_ASSOCIATIONS_FOUND errors in a 207; they are simply
 * absent here. `truncated` names inputs whose list HubSpot paged (more than it returns at once).
 */
export function readAssociations(body: unknown): { byId: Map<string, string[]>; truncated: string[] } {
  if (!isObject(body) || !Array.isArray(body.results)) throw malformed('association results without a results list');
  const byId = new Map<string, string[]>();
  const truncated: string[] = [];
  for (const result of body.results) {
    if (!isObject(result) || !isObject(result.from) || !Array.isArray(result.to)) throw malformed('an association result without from/to');
    const from = String(result.from.id);
    const ids = byId.get(from) ?? [];
    for (const to of result.to) {
      if (!isObject(to) || (typeof to.toObjectId !== 'number' && typeof to.toObjectId !== 'string')) throw malformed('an association without toObjectId');
      ids.push(String(to.toObjectId));
    }
    byId.set(from, ids);
    if (readNextAfter(result) !== null) truncated.push(from);
  }
  return { byId, truncated };
}
