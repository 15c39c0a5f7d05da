/**
 * Development credentials for `npm start` (the auth contract):
 * - an ES256 key pair in .data/dev-auth/ (git-ignored), made on first start and kept,
 *   whose public half the gateway verifies tokens with (AUTH_PUBLIC_KEY);
 * - a development token signed with it: every scope, no customer binding, 12 h,
 *   written to .data/dev-auth/token and handed to the gateway (AUTH_DEV_TOKEN), whose
 *   playground pre-fills it;
 * - a random GATEWAY_SUBGRAPH_SECRET for this run, for the gateway and the subgraphs.
 * DEV_AUTH_DIR moves the key pair and token elsewhere (default .data/dev-auth).
 * Whatever the user set in the environment wins: with their own AUTH_JWKS_URL or
 * AUTH_PUBLIC_KEY no development token is made (this script could not sign one).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { SCOPES } from '../lib/auth/scopes.js';

/** Every scope of the graph (lib/auth/scopes.ts). */
export const DEV_SCOPES: readonly string[] = SCOPES;
const TOKEN_LIFETIME = '12h';

export interface DevAuth {
  /** Variables to give every service (the user's own values are kept). */
  env: Record<string, string>;
  /** The development token, when one was made. */
  token: string | undefined;
  tokenFile: string | undefined;
}

export async function prepareDevAuth(root: string, env: Readonly<Record<string, string | undefined>>): Promise<DevAuth> {
  const dir = env.DEV_AUTH_DIR || join(root, '.data', 'dev-auth');
  const result: Record<string, string> = {};
  if (!env.GATEWAY_SUBGRAPH_SECRET) result.GATEWAY_SUBGRAPH_SECRET = randomBytes(32).toString('base64url');
  if (env.AUTH_JWKS_URL || env.AUTH_PUBLIC_KEY) return { env: result, token: undefined, tokenFile: undefined };

  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const privateFile = join(dir, 'private.pem');
  const publicFile = join(dir, 'public.pem');
  if (!existsSync(privateFile) || !existsSync(publicFile)) {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileSync(privateFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    writeFileSync(publicFile, publicKey.export({ type: 'spki', format: 'pem' }));
  }
  const privateKey = createPrivateKey(readFileSync(privateFile, 'utf8'));
  const publicKeyPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  const issuer = env.AUTH_ISSUER || 'graph360-dev';
  const audience = env.AUTH_AUDIENCE || 'graph360';
  const token = await new SignJWT({ scope: DEV_SCOPES.join(' ') })
    .setProtectedHeader({ alg: 'ES256' })
    .setSubject('developer')
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime(TOKEN_LIFETIME)
    .sign(privateKey);
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
  chmodSync(tokenFile, 0o600);
  result.AUTH_PUBLIC_KEY = publicKeyPem;
  if (!env.AUTH_DEV_TOKEN) result.AUTH_DEV_TOKEN = token;
  return { env: result, token, tokenFile };
}
