/**
 * Who is asking: the identity the gateway resolves for every request and puts on the
 * Apollo context as `contextValue.auth` (the auth contract: rate limiting keys on
 * `subject`, authorization reads `scopes` and `customerId`).
 */
import { createHash } from 'node:crypto';

export type AuthKind = 'jwt' | 'apiKey' | 'anonymous';

export interface AuthIdentity {
  kind: AuthKind;
  /** The token's `sub`, `apikey:<id>` for an API key, '' when anonymous (rate limiting then keys on the client IP). */
  subject: string;
  /** OAuth scopes granted (the token's space-separated `scope`, or the API key's). */
  scopes: string[];
  /** Set when the credential is bound to one customer (CRM company id): it sees only that customer's data. */
  customerId?: string;
  /** When the credential expires (a token's `exp`, in ms since the epoch): a subscription made with it ends then. */
  expiresAt?: number;
}

export const ANONYMOUS: AuthIdentity = Object.freeze({ kind: 'anonymous', subject: '', scopes: [] }) as AuthIdentity;

/** Every scope the graph knows, and the gateway's own (lib/auth/scopes.ts). */
export { SCOPES as ALL_SCOPES, DEBUG_SCOPE } from '../../../lib/auth/scopes.js';

const hash = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 32);

/** The identity on a request's context, anonymous when none was set. */
export function authOf(context: object | undefined): AuthIdentity {
  const auth = (context as { auth?: AuthIdentity } | undefined)?.auth;
  return auth ?? ANONYMOUS;
}

/**
 * A key for "this very caller" (PRIVATE cache entries, in-flight sharing): the same
 * subject with the same grants. Undefined for anonymous callers. Hashed: keys sit in Redis.
 */
export function identityKey(auth: AuthIdentity): string | undefined {
  if (auth.kind === 'anonymous') return undefined;
  return hash(`${auth.kind}\n${auth.subject}\n${auth.customerId ?? ''}\n${[...auth.scopes].sort().join(' ')}`);
}

/**
 * A key for "callers who may see exactly the same things" (PUBLIC response cache
 * entries): authenticated or not, the scopes and the customer binding, not the subject.
 */
export function accessProfile(auth: AuthIdentity): string {
  if (auth.kind === 'anonymous') return 'anonymous';
  return hash(`authenticated\n${auth.customerId ?? ''}\n${[...new Set(auth.scopes)].sort().join(' ')}`);
}

/**
 * The part of the access profile that changes what a subgraph answers for one and the
 * same query (PUBLIC entity and root cache entries): the customer binding. Scopes do not:
 * the gateway only sends fields the caller may see, and a subgraph that refuses one
 * answers an error, which is never cached.
 */
export function bindingScope(auth: AuthIdentity): string {
  return auth.customerId === undefined ? 'public' : `public:${hash(`customer\n${auth.customerId}`)}`;
}
