/**
 * The gateway's credential towards the subgraphs: `x-graph360-gateway: <JWT>`, HS256
 * with GATEWAY_SUBGRAPH_SECRET, iss `graph360-gateway`, aud `graph360-subgraphs`, 60 s,
 * carrying the caller's `sub`, `scope` and `customer_id` (none of them when anonymous);
 * its constants and claims are shared with the subgraphs (lib/auth/internalToken.ts),
 * which answer 401 without a valid one (subgraphs/kit/src/auth.ts).
 *
 * Signing costs microseconds but a query fans out to several fetches: one token per
 * identity is kept for 30 s (half its life), so most fetches reuse it.
 */
import { SignJWT } from 'jose';
import { BoundedMap } from '../../../lib/BoundedMap.js';
import { INTERNAL_ALGORITHM, INTERNAL_AUDIENCE, INTERNAL_ISSUER, INTERNAL_TOKEN_LIFETIME_S, internalClaims } from '../../../lib/auth/internalToken.js';
import { identityKey, type AuthIdentity } from './identity.js';

export { INTERNAL_AUDIENCE, INTERNAL_ISSUER, INTERNAL_TOKEN_HEADER } from '../../../lib/auth/internalToken.js';
const REUSE_MS = 30_000;

export class InternalTokenSigner {
  private readonly key: Uint8Array;
  private readonly tokens = new BoundedMap<{ token: Promise<string>; until: number }>(10_000);

  constructor(secret: string) {
    this.key = new TextEncoder().encode(secret);
  }

  /** A token for this caller, fresh for at least 30 s. */
  tokenFor(auth: AuthIdentity): Promise<string> {
    const key = identityKey(auth) ?? 'anonymous';
    const now = Date.now();
    const cached = this.tokens.get(key);
    if (cached && cached.until > now) return cached.token;
    const claims = internalClaims({
      ...(auth.kind !== 'anonymous' ? { scopes: auth.scopes } : {}),
      ...(auth.customerId !== undefined ? { customerId: auth.customerId } : {}),
    });
    const jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: INTERNAL_ALGORITHM })
      .setIssuer(INTERNAL_ISSUER)
      .setAudience(INTERNAL_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${INTERNAL_TOKEN_LIFETIME_S}s`);
    if (auth.kind !== 'anonymous') jwt.setSubject(auth.subject);
    const token = jwt.sign(this.key);
    this.tokens.set(key, { token, until: now + REUSE_MS });
    token.catch(() => this.tokens.delete(key));
    return token;
  }
}
