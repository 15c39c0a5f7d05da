/**
 * Authentication at the gateway: who sent this request.
 *
 * - `Authorization: Bearer <JWT>`: verified with jose against the JWKS at AUTH_JWKS_URL
 *   (keys fetched, cached and re-fetched on an unknown `kid` by jose's remote JWK set) or
 *   against AUTH_PUBLIC_KEY (PEM or JWK JSON); algorithms ES256 and RS256 only; issuer,
 *   audience and `exp` required and checked (5 s clock tolerance). Claims: `sub`
 *   (required), `scope` (space-separated), `customer_id` (optional binding).
 * - `x-api-key: <key>`: compared by SHA-256 with the keys of API_KEYS_FILE, which holds
 *   hashes only (`[{ "id", "sha256", "scopes": [...], "customerId"? }]`).
 * - Neither: anonymous (fields marked @authenticated are then refused one by one).
 *
 * A credential that is present but wrong is refused outright (HTTP 401, code
 * UNAUTHENTICATED, `WWW-Authenticate: Bearer error="invalid_token"`), never downgraded to
 * anonymous: a client with an expired token must learn that it expired. When the token
 * cannot be checked at all because the JWKS cannot be fetched (down, timeout, not a key
 * set), the answer is 503 AUTHENTICATION_UNAVAILABLE with Retry-After: the server's fault.
 *
 * Verified tokens are remembered (by hash, bounded, at most 60 s and never past `exp`)
 * so a client's every request does not pay a signature check.
 */
