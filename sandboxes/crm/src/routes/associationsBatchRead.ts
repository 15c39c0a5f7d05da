/**
 * `POST /crm/v4/associations/{fromObjectType}/{toObjectType}/batch/read`: the records
 * associated with up to 1,000 records, with their association types. A record with no
 * association of that kind is not a result but an error (NO_ASSOCIATIONS_FOUND), and the
 * call answers 207, as HubSpot does.
 */
import type { SandboxRequest, SandboxResponse } from '../../../kit/src/index.js';
import { associatedIds, associationTypes } from '../associations.js';
import { invalidJson, json, validationError } from '../errors.js';
import { isRecord, parseJsonBody } from '../http.js';
import type { ObjectTypeDef } from '../objectTypes.js';
import { isoDate } from '../records.js';
import type { CrmContext } from './context.js';

/** HubSpot's limit on inputs of association batch reads (since February 2025). */
export const ASSOCIATIONS_MAX_INPUTS = 1000;

export function associationsBatchRead(ctx: CrmContext, from: ObjectTypeDef, to: ObjectTypeDef, request: SandboxRequest): SandboxResponse {
  const startedAt = isoDate(Date.now());
  const body = parseJsonBody(request.body);
  if (!body.ok) return body.response;
  const inputs = isRecord(body.value) ? body.value.inputs : undefined;
  if (!Array.isArray(inputs)) {
    return inputs === undefined
      ? validationError('Invalid input JSON on line 1, column 2. Some required fields were not set: [inputs]')
      : invalidJson(1, 1, 'Cannot deserialize value of type `java.util.ArrayList<PublicFetchAssociationsBatchRequest>` from non-array value');
  }
  if (inputs.length > ASSOCIATIONS_MAX_INPUTS) {
    return validationError(
      `The maximum number of inputs supported in a batch request is ${ASSOCIATIONS_MAX_INPUTS}, got ${inputs.length}. Please reduce the number of items and try again`,
    );
  }
  const ids: string[] = [];
  for (const input of inputs) {
    const id = isRecord(input) ? input.id : undefined;
    if (typeof id !== 'string' && typeof id !== 'number') {
      return validationError('Invalid input JSON on line 1, column 2. Some required fields were not set: [id]');
    }
    ids.push(String(id));
  }

  const types = associationTypes(from, to);
  const results: unknown[] = [];
  const errors: unknown[] = [];
  for (const id of new Set(ids)) {
    const toIds = associatedIds(ctx.data, from, to, id);
    if (toIds.length > 0) {
      // toObjectId is a JSON number in HubSpot's v4 responses.
      results.push({ from: { id }, to: toIds.map((toId) => ({ toObjectId: Number(toId), associationTypes: types })) });
    } else {
      errors.push({
        status: 'error',
        category: 'OBJECT_NOT_FOUND',
        subCategory: 'crm.associations.NO_ASSOCIATIONS_FOUND',
        message: `No ${to.singular} is associated with ${from.singular} ${id}.`,
        context: { fromObjectId: [id], fromObjectType: [from.singular], toObjectType: [to.singular] },
      });
    }
  }
  const completedAt = isoDate(Date.now());
  if (errors.length === 0) return json(200, { status: 'COMPLETE', results, startedAt, completedAt });
  return json(207, { status: 'COMPLETE', results, numErrors: errors.length, errors, startedAt, completedAt });
}
