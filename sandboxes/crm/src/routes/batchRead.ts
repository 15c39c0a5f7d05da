/**
 * `POST /crm/v3/objects/{objectType}/batch/read`: up to 100 records by id (or by a
 * unique-value `idProperty`) in one call. Ids that match nothing do not fail the call:
 * HubSpot answers 207 with the records it found and one OBJECT_NOT_FOUND error naming
 * the missing ids.
 */
import type { SandboxRequest, SandboxResponse } from '../../../kit/src/index.js';
import { invalidJson, json, validationError } from '../errors.js';
import { isRecord, parseJsonBody } from '../http.js';
import type { ObjectTypeDef } from '../objectTypes.js';
import { isoDate, toPublicObject, type PublicObject } from '../records.js';
import type { CrmContext } from './context.js';
import { checkIdProperty } from './objects.js';

/** HubSpot's limit on inputs of the object batch endpoints. */
export const BATCH_MAX_INPUTS = 100;

function readIds(inputs: unknown): string[] | SandboxResponse {
  if (!Array.isArray(inputs)) {
    return inputs === undefined
      ? validationError('Invalid input JSON on line 1, column 2. Some required fields were not set: [inputs]')
      : invalidJson(1, 1, 'Cannot deserialize value of type `java.util.ArrayList<SimplePublicObjectId>` from non-array value (field "inputs")');
  }
  const ids: string[] = [];
  for (const input of inputs) {
    const id = isRecord(input) ? input.id : undefined;
    if (typeof id !== 'string' && typeof id !== 'number') {
      return validationError('Invalid input JSON on line 1, column 2. Some required fields were not set: [id]');
    }
    ids.push(String(id));
  }
  return ids;
}

function readPropertyNames(value: unknown): string[] | null | SandboxResponse {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value) || !value.every((name) => typeof name === 'string')) {
    return invalidJson(1, 1, 'Cannot deserialize value of type `java.util.ArrayList<java.lang.String>` (field "properties")');
  }
  // An empty list asks for nothing in particular, which HubSpot answers with the defaults.
  return value.length === 0 ? null : value;
}

export function batchRead(ctx: CrmContext, type: ObjectTypeDef, request: SandboxRequest): SandboxResponse {
  const startedAt = isoDate(Date.now());
  const body = parseJsonBody(request.body);
  if (!body.ok) return body.response;
  if (!isRecord(body.value)) return invalidJson(1, 1, 'Cannot deserialize value of type `BatchReadInputSimplePublicObjectId` from non-object value');

  const ids = readIds(body.value.inputs);
  if (!Array.isArray(ids)) return ids;
  if (ids.length > BATCH_MAX_INPUTS) {
    return validationError(
      `The maximum number of inputs supported in a batch request is ${BATCH_MAX_INPUTS}, got ${ids.length}. Please reduce the number of items and try again`,
      { context: { maxInputs: [String(BATCH_MAX_INPUTS)], inputs: [String(ids.length)] } },
    );
  }
  const properties = readPropertyNames(body.value.properties);
  if (properties !== null && !Array.isArray(properties)) return properties;
  const idProperty = typeof body.value.idProperty === 'string' && body.value.idProperty !== '' ? body.value.idProperty : null;
  const refused = checkIdProperty(type, idProperty);
  if (refused) return refused;

  const results: PublicObject[] = [];
  const missing: string[] = [];
  const seen = new Set<string>();
  for (const id of ids) {
    const record = ctx.data.getBy(type.name, idProperty ?? 'hs_object_id', id);
    if (!record) {
      if (!missing.includes(id)) missing.push(id);
    } else if (!seen.has(record.id)) {
      // HubSpot returns a record once, however often it was asked for.
      seen.add(record.id);
      results.push(toPublicObject(type, record, properties));
    }
  }
  const completedAt = isoDate(Date.now());
  if (missing.length === 0) return json(200, { status: 'COMPLETE', results, startedAt, completedAt });
  return json(207, {
    status: 'COMPLETE',
    results,
    numErrors: 1,
    errors: [
      {
        status: 'error',
        category: 'OBJECT_NOT_FOUND',
        message: `Could not get some ${type.singular.toUpperCase()} objects, they may be deleted or not exist. Check that ids are valid.`,
        context: { ids: missing },
      },
    ],
    startedAt,
    completedAt,
  });
}
