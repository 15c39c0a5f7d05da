/**
 * The basic object endpoints: read one, list with `after` paging, create, update.
 * `GET /crm/v3/objects/{objectType}/{objectId}`, `GET /crm/v3/objects/{objectType}`,
 * `POST /crm/v3/objects/{objectType}`, `PATCH /crm/v3/objects/{objectType}/{objectId}`.
 */
import type { SandboxRequest, SandboxResponse } from '../../../kit/src/index.js';
import { associatedIds, associationTypes, v3AssociationTypeNames } from '../associations.js';
import { contactExists, invalidProperties, json, objectNotFound, validationError } from '../errors.js';
import { isRecord, parseJsonBody, queryList } from '../http.js';
import { resolveObjectType, type ObjectTypeDef } from '../objectTypes.js';
import { readPropertyWrite } from '../propertyWrites.js';
import { toPublicObject, type CrmRecord, type PublicObject } from '../records.js';
import type { CrmContext } from './context.js';

/** HubSpot's page size for lists when none is asked for, and the most it returns. */
const LIST_DEFAULT_LIMIT = 10;
const LIST_MAX_LIMIT = 100;

/** Checks `idProperty`: absent means the record id; otherwise a unique-value property. */
export function checkIdProperty(type: ObjectTypeDef, idProperty: string | null | undefined): SandboxResponse | null {
  if (idProperty === null || idProperty === undefined || type.idProperties.includes(idProperty)) return null;
  return validationError(`${idProperty} is not a unique identifier property of ${type.name}; use one of: ${type.idProperties.join(', ')}`);
}

/** A contact email must stay unique: the id of another contact that has it, if any. */
function emailTakenBy(ctx: CrmContext, type: ObjectTypeDef, changes: Record<string, string>, selfId: string | null): string | null {
  const email = changes.email;
  if (type.name !== 'contacts' || !email) return null;
  const holder = ctx.data.getBy('contacts', 'email', email);
  return holder && holder.id !== selfId ? holder.id : null;
}

/** Adds `associations` (v3 shape) for the requested types; unknown types are ignored. */
function withAssociations(ctx: CrmContext, type: ObjectTypeDef, record: CrmRecord, object: PublicObject, requested: string[] | null): PublicObject {
  if (!requested) return object;
  const associations: NonNullable<PublicObject['associations']> = {};
  for (const name of requested) {
    const to = resolveObjectType(name);
    if (!to) continue;
    const [primary, unlabeled] = v3AssociationTypeNames(type, to);
    const ids = associatedIds(ctx.data, type, to, record.id);
    if (!primary || !unlabeled || ids.length === 0) continue;
    associations[to.name] = {
      results: ids.flatMap((id) => [
        { id, type: primary },
        { id, type: unlabeled },
      ]),
    };
  }
  return Object.keys(associations).length > 0 ? { ...object, associations } : object;
}

export function getObject(ctx: CrmContext, type: ObjectTypeDef, request: SandboxRequest, objectId: string): SandboxResponse {
  const idProperty = request.query.get('idProperty');
  const refused = checkIdProperty(type, idProperty);
  if (refused) return refused;
  // No record in the sandbox is ever archived.
  const record = request.query.get('archived') === 'true' ? undefined : ctx.data.getBy(type.name, idProperty ?? 'hs_object_id', objectId);
  if (!record) return objectNotFound();
  const object = toPublicObject(type, record, queryList(request.query, 'properties'));
  return json(200, withAssociations(ctx, type, record, object, queryList(request.query, 'associations')));
}

function parseLimit(raw: string | null): number | SandboxResponse {
  if (raw === null || raw === '') return LIST_DEFAULT_LIMIT;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1) return validationError(`limit must be a positive whole number, got "${raw}"`);
  // HubSpot answers a larger limit with its largest page rather than an error.
  return Math.min(limit, LIST_MAX_LIMIT);
}

