/**
 * The credentials one bench run needs for graph360's auth contract, generated per run:
 * the secret that gateway and subgraphs share (GATEWAY_SUBGRAPH_SECRET), an ES256 key
 * pair whose public half the gateway trusts (AUTH_PUBLIC_KEY), a user token with every
 * scope signed by it (and more on demand, one per subject: distinct callers), and a static
 * internal token (x-graph360-gateway) for the peers, which cannot mint one per request as
 * graph360's gateway does.
 */
import { randomBytes } from 'node:crypto';
import { exportSPKI, generateKeyPair, SignJWT } from 'jose';

export interface BenchAuth {
  subgraphSecret: string;
  publicKeyPem: string;
  /** Authorization: Bearer <userToken>, all scopes, no customer binding. */
  userToken: string;
  /** x-graph360-gateway: <internalToken>, all scopes (lives 2 h: longer than any run). */
  internalToken: string;
  /** Another user token like userToken (every scope, 2 h), for the subject `sub`: a distinct caller. */
  userTokenFor(sub: string): Promise<string>;
}

const SCOPES = 'invoices:read payments:read customers:write orders:write payments:write';

export async function createBenchAuth(): Promise<BenchAuth> {
  const subgraphSecret = randomBytes(32).toString('base64url');
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const userTokenFor = (sub: string): Promise<string> =>
    new SignJWT({ scope: SCOPES })
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer('graph360-dev')
      .setAudience('graph360')
      .setSubject(sub)
      .setIssuedAt()
      .setExpirationTime('2h')
      .sign(privateKey);
  const userToken = await userTokenFor('bench-user');
  const internalToken = await new SignJWT({ scope: SCOPES })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer('graph360-gateway')
    .setAudience('graph360-subgraphs')
    .setSubject('bench-user')
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(new TextEncoder().encode(subgraphSecret));
  return { subgraphSecret, publicKeyPem: await exportSPKI(publicKey), userToken, internalToken, userTokenFor };
}
