/**
 * How a CRM record is stored, and how its HubSpot property values are read from it.
 *
 * The stored document keeps only what a client can write (as HubSpot keeps every value: a
 * string) plus the facts HubSpot computes from: timestamps and the primary company. The
 * computed properties (`hs_object_id`, `createdate`, `hs_lastmodifieddate`,
 * `associatedcompanyid`) are derived on read, so they can never disagree with the record.
 */
import type { ObjectTypeDef } from './objectTypes.js';

export interface CrmRecord {
  /** HubSpot's numeric record id, as a string. */
  id: string;
  /** Writable property values; '' means "no value", as HubSpot clears a property. */
  properties: Record<string, string>;
  /** ms since epoch. */
  createdAt: number;
  updatedAt: number;
  /** Contacts and deals: the primary company's id (the company association); else null. */
  companyId: string | null;
}

/** HubSpot's datetime format: ISO 8601 in UTC with milliseconds. */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * A HubSpot amount string from minor units: 150000 -> "1500.00". Integer arithmetic
 * only, so no float ever touches money.
 */
export function formatAmount(minor: number): string {
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  return `${sign}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** The value HubSpot would show for `name`, or null when the record has none. */
export function propertyValue(type: ObjectTypeDef, record: CrmRecord, name: string): string | null {
  switch (name) {
    case 'hs_object_id':
      return record.id;
    case 'createdate':
      return isoDate(record.createdAt);
    case 'hs_lastmodifieddate':
      return isoDate(record.updatedAt);
    case 'lastmodifieddate':
      return type.name === 'contacts' ? isoDate(record.updatedAt) : null;
    case 'associatedcompanyid':
      return type.name === 'contacts' ? record.companyId : null;
    default: {
      const value = record.properties[name];
      return value === undefined || value === '' ? null : value;
    }
  }
}

/**
 * The `properties` object of a response, keys in HubSpot's (alphabetical) order. Requested
 * names the type knows are present, null when empty; unknown names are left out, as HubSpot
 * ignores them; the id and the two timestamps are always there.
 */
export function selectProperties(type: ObjectTypeDef, record: CrmRecord, names: readonly string[] | null): Record<string, string | null> {
  const wanted = names === null ? type.defaultProperties : [...type.alwaysProperties, ...names];
  const out: Record<string, string | null> = {};
  for (const name of [...new Set(wanted)].sort()) {
    if (type.properties.has(name)) out[name] = propertyValue(type, record, name);
  }
  return out;
}

/** A record in HubSpot's SimplePublicObject shape. */
export interface PublicObject {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
  archived: false;
  associations?: Record<string, { results: Array<{ id: string; type: string }> }>;
}

export function toPublicObject(type: ObjectTypeDef, record: CrmRecord, names: readonly string[] | null): PublicObject {
  return {
    id: record.id,
    properties: selectProperties(type, record, names),
    createdAt: isoDate(record.createdAt),
    updatedAt: isoDate(record.updatedAt),
    archived: false,
  };
}
