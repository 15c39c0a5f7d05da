/**
 * POST /internal/invalidate: backend events evict cached entities. The payments subgraph
 * sends here what each payment webhook changed (`{"entities": [{"__typename": "Invoice",
 * "id": "123"}]}`), with the shared secret (config.invalidationSecret) as a Bearer token;
 * during a rotation, the previous secret (config.invalidationSecretPrevious) is accepted too.
 * Answers: 200 `{invalidated: n}`; 401 UNAUTHENTICATED without the right secret; 400
 * BAD_REQUEST with the offending value; 503 CACHE_UNAVAILABLE when the cache could not be
 * written, so that the sender retries (and, through it, the payment provider redelivers).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { sendGraphQLError, sendJson } from '../../../lib/http.js';
import type { EntityVersions } from './EntityVersions.js';
import type { EntityRef } from './keys.js';

export const INVALIDATE_PATH = '/internal/invalidate';
const MAX_ENTITIES = 1000;

export interface InvalidateRouteOptions {
  secret: string;
  /** The secret being rotated out, accepted beside `secret` while set. */
  previousSecret?: string;
  versions: EntityVersions;
  logger: Logger;
}

class BadInvalidation extends Error {}

/** Compares digests, so neither the secret's content nor its length leaks through timing. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string): Buffer => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

export function parseInvalidation(body: Buffer): EntityRef[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new BadInvalidation('The body is not JSON.');
  }
  const entities = (parsed as { entities?: unknown } | null)?.entities;
  if (!Array.isArray(entities) || entities.length === 0 || entities.length > MAX_ENTITIES) {
    throw new BadInvalidation(`"entities" must be an array of 1 to ${MAX_ENTITIES} {__typename, id} objects, got ${JSON.stringify(entities)?.slice(0, 200)}`);
  }
  return entities.map((entity: unknown, i) => {
    const { __typename, id } = (entity ?? {}) as { __typename?: unknown; id?: unknown };
    if (typeof __typename !== 'string' || !/^[A-Za-z_]\w*$/.test(__typename) || !(typeof id === 'string' || typeof id === 'number') || String(id) === '') {
      throw new BadInvalidation(`entities[${i}] must be {__typename: a type name, id: a string or number}, got ${JSON.stringify(entity)?.slice(0, 200)}`);
    }
    return { __typename, id: String(id) };
  });
}

export function invalidateRoute(options: InvalidateRouteOptions): (req: IncomingMessage, body: Buffer, res: ServerResponse) => Promise<void> {
  return async (req, body, res) => {
    // The request id the observability step echoed, so these lines join the request's others.
    const requestId = res.getHeader('x-request-id');
    const logger = typeof requestId === 'string' ? options.logger.child({ requestId }) : options.logger;
    if (req.method !== 'POST') return sendGraphQLError(res, 405, 'METHOD_NOT_ALLOWED', `Use POST for ${INVALIDATE_PATH}.`);
    const header = req.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
    // Both comparisons always run, so the timing does not tell which secret matched.
    const current = sameSecret(token, options.secret);
    const previous = options.previousSecret !== undefined && sameSecret(token, options.previousSecret);
    if (!token || !(current || previous)) {
      logger.warn({ remote: req.socket.remoteAddress }, 'cache invalidation refused: missing or wrong secret');
      return sendGraphQLError(res, 401, 'UNAUTHENTICATED', 'Cache invalidation needs the gateway invalidation secret as a Bearer token.');
    }
    let refs: EntityRef[];
    try {
      refs = parseInvalidation(body);
    } catch (error) {
      if (error instanceof BadInvalidation) return sendGraphQLError(res, 400, 'BAD_REQUEST', error.message);
      throw error;
    }
    if (!(await options.versions.invalidate(refs))) {
      return sendGraphQLError(res, 503, 'CACHE_UNAVAILABLE', 'The cache could not be written; retry later.');
    }
    logger.info({ entities: refs.map((ref) => `${ref.__typename}:${ref.id}`) }, 'cache entries invalidated');
    sendJson(res, 200, { invalidated: refs.length });
  };
}
