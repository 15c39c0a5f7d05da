/**
 * The token the gateway sends every subgraph request with, and the claims it carries:
 * `x-graph360-gateway: <JWT>`, HS256 with GATEWAY_SUBGRAPH_SECRET, iss
 * `graph360-gateway`, aud `graph360-subgraphs`, 60 s. The gateway signs it
 * (gateway/src/auth/internalToken.ts), the subgraphs check it (subgraphs/kit/src/auth.ts);
 * both build and read the claims here.
 */
export const INTERNAL_TOKEN_HEADER = 'x-graph360-gateway';
export const INTERNAL_ISSUER = 'graph360-gateway';
export const INTERNAL_AUDIENCE = 'graph360-subgraphs';
export const INTERNAL_ALGORITHM = 'HS256';
export const INTERNAL_TOKEN_LIFETIME_S = 60;

/** The caller a token vouches for: no subject when anonymous, no scopes claim when none are given. */
export interface InternalCaller {
  sub?: string;
  scopes?: readonly string[];
  customerId?: string;
}

/** The token's claims besides iss/aud/iat/exp and `sub` (which jose sets apart): `scope` (space-separated) and `customer_id`. */
export function internalClaims(caller: InternalCaller): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  if (caller.scopes) claims.scope = caller.scopes.join(' ');
  if (caller.customerId !== undefined) claims.customer_id = caller.customerId;
  return claims;
}

/** The caller out of a verified token's payload: an empty subject when there is none. */
export function callerOfClaims(payload: Readonly<Record<string, unknown>>): { subject: string; scopes: string[]; customerId?: string } {
  const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
  const customerId = typeof payload.customer_id === 'string' ? payload.customer_id : undefined;
  const subject = typeof payload.sub === 'string' ? payload.sub : '';
  return { subject, scopes, ...(customerId !== undefined ? { customerId } : {}) };
}
