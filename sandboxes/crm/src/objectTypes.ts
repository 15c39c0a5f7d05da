/**
 * The three HubSpot object types the sandbox serves, and the part of each one's property
 * schema it knows: which names exist (anything else is PROPERTY_DOESNT_EXIST on write),
 * their types (for search comparisons and write validation), which are read-only, and the
 * small default set HubSpot returns when a client names no properties.
 *
 * Defaults and search properties are HubSpot's, from "Search the CRM"
 * (developers.hubspot.com/docs/api-reference/latest/crm/search-the-crm).
 */

export type ObjectTypeName = 'companies' | 'contacts' | 'deals';

export type PropertyType = 'string' | 'number' | 'datetime' | 'enumeration';

export interface PropertyDef {
  type: PropertyType;
  /** Computed by HubSpot; a client write is READ_ONLY_VALUE. */
  readOnly?: boolean;
  /** Whole numbers only (INVALID_LONG on write otherwise). */
  integer?: boolean;
  /** Allowed values of an enumeration that HubSpot ships with fixed options. */
  options?: readonly string[];
}

export interface ObjectTypeDef {
  name: ObjectTypeName;
  /** HubSpot's object type id (`0-2` for companies), accepted wherever a name is. */
  typeId: string;
  /** The singular, as HubSpot spells it in association type names and messages. */
  singular: 'company' | 'contact' | 'deal';
  properties: ReadonlyMap<string, PropertyDef>;
  /** Returned when a request names no properties. */
  defaultProperties: readonly string[];
  /** Returned beside whatever a request names, as HubSpot always adds them. */
  alwaysProperties: readonly string[];
  /** Matched by a search's free-text `query`. */
  queryProperties: readonly string[];
  /** Properties a client may name as `idProperty` (unique-value properties). */
  idProperties: readonly string[];
}

/** HubSpot's default lifecycle stages (internal values). */
const LIFECYCLE_STAGES = ['subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'customer', 'evangelist', 'other'] as const;
/** The stages of HubSpot's default sales pipeline. */
const DEAL_STAGES = [
  'appointmentscheduled',
  'qualifiedtobuy',
  'presentationscheduled',
  'decisionmakerboughtin',
  'contractsent',
  'closedwon',
  'closedlost',
] as const;

const str: PropertyDef = { type: 'string' };
const int: PropertyDef = { type: 'number', integer: true };
const decimal: PropertyDef = { type: 'number' };
const datetime: PropertyDef = { type: 'datetime' };
const readOnlyDatetime: PropertyDef = { type: 'datetime', readOnly: true };
const objectId: PropertyDef = { type: 'number', integer: true, readOnly: true };

const companies: ObjectTypeDef = {
  name: 'companies',
  typeId: '0-2',
  singular: 'company',
  properties: new Map<string, PropertyDef>([
    ['hs_object_id', objectId],
    ['createdate', readOnlyDatetime],
    ['hs_lastmodifieddate', readOnlyDatetime],
    ['name', str],
    ['domain', str],
    ['website', str],
    ['industry', { type: 'enumeration' }],
    ['city', str],
    ['state', str],
    ['zip', str],
    ['address', str],
    ['country', str],
    ['phone', str],
    ['description', str],
    ['lifecyclestage', { type: 'enumeration', options: LIFECYCLE_STAGES }],
    ['numberofemployees', int],
    ['annualrevenue', decimal],
    ['hubspot_owner_id', { type: 'enumeration' }],
    // A custom property (HubSpot has no default one for a company's currency).
    ['company_currency', { type: 'enumeration' }],
  ]),
  defaultProperties: ['createdate', 'domain', 'hs_lastmodifieddate', 'hs_object_id', 'name'],
  alwaysProperties: ['createdate', 'hs_lastmodifieddate', 'hs_object_id'],
  queryProperties: ['website', 'phone', 'name', 'domain'],
  idProperties: ['hs_object_id'],
};

const contacts: ObjectTypeDef = {
  name: 'contacts',
  typeId: '0-1',
  singular: 'contact',
  properties: new Map<string, PropertyDef>([
    ['hs_object_id', objectId],
    ['createdate', readOnlyDatetime],
    // Contacts carry `lastmodifieddate`; `hs_lastmodifieddate` is kept beside it for clients
    // that ask for the name the other objects use.
    ['lastmodifieddate', readOnlyDatetime],
    ['hs_lastmodifieddate', readOnlyDatetime],
    ['firstname', str],
    ['lastname', str],
    ['email', str],
    ['phone', str],
    ['mobilephone', str],
    ['jobtitle', str],
    ['company', str],
    ['website', str],
    ['address', str],
    ['city', str],
    ['state', str],
    ['zip', str],
    ['country', str],
    ['lifecyclestage', { type: 'enumeration', options: LIFECYCLE_STAGES }],
    ['hs_lead_status', { type: 'enumeration' }],
    ['hubspot_owner_id', { type: 'enumeration' }],
    // The primary company: writing it moves the contact's company association.
    ['associatedcompanyid', int],
  ]),
  defaultProperties: ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'],
  alwaysProperties: ['createdate', 'hs_object_id', 'lastmodifieddate'],
  queryProperties: ['firstname', 'lastname', 'email', 'phone', 'mobilephone', 'company'],
  idProperties: ['hs_object_id', 'email'],
};

const deals: ObjectTypeDef = {
  name: 'deals',
  typeId: '0-3',
  singular: 'deal',
  properties: new Map<string, PropertyDef>([
    ['hs_object_id', objectId],
    ['createdate', readOnlyDatetime],
    ['hs_lastmodifieddate', readOnlyDatetime],
    ['dealname', str],
    ['amount', decimal],
    ['deal_currency_code', { type: 'enumeration' }],
    ['dealstage', { type: 'enumeration', options: DEAL_STAGES }],
    ['pipeline', { type: 'enumeration', options: ['default'] }],
    ['closedate', datetime],
    ['dealtype', { type: 'enumeration', options: ['newbusiness', 'existingbusiness'] }],
    ['description', str],
    ['hubspot_owner_id', { type: 'enumeration' }],
  ]),
  defaultProperties: ['amount', 'closedate', 'createdate', 'dealname', 'dealstage', 'hs_lastmodifieddate', 'hs_object_id', 'pipeline'],
  alwaysProperties: ['createdate', 'hs_lastmodifieddate', 'hs_object_id'],
  queryProperties: ['dealname', 'pipeline', 'dealstage', 'description', 'dealtype'],
  idProperties: ['hs_object_id'],
};

export const OBJECT_TYPES: Readonly<Record<ObjectTypeName, ObjectTypeDef>> = { companies, contacts, deals };

const ALIASES = new Map<string, ObjectTypeDef>();
for (const def of Object.values(OBJECT_TYPES)) {
  for (const alias of [def.name, def.singular, def.typeId]) ALIASES.set(alias, def);
}

/**
 * Resolves a path segment as HubSpot does: plural or singular name, or the object type id,
 * in any case. Undefined for anything else ("Unable to infer object type from: …").
 */
export function resolveObjectType(segment: string): ObjectTypeDef | undefined {
  return ALIASES.get(segment.toLowerCase());
}
