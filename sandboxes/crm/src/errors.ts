/**
 * HubSpot's error bodies. Every one has `status: "error"`, a human `message`, a
 * `correlationId` (a UUID, new per response) and a `category`, which is what clients
 * (including @hubspot/api-client's retry logic) read. Shapes and texts are HubSpot's own
 * where its documentation or captured responses show them; see README for the few whose
 * wording is not documented.
 */
import { randomUUID } from 'node:crypto';
import type { ProductErrors, SandboxResponse } from '../../kit/src/index.js';

/** The account ("hub") id HubSpot puts in property validation results. */
export const PORTAL_ID = 4101000;

const JSON_HEADERS = { 'content-type': 'application/json;charset=utf-8' } as const;

export function json(status: number, body: unknown, headers: Record<string, string> = {}): SandboxResponse {
  return { status, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

export interface ErrorFields {
  message: string;
  category: string;
  subCategory?: string;
  context?: Record<string, string[]>;
  errors?: unknown[];
  links?: Record<string, string>;
}

export function hubspotError(status: number, fields: ErrorFields, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): SandboxResponse {
  const { message, category, ...rest } = fields;
  return json(status, { status: 'error', message, correlationId: randomUUID(), ...extra, ...rest, category }, headers);
}

/** 401 for a missing, malformed or unknown bearer token. */
export function unauthorized(): SandboxResponse {
  return hubspotError(401, {
    message:
      'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
    category: 'INVALID_AUTHENTICATION',
  });
}

/**
 * 429 for the ten-secondly burst limit. `policyName` is what @hubspot/api-client checks
 * before it retries; `category` is the one HubSpot announced for rate limit errors.
 */
export function rateLimited(headers: Record<string, string> = {}): SandboxResponse {
  return hubspotError(
    429,
    { message: 'You have reached your ten_secondly_rolling limit.', category: 'RATE_LIMITS' },
    { errorType: 'RATE_LIMIT', policyName: 'TEN_SECONDLY_ROLLING' },
    headers,
  );
}

export function objectNotFound(): SandboxResponse {
  return hubspotError(404, { message: 'resource not found', category: 'OBJECT_NOT_FOUND' });
}

/** 409 for a second contact with an email another contact already has (emails are unique). */
export function contactExists(existingId: string): SandboxResponse {
  return hubspotError(409, { message: `Contact already exists. Existing ID: ${existingId}`, category: 'CONFLICT' });
}

export function unknownObjectType(segment: string): SandboxResponse {
  return hubspotError(400, { message: `Unable to infer object type from: ${segment}`, category: 'VALIDATION_ERROR' });
}

export function unknownRoute(method: string, path: string): SandboxResponse {
  return hubspotError(404, { message: `No endpoint ${method} ${path}`, category: 'OBJECT_NOT_FOUND' });
}

export function validationError(message: string, fields: Omit<ErrorFields, 'message' | 'category'> = {}): SandboxResponse {
  return hubspotError(400, { message, category: 'VALIDATION_ERROR', ...fields });
}

/** HubSpot's JSON parser errors: "Invalid input JSON on line L, column C: reason". */
export function invalidJson(line: number, column: number, reason: string): SandboxResponse {
  return validationError(`Invalid input JSON on line ${line}, column ${column}: ${reason}`);
}

/** One failed property in HubSpot's "Property values were not valid" list. */
export interface PropertyProblem {
  name: string;
  /** PROPERTY_DOESNT_EXIST, READ_ONLY_VALUE, INVALID_OPTION, INVALID_LONG, INVALID_DECIMAL, … */
  error: string;
  message: string;
}

/** 400 for property writes HubSpot refuses, with both the embedded list and `errors`. */
export function invalidProperties(problems: readonly PropertyProblem[]): SandboxResponse {
  const results = problems.map((p) => ({
    isValid: false,
    message: p.message,
    error: p.error,
    name: p.name,
    localizedErrorMessage: p.message,
    portalId: PORTAL_ID,
  }));
  return validationError(`Property values were not valid: ${JSON.stringify(results)}`, {
    errors: problems.map((p) => ({ message: p.message, code: p.error, context: { propertyName: [p.name] } })),
  });
}

/** The kit's fault and failure answers, in HubSpot's shape. */
export const crmProductErrors: ProductErrors = {
  serverError: () => hubspotError(500, { message: 'internal error', category: 'INTERNAL_ERROR' }),
  rateLimited: (retryAfterSeconds) => rateLimited({ 'retry-after': String(retryAfterSeconds) }),
  tooLarge: (limitBytes) => hubspotError(413, { message: `Request body exceeds the maximum of ${limitBytes} bytes`, category: 'VALIDATION_ERROR' }),
  internal: (error) => {
    // The client sees HubSpot's generic 500; the details belong in the sandbox's log.
    console.error('[crm sandbox] internal error:', error);
    return hubspotError(500, { message: 'internal error', category: 'INTERNAL_ERROR' });
  },
};