import { createHash, createPublicKey, timingSafeEqual, type JsonWebKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { ConfigError } from '../../../lib/env.js';
import { BoundedMap } from '../../../lib/BoundedMap.js';
import { ANONYMOUS, type AuthIdentity } from './identity.js';

export interface ApiKeyEntry {
  id: string;
  /** Hex SHA-256 of the key. */
  sha256: string;
  scopes: string[];
  customerId?: string;
}

export interface AuthenticationSettings {
  jwksUrl?: string;
  /** PEM (SPKI) or JWK JSON public key. */
  publicKey?: string;
  issuer: string;
  audience: string;
  apiKeys: readonly ApiKeyEntry[];
}

export type AuthenticationResult =
  | { ok: true; auth: AuthIdentity }
  | { ok: false; status: 401; code: 'UNAUTHENTICATED'; message: string; headers: Record<string, string> }
  // The token could not be checked at all: the JWKS endpoint is down, slow or answers garbage.
  // That is the server's fault, not the client's: 503 with Retry-After, so a client retries
  // instead of throwing its (probably good) token away and logging the user out.
  | { ok: false; status: 503; code: 'AUTHENTICATION_UNAVAILABLE'; message: string; headers: Record<string, string> };

/** Seconds a client should wait before retrying when the signing keys could not be fetched. */
export const KEYS_UNAVAILABLE_RETRY_AFTER_S = 5;

const ALGORITHMS = ['ES256', 'RS256'];
const CLOCK_TOLERANCE_S = 5;
const REMEMBER_MS = 60_000;

const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Reads a PEM or JWK JSON public key (AUTH_PUBLIC_KEY); the ConfigError names the variable. */
export function parsePublicKey(text: string, variable = 'AUTH_PUBLIC_KEY'): KeyObject {
  try {
    const trimmed = text.trim();
    const key = trimmed.startsWith('{') ? createPublicKey({ key: JSON.parse(trimmed) as JsonWebKey, format: 'jwk' }) : createPublicKey(trimmed);
    if (key.asymmetricKeyType !== 'ec' && key.asymmetricKeyType !== 'rsa')
      throw new Error(`a ${key.asymmetricKeyType} key; ES256 (EC P-256) or RS256 (RSA) expected`);
    return key;
  } catch (error) {
    throw new ConfigError(variable, `is not a usable public key (PEM or JWK JSON): ${(error as Error).message}`);
  }
}

/** Reads API_KEYS_FILE: a JSON array of { id, sha256, scopes, customerId? }. */
export function readApiKeysFile(path: string): ApiKeyEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError('API_KEYS_FILE', `${path} cannot be read as JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new ConfigError('API_KEYS_FILE', `${path} must hold a JSON array`);
  return parsed.map((entry: unknown, i): ApiKeyEntry => {
    const e = entry as Partial<ApiKeyEntry> | null;
    const bad = (what: string): never => {
      throw new ConfigError('API_KEYS_FILE', `${path} entry ${i}: ${what}`);
    };
    if (!e || typeof e.id !== 'string' || e.id === '') return bad('needs an "id"');
    if (typeof e.sha256 !== 'string' || !/^[0-9a-f]{64}$/i.test(e.sha256)) return bad('needs "sha256", the hex SHA-256 of the key (never the key itself)');
    if (!Array.isArray(e.scopes) || !e.scopes.every((s) => typeof s === 'string')) return bad('needs "scopes", an array of strings');
    if (e.customerId !== undefined && typeof e.customerId !== 'string') return bad('"customerId" must be a string');
    return { id: e.id, sha256: e.sha256.toLowerCase(), scopes: e.scopes, ...(e.customerId !== undefined ? { customerId: e.customerId } : {}) };
  });
}

function refuse(message: string, error: 'invalid_token' | 'invalid_request' = 'invalid_token'): AuthenticationResult {
  return { ok: false, status: 401, code: 'UNAUTHENTICATED', message, headers: { 'www-authenticate': `Bearer error="${error}"` } };
}

/**
 * Whether verification failed because the remote key set could not be had (as opposed to
 * the token being bad): jose's JWKSTimeout and JWKSInvalid, its generic JOSEError for a
 * non-200 or non-JSON JWKS answer (token problems raise its subclasses), and anything
 * that is not a JOSEError at all (fetch's network errors).
 */
function isKeySetFailure(error: unknown): boolean {
  if (error instanceof joseErrors.JWKSTimeout || error instanceof joseErrors.JWKSInvalid) return true;
  if (error instanceof joseErrors.JOSEError) return error.constructor === joseErrors.JOSEError;
  return true;
}

/** Why jose refused a token, in words a client can act on (never the token). */
function reasonOf(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'The token has expired.';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `The token's "${error.claim}" claim is not accepted (${error.reason}).`;
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'The token signature is not valid.';
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'The token was not signed by a known key.';
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'The token algorithm is not accepted (ES256 or RS256).';
  if (error instanceof joseErrors.JOSEError) return 'The token is not a valid JWT.';
  return 'The token could not be verified.';
}

function scopesOf(claim: unknown): string[] | undefined {
  if (claim === undefined) return [];
  if (typeof claim === 'string') return claim.split(' ').filter(Boolean);
  if (Array.isArray(claim) && claim.every((s) => typeof s === 'string')) return claim;
  return undefined;
}

export class Authenticator {
  private readonly key: KeyObject | ReturnType<typeof createRemoteJWKSet>;
  private readonly remoteKeys: boolean;
  private readonly apiKeys: Map<string, ApiKeyEntry>;
  private readonly verified = new BoundedMap<{ auth: AuthIdentity; until: number }>(10_000);

  constructor(
    private readonly settings: AuthenticationSettings,
    /** Told (without the token) when the key set could not be fetched, for the logs. */
    private readonly onKeySetFailure: (error: unknown) => void = () => {},
  ) {
    this.remoteKeys = Boolean(settings.jwksUrl);
    if (settings.jwksUrl) this.key = createRemoteJWKSet(new URL(settings.jwksUrl), { timeoutDuration: 5000, cooldownDuration: 30_000, cacheMaxAge: 600_000 });
    else if (settings.publicKey) this.key = parsePublicKey(settings.publicKey);
    else throw new ConfigError('AUTH_JWKS_URL', 'set AUTH_JWKS_URL or AUTH_PUBLIC_KEY: the gateway needs a key to verify tokens with');
    this.apiKeys = new Map(settings.apiKeys.map((entry) => [entry.sha256, entry]));
  }

  async authenticate(headers: IncomingHttpHeaders): Promise<AuthenticationResult> {
    const authorization = headers.authorization;
    const apiKey = headers['x-api-key'];
    if (authorization !== undefined && authorization !== '') {
      const match = /^Bearer +([A-Za-z0-9\-_.~+/]+=*) *$/i.exec(authorization);
      if (!match) return refuse('The Authorization header must be "Bearer <token>".', 'invalid_request');
      return this.verifyToken(match[1]!);
    }
    if (apiKey !== undefined && apiKey !== '') return this.checkApiKey(Array.isArray(apiKey) ? apiKey.join(',') : apiKey);
    return { ok: true, auth: ANONYMOUS };
  }

  private async verifyToken(token: string): Promise<AuthenticationResult> {
    const id = sha256Hex(token);
    const remembered = this.verified.get(id);
    if (remembered && remembered.until > Date.now()) return { ok: true, auth: remembered.auth };
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.key as Parameters<typeof jwtVerify>[1], {
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        algorithms: ALGORITHMS,
        requiredClaims: ['exp', 'sub'],
        clockTolerance: CLOCK_TOLERANCE_S,
      }));
    } catch (error) {
      if (this.remoteKeys && isKeySetFailure(error)) {
        this.onKeySetFailure(error);
        return {
          ok: false,
          status: 503,
          code: 'AUTHENTICATION_UNAVAILABLE',
          message: 'The token could not be checked: the signing keys are unavailable right now. Try again shortly.',
          headers: { 'retry-after': String(KEYS_UNAVAILABLE_RETRY_AFTER_S) },
        };
      }
      return refuse(reasonOf(error));
    }
    const scopes = scopesOf(payload.scope);
    const customerId = payload.customer_id;
    if (!scopes) return refuse('The token\'s "scope" claim must be a space-separated string.');
    if (customerId !== undefined && (typeof customerId !== 'string' || customerId === '')) return refuse('The token\'s "customer_id" claim must be a string.');
    const auth: AuthIdentity = {
      kind: 'jwt',
      subject: payload.sub!,
      scopes,
      ...(customerId !== undefined ? { customerId } : {}),
      expiresAt: payload.exp! * 1000,
    };
    this.verified.set(id, { auth, until: Math.min(Date.now() + REMEMBER_MS, (payload.exp! + CLOCK_TOLERANCE_S) * 1000) });
    return { ok: true, auth };
  }

  private checkApiKey(key: string): AuthenticationResult {
    const digest = sha256Hex(key);
    const entry = this.apiKeys.get(digest);
    // The map lookup found a candidate by hash; compare in constant time all the same.
    if (!entry || !timingSafeEqual(Buffer.from(entry.sha256, 'hex'), Buffer.from(digest, 'hex'))) {
      return { ok: false, status: 401, code: 'UNAUTHENTICATED', message: 'The API key is not valid.', headers: {} };
    }
    return {
      ok: true,
      auth: {
        kind: 'apiKey',
        subject: `apikey:${entry.id}`,
        scopes: [...entry.scopes],
        ...(entry.customerId !== undefined ? { customerId: entry.customerId } : {}),
      },
    };
  }
}
