/**
 * Credentials for a test stack, made fresh per stack: an ES256 key pair whose public half
 * the gateway verifies tokens with (AUTH_PUBLIC_KEY), a random GATEWAY_SUBGRAPH_SECRET for
 * the gateway and the subgraphs, and functions that mint end-user tokens and the
 * gateway's internal tokens (for tests that call a subgraph directly).
 */
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { SCOPES as ALL_SCOPES } from '../../lib/auth/scopes.js';

/** Every scope of the auth contract (lib/auth/scopes.ts). */
export { ALL_SCOPES };

export const TEST_ISSUER = 'graph360-test';
export const TEST_AUDIENCE = 'graph360';

export interface TokenClaims {
  sub?: string;
  /** Scopes as a list (joined with spaces) or as the claim's string. Default: every scope. */
  scope?: readonly string[] | string;
  customer_id?: string;
  /** Seconds from now (negative: already expired). Default 3600. */
  expiresIn?: number;
  iss?: string;
  aud?: string;
  /** Sign with another private key (a bad signature). */
  key?: KeyObject;
  /** Header `kid`. */
  kid?: string;
}

export interface InternalClaims {
  sub?: string;
  scopes?: readonly string[];
  customerId?: string;
  /** Sign with another secret (a forged token). */
  secret?: string;
}

export interface TestAuth {
  publicKeyPem: string;
  privateKey: KeyObject;
  /** GATEWAY_SUBGRAPH_SECRET of this stack. */
  secret: string;
  /** AUTH_PUBLIC_KEY, AUTH_ISSUER, AUTH_AUDIENCE, GATEWAY_SUBGRAPH_SECRET. */
  gatewayEnv: Record<string, string>;
  /** GATEWAY_SUBGRAPH_SECRET. */
  subgraphEnv: Record<string, string>;
  /** An end-user JWT (ES256) the gateway accepts; every scope, no customer binding, by default. */
  token(claims?: TokenClaims): Promise<string>;
  /** The gateway's internal token for a subgraph (x-graph360-gateway). */
  internalToken(claims?: InternalClaims): Promise<string>;
}

export function createTestAuth(): TestAuth {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const secret = randomBytes(32).toString('base64url');
  const subgraphEnv = { GATEWAY_SUBGRAPH_SECRET: secret };
  return {
    publicKeyPem,
    privateKey,
    secret,
    subgraphEnv,
    gatewayEnv: { AUTH_PUBLIC_KEY: publicKeyPem, AUTH_ISSUER: TEST_ISSUER, AUTH_AUDIENCE: TEST_AUDIENCE, ...subgraphEnv },
    token(claims = {}) {
      const scope = claims.scope ?? ALL_SCOPES;
      const body: Record<string, unknown> = { scope: typeof scope === 'string' ? scope : scope.join(' ') };
      if (claims.customer_id !== undefined) body.customer_id = claims.customer_id;
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT(body)
        .setProtectedHeader({ alg: 'ES256', ...(claims.kid ? { kid: claims.kid } : {}) })
        .setSubject(claims.sub ?? 'test-user')
        .setIssuer(claims.iss ?? TEST_ISSUER)
        .setAudience(claims.aud ?? TEST_AUDIENCE)
        .setIssuedAt(now - 60)
        .setExpirationTime(now + (claims.expiresIn ?? 3600))
        .sign(claims.key ?? privateKey);
    },
    internalToken(claims = {}) {
      const body: Record<string, unknown> = { scope: (claims.scopes ?? ALL_SCOPES).join(' ') };
      if (claims.customerId !== undefined) body.customer_id = claims.customerId;
      return new SignJWT(body)
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(claims.sub ?? 'test-user')
        .setIssuer('graph360-gateway')
        .setAudience('graph360-subgraphs')
        .setIssuedAt()
        .setExpirationTime('60s')
        .sign(new TextEncoder().encode(claims.secret ?? secret));
    },
  };
}
