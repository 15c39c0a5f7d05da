/**
 * Turns a request into a counted operation, HubSpot's order of checks: a path that is no
 * endpoint is a 404; then the bearer token (401, counted as `auth.rejected`); then the
 * burst limit (429, counted as `rateLimit.rejected`); then the object type; then the
 * endpoint itself, counted as `<objectType>.<action>` or
 * `associations.<fromType>.<toType>.batchRead`.
 */
import type { RoutedCall, SandboxRequest, SandboxResponse } from '../../kit/src/index.js';
import { hubspotError, rateLimited, unauthorized, unknownObjectType, unknownRoute } from './errors.js';
import { resolveObjectType, type ObjectTypeDef } from './objectTypes.js';
import { associationsBatchRead } from './routes/associationsBatchRead.js';
import { batchRead } from './routes/batchRead.js';
import type { CrmContext } from './routes/context.js';
import { createObject, getObject, listObjects, updateObject } from './routes/objects.js';
import { search } from './routes/search.js';

export interface CrmRouterOptions {
  ctx: CrmContext;
  /** True when the request carries an accepted bearer token. */
  authenticated: (request: SandboxRequest) => boolean;
  /** True when the burst limit refused the request. */
  rateLimited: (request: SandboxRequest) => boolean;
}

/** Builds the counted call once the path's object type segments are resolved. */
type Action = (types: ObjectTypeDef[]) => RoutedCall;

/** The endpoint a path names, before auth: its object type segments and its methods. */
interface Match {
  segments: string[];
  actions: Partial<Record<string, Action>>;
}

const call = (operation: string, run: () => SandboxResponse): RoutedCall => ({ operation, run });

/** A path segment decoded; a malformed escape stays as sent (and then matches nothing). */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function match(ctx: CrmContext, request: SandboxRequest): Match | null {
  const parts = request.path.split('/').filter(Boolean).map(decodeSegment);
  const [root, version, kind, a, b, c, d] = parts;
  if (root !== 'crm' || a === undefined) return null;
  if (version === 'v3' && kind === 'objects') {
    if (parts.length === 4) {
      return {
        segments: [a],
        actions: {
          GET: ([t]) => call(`${t!.name}.list`, () => listObjects(ctx, t!, request)),
          POST: ([t]) => call(`${t!.name}.create`, () => createObject(ctx, t!, request)),
        },
      };
    }
    if (parts.length === 5 && b === 'search') {
      return { segments: [a], actions: { POST: ([t]) => call(`${t!.name}.search`, () => search(ctx, t!, request)) } };
    }
    if (parts.length === 6 && b === 'batch' && c === 'read') {
      return { segments: [a], actions: { POST: ([t]) => call(`${t!.name}.batchRead`, () => batchRead(ctx, t!, request)) } };
    }
    if (parts.length === 5 && b !== undefined) {
      return {
        segments: [a],
        actions: {
          GET: ([t]) => call(`${t!.name}.getById`, () => getObject(ctx, t!, request, b)),
          PATCH: ([t]) => call(`${t!.name}.update`, () => updateObject(ctx, t!, request, b)),
        },
      };
    }
  }
  if (version === 'v4' && kind === 'associations' && parts.length === 7 && b !== undefined && c === 'batch' && d === 'read') {
    return {
      segments: [a, b],
      actions: {
        POST: ([from, to]) => call(`associations.${from!.name}.${to!.name}.batchRead`, () => associationsBatchRead(ctx, from!, to!, request)),
      },
    };
  }
  return null;
}

export function createCrmRouter(options: CrmRouterOptions): (request: SandboxRequest) => RoutedCall | SandboxResponse {
  return (request) => {
    const found = match(options.ctx, request);
    if (!found) return unknownRoute(request.method, request.path);
    const action = found.actions[request.method];
    if (!action) {
      return hubspotError(
        405,
        { message: `${request.method} is not supported on ${request.path}`, category: 'VALIDATION_ERROR' },
        {},
        { allow: Object.keys(found.actions).join(', ') },
      );
    }
    if (!options.authenticated(request)) return { operation: 'auth.rejected', run: unauthorized };
    if (options.rateLimited(request)) return { operation: 'rateLimit.rejected', run: () => rateLimited() };

    const types = found.segments.map(resolveObjectType);
    const unknown = found.segments.find((_, i) => types[i] === undefined);
    if (unknown !== undefined) return unknownObjectType(unknown);
    return action(types as ObjectTypeDef[]);
  };
}