export function listObjects(ctx: CrmContext, type: ObjectTypeDef, request: SandboxRequest): SandboxResponse {
  const limit = parseLimit(request.query.get('limit'));
  if (typeof limit !== 'number') return limit;
  const rawAfter = request.query.get('after');
  const after = rawAfter === null || rawAfter === '' ? null : Number(rawAfter);
  if (after !== null && !Number.isSafeInteger(after)) return validationError(`after must be the id of a record, got "${rawAfter}"`);

  const properties = queryList(request.query, 'properties');
  const associations = queryList(request.query, 'associations');
  const { records, nextAfter } = request.query.get('archived') === 'true' ? { records: [], nextAfter: null } : ctx.data.page(type.name, after, limit);
  const results = records.map((record) => withAssociations(ctx, type, record, toPublicObject(type, record, properties), associations));
  if (nextAfter === null) return json(200, { results });

  const next = new URLSearchParams(request.query);
  next.set('after', nextAfter);
  const link = `http://${request.headers.host ?? 'localhost'}${request.path}?${next.toString()}`;
  return json(200, { results, paging: { next: { after: nextAfter, link } } });
}

export function updateObject(ctx: CrmContext, type: ObjectTypeDef, request: SandboxRequest, objectId: string): SandboxResponse {
  const idProperty = request.query.get('idProperty');
  const refused = checkIdProperty(type, idProperty);
  if (refused) return refused;
  const record = ctx.data.getBy(type.name, idProperty ?? 'hs_object_id', objectId);
  if (!record) return objectNotFound();
  const body = parseJsonBody(request.body);
  if (!body.ok) return body.response;
  const write = readPropertyWrite(type, body.value);
  if (!write.ok) return write.response;
  const { changes, companyId } = write.value;
  if (companyId && !ctx.data.get('companies', companyId)) {
    return invalidProperties([{ name: 'associatedcompanyid', error: 'INVALID_ASSOCIATION', message: `${companyId} is not the id of a company` }]);
  }
  const taken = emailTakenBy(ctx, type, changes, record.id);
  if (taken) return contactExists(taken);
  const updated = ctx.data.update(type.name, record.id, changes, companyId, ctx.now());
  const names = Object.keys(changes).concat(companyId === undefined ? [] : ['associatedcompanyid']);
  return json(200, toPublicObject(type, updated, names));
}

/**
 * The company a new contact or deal is associated with, from the create body's
 * `associations` ([{to: {id}, types: [{associationCategory, associationTypeId}]}]).
 */
function primaryCompany(ctx: CrmContext, type: ObjectTypeDef, input: unknown): string | null | SandboxResponse {
  if (input === undefined || input === null) return null;
  if (!Array.isArray(input)) return validationError('associations must be a list');
  const companies = resolveObjectType('companies')!;
  const allowed = new Set(associationTypes(type, companies).map((t) => t.typeId));
  let companyId: string | null = null;
  for (const association of input) {
    const toId = isRecord(association) && isRecord(association.to) ? String(association.to.id) : '';
    const types = isRecord(association) && Array.isArray(association.types) ? association.types : [];
    const typeIds = types.map((t) => (isRecord(t) ? Number(t.associationTypeId) : NaN));
    if (typeIds.length === 0 || !typeIds.every((id) => allowed.has(id))) {
      return validationError(
        `Invalid association type for ${type.singular} to ${toId}: the sandbox associates ${type.name} with companies only (type ids ${[...allowed].join(', ') || 'none'})`,
      );
    }
    if (!ctx.data.get('companies', toId)) return validationError(`Association target ${toId} is not the id of a company`);
    companyId = toId;
  }
  return companyId;
}

export function createObject(ctx: CrmContext, type: ObjectTypeDef, request: SandboxRequest): SandboxResponse {
  const body = parseJsonBody(request.body);
  if (!body.ok) return body.response;
  const write = readPropertyWrite(type, body.value);
  if (!write.ok) return write.response;
  const association = primaryCompany(ctx, type, isRecord(body.value) ? body.value.associations : undefined);
  if (association !== null && typeof association !== 'string') return association;
  const { changes, companyId } = write.value;
  if (companyId && !ctx.data.get('companies', companyId)) {
    return invalidProperties([{ name: 'associatedcompanyid', error: 'INVALID_ASSOCIATION', message: `${companyId} is not the id of a company` }]);
  }
  const taken = emailTakenBy(ctx, type, changes, null);
  if (taken) return contactExists(taken);
  const properties = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== ''));
  const created = ctx.data.create(type.name, properties, companyId ?? association, ctx.now());
  const names = Object.keys(properties).concat(type.name === 'contacts' && created.companyId ? ['associatedcompanyid'] : []);
  return json(201, toPublicObject(type, created, names));
}
