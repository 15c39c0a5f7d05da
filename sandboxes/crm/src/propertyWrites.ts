/**
 * Validation of the `properties` of a create or update, as HubSpot does it: every value
 * becomes a string, and each refused property is reported in one 400 ("Property values
 * were not valid") naming all of them, not only the first.
 */
import { invalidJson, invalidProperties, validationError, type PropertyProblem } from './errors.js';
import { isRecord, type Parsed } from './http.js';
import type { ObjectTypeDef, PropertyDef } from './objectTypes.js';
import { isoDate } from './records.js';

export interface PropertyWrite {
  /** Stored property values ('' clears one). */
  changes: Record<string, string>;
  /** Contacts: a new primary company from `associatedcompanyid` ('' clears it); else undefined. */
  companyId?: string | null;
}

const INTEGER = /^-?\d+$/;
const DECIMAL = /^-?\d+(\.\d+)?$/;

/** A datetime as HubSpot accepts it (ms since epoch, or an ISO 8601 date), stored as ISO. */
function normalizeDatetime(value: string): string | null {
  const ms = INTEGER.test(value) ? Number(value) : Date.parse(value);
  return Number.isFinite(ms) ? isoDate(ms) : null;
}

function check(name: string, def: PropertyDef | undefined, value: string): PropertyProblem | string {
  if (!def) return { name, error: 'PROPERTY_DOESNT_EXIST', message: `Property "${name}" does not exist` };
  if (def.readOnly) return { name, error: 'READ_ONLY_VALUE', message: `"${name}" is a read only property; its value cannot be set.` };
  if (value === '') return value;
  if (def.type === 'enumeration' && def.options && !def.options.includes(value)) {
    return { name, error: 'INVALID_OPTION', message: `${value} was not one of the allowed options: [${def.options.join(', ')}]` };
  }
  if (def.type === 'number' && def.integer && !INTEGER.test(value)) {
    return { name, error: 'INVALID_LONG', message: `${value} was not a valid long.` };
  }
  if (def.type === 'number' && !DECIMAL.test(value)) {
    return { name, error: 'INVALID_DECIMAL', message: `${value} was not a valid decimal.` };
  }
  if (def.type === 'datetime') {
    return normalizeDatetime(value) ?? { name, error: 'INVALID_LONG', message: `${value} was not a valid long.` };
  }
  return value;
}

/** Reads `{properties: {...}}` from a create or update body. */
export function readPropertyWrite(type: ObjectTypeDef, body: unknown): Parsed<PropertyWrite> {
  if (!isRecord(body)) {
    return { ok: false, response: invalidJson(1, 1, 'Cannot deserialize value of type `SimplePublicObjectInput` from non-object value') };
  }
  const input = body.properties;
  if (input === undefined || input === null) {
    return { ok: false, response: validationError('Invalid input JSON on line 1, column 2. Some required fields were not set: [properties]') };
  }
  if (!isRecord(input)) {
    return {
      ok: false,
      response: invalidJson(1, 1, 'Cannot deserialize value of type `java.util.HashMap<java.lang.String,java.lang.String>` from non-object value'),
    };
  }
  const changes: Record<string, string> = {};
  const problems: PropertyProblem[] = [];
  for (const [name, raw] of Object.entries(input)) {
    if (raw !== null && typeof raw === 'object') {
      return {
        ok: false,
        response: invalidJson(
          1,
          1,
          `Cannot deserialize value of type \`java.lang.String\` from ${Array.isArray(raw) ? 'Array' : 'Object'} value (property "${name}")`,
        ),
      };
    }
    const result = check(name, type.properties.get(name), raw === null ? '' : String(raw));
    if (typeof result === 'string') changes[name] = result;
    else problems.push(result);
  }
  if (problems.length > 0) return { ok: false, response: invalidProperties(problems) };

  const write: PropertyWrite = { changes };
  if (type.name === 'contacts' && 'associatedcompanyid' in changes) {
    const companyId = changes.associatedcompanyid!;
    delete changes.associatedcompanyid;
    write.companyId = companyId === '' ? null : companyId;
  }
  return { ok: true, value: write };
}
