/**
 * Subgraphs trust only the gateway. Every /graphql request must carry
 * `x-graph360-gateway: <JWT>`, HS256 with GATEWAY_SUBGRAPH_SECRET, iss
 * `graph360-gateway`, aud `graph360-subgraphs`, not expired; without one the answer is
 * 401 UNAUTHENTICATED (createSubgraphServer). Its claims (the caller's `sub`, `scope`,
 * `customer_id`) become `context.auth`.
 *
 * During a rotation of that secret, GATEWAY_SUBGRAPH_SECRET_PREVIOUS holds the old one:
 * tokens signed with either are accepted, so the subgraphs can take the new secret before
 * the gateways sign with it, and the old one is dropped once every gateway does.
 *
 * Authorization is checked again here, behind the gateway's own check, with the same
 * model (lib/auth/policy.ts): each subgraph's @authenticated and @requiresScopes (read
 * from its typeDefs; a malformed one stops the subgraph's start) wrap the resolvers they
 * protect (authorizeResolvers), and resolvers of customer-owned data call
 * requireCustomer with the owner they loaded.
 */
import { GraphQLError, Kind, defaultFieldResolver, type DocumentNode, type GraphQLFieldResolver, type TypeNode } from 'graphql';
import { jwtVerify, SignJWT } from 'jose';
import {
  callerOfClaims,
  INTERNAL_ALGORITHM,
  INTERNAL_AUDIENCE,
  INTERNAL_ISSUER,
  INTERNAL_TOKEN_HEADER,
  INTERNAL_TOKEN_LIFETIME_S,
  internalClaims,
} from '../../../lib/auth/internalToken.js';
import {
  denialFor,
  directiveNames,
  fieldRequirement,
  OTHER_CUSTOMER_MESSAGE,
  readPolicy,
  shapeOfDocument,
  UNAUTHENTICATED_MESSAGE,
  type Requirement,
} from '../../../lib/auth/policy.js';
import { ConfigError } from '../../../lib/env.js';

export { SCOPES, type Scope } from '../../../lib/auth/scopes.js';

export const GATEWAY_TOKEN_HEADER = INTERNAL_TOKEN_HEADER;

/** The caller, as the gateway vouches for it. */
export interface SubgraphAuth {
  /** False for an anonymous caller (no `sub`). */
  authenticated: boolean;
  subject: string;
  scopes: string[];
  /** The only customer (CRM company id) this caller may see, when bound. */
  customerId?: string;
}

/**
 * What the gateway's token says, or undefined when there is none or it is not valid under
 * any of the keys (the current secret, then the previous one during a rotation). jose
 * checks the HMAC with WebCrypto's verify, a constant-time comparison.
 */
export async function verifyGatewayToken(secrets: Uint8Array | readonly Uint8Array[], token: string | string[] | undefined): Promise<SubgraphAuth | undefined> {
  if (typeof token !== 'string' || token === '') return undefined;
  for (const secret of secrets instanceof Uint8Array ? [secrets] : secrets) {
    try {
      const { payload } = await jwtVerify(token, secret, {
        issuer: INTERNAL_ISSUER,
        audience: INTERNAL_AUDIENCE,
        algorithms: [INTERNAL_ALGORITHM],
        requiredClaims: ['exp'],
      });
      const caller = callerOfClaims(payload);
      return { authenticated: caller.subject !== '', ...caller };
    } catch {
      // Not valid under this key; the next one may be the key it was signed with.
    }
  }
  return undefined;
}

/** Signs a token as the gateway does (tests, and tools that call a subgraph directly). */
export function signGatewayToken(secret: string, claims: { sub?: string; scopes?: readonly string[]; customerId?: string } = {}): Promise<string> {
  const jwt = new SignJWT(internalClaims(claims))
    .setProtectedHeader({ alg: INTERNAL_ALGORITHM })
    .setIssuer(INTERNAL_ISSUER)
    .setAudience(INTERNAL_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${INTERNAL_TOKEN_LIFETIME_S}s`);
  if (claims.sub) jwt.setSubject(claims.sub);
  return jwt.sign(new TextEncoder().encode(secret));
}

export const unauthenticated = (message = UNAUTHENTICATED_MESSAGE): GraphQLError => new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED' } });
export const forbidden = (message: string): GraphQLError => new GraphQLError(message, { extensions: { code: 'FORBIDDEN' } });

/** The auth on a context built by createSubgraphServer; a context without one is anonymous. */
export function authOf(context: unknown): SubgraphAuth {
  const auth = (context as { auth?: SubgraphAuth } | null | undefined)?.auth;
  return auth ?? { authenticated: false, subject: '', scopes: [] };
}

/** Throws FORBIDDEN when the caller is bound to a customer other than `owner` (an unknown owner counts as another). */
export function requireCustomer(context: unknown, owner: string | null | undefined): void {
  const { customerId } = authOf(context);
  if (customerId !== undefined && owner !== customerId) throw forbidden(OTHER_CUSTOMER_MESSAGE);
}

/** True when the caller may see this customer's data. */
export function maySeeCustomer(context: unknown, owner: string | null | undefined): boolean {
  const { customerId } = authOf(context);
  return customerId === undefined || owner === customerId;
}

const namedType = (type: TypeNode): string => (type.kind === Kind.NAMED_TYPE ? type.name.value : namedType(type.type));

/** The shared check (lib/auth/policy.ts), thrown as the GraphQL error the gateway would put at the field. */
function check(requirement: Requirement, context: unknown): void {
  const denial = denialFor(requirement, authOf(context));
  if (denial) throw new GraphQLError(denial.message, { extensions: { code: denial.code } });
}

type ResolverMap = Record<string, Record<string, unknown>>;

/**
 * The resolvers, with every field the typeDefs protect checked before it runs: a field
 * with @authenticated/@requiresScopes, a field returning a type that has one, and the
 * `__resolveReference` of such a type (the gateway's `_entities` fetches). A
 * Subscription field's `subscribe` is checked too, so that no stream opens unchecked.
 */
export function authorizeResolvers<T extends object>(typeDefs: DocumentNode, resolvers: T): T {
  // Throws AuthPolicyError for a malformed directive: the subgraph does not start.
  const policy = readPolicy(typeDefs, directiveNames(typeDefs, { authenticated: 'authenticated', requiresScopes: 'requiresScopes' }));
  const shape = shapeOfDocument(typeDefs);
  const fields: Array<{ type: string; field: string; requirement: Requirement }> = [];
  /** Object and interface types: those an `_entities` fetch may resolve. */
  const entityTypes = new Set<string>();
  for (const definition of typeDefs.definitions) {
    if (
      definition.kind !== Kind.OBJECT_TYPE_DEFINITION &&
      definition.kind !== Kind.OBJECT_TYPE_EXTENSION &&
      definition.kind !== Kind.INTERFACE_TYPE_DEFINITION &&
      definition.kind !== Kind.INTERFACE_TYPE_EXTENSION
    ) {
      continue;
    }
    entityTypes.add(definition.name.value);
    for (const field of definition.fields ?? []) {
      const requirement = fieldRequirement(policy, shape, definition.name.value, field.name.value, namedType(field.type));
      if (requirement) fields.push({ type: definition.name.value, field: field.name.value, requirement });
    }
  }
  const map = { ...(resolvers as ResolverMap) };
  const wrapped = (type: string): Record<string, unknown> => (map[type] = { ...(map[type] ?? {}) });
  for (const { type, field, requirement } of fields) {
    const target = wrapped(type);
    const original = target[field];
    const guard =
      (resolver: GraphQLFieldResolver<unknown, unknown>): GraphQLFieldResolver<unknown, unknown> =>
      (parent, args, context, info) => {
        check(requirement, context);
        return resolver(parent, args, context, info);
      };
    if (typeof original === 'object' && original !== null) {
      const { resolve, subscribe } = original as { resolve?: GraphQLFieldResolver<unknown, unknown>; subscribe?: GraphQLFieldResolver<unknown, unknown> };
      // A subscription field is checked when its stream is opened (subscribe) and again for each event (resolve).
      target[field] = { ...original, resolve: guard(resolve ?? defaultFieldResolver), ...(subscribe ? { subscribe: guard(subscribe) } : {}) };
    } else target[field] = guard((original as GraphQLFieldResolver<unknown, unknown> | undefined) ?? defaultFieldResolver);
  }
  for (const [type, requirement] of policy.types) {
    if (!entityTypes.has(type)) continue;
    const target = map[type];
    // Without a __resolveReference of its own, @apollo/subgraph resolves an entity to its representation.
    const original =
      typeof target?.__resolveReference === 'function' ? (target.__resolveReference as (r: unknown, c: unknown, i: unknown) => unknown) : (r: unknown) => r;
    wrapped(type).__resolveReference = (reference: unknown, context: unknown, info: unknown) => {
      check(requirement, context);
      return original(reference, context, info);
    };
  }
  return map as T;
}

/** GATEWAY_SUBGRAPH_SECRET, required (at least 32 characters): the subgraph answers only requests signed with it. */
export function readGatewaySecret(env: Readonly<Record<string, string | undefined>>): string {
  const secret = env.GATEWAY_SUBGRAPH_SECRET ?? '';
  if (secret.length < 32) {
    throw new ConfigError(
      'GATEWAY_SUBGRAPH_SECRET',
      'must be set to a secret of at least 32 characters, the one the gateway signs its requests with (`npm start` generates one)',
    );
  }
  return secret;
}

/**
 * GATEWAY_SUBGRAPH_SECRET_PREVIOUS, optional (at least 32 characters when set): during a
 * rotation, the secret being replaced, whose tokens are still accepted until it is removed.
 */
export function readPreviousGatewaySecret(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const secret = env.GATEWAY_SUBGRAPH_SECRET_PREVIOUS ?? '';
  if (secret === '') return undefined;
  if (secret.length < 32)
    throw new ConfigError('GATEWAY_SUBGRAPH_SECRET_PREVIOUS', 'must be unset or a secret of at least 32 characters, the one being rotated out');
  return secret;
}

/** The keys a token may be signed with: the current secret, then the previous one when set. */
export function gatewayKeys(current: string, previous?: string): Uint8Array[] {
  return [current, ...(previous ? [previous] : [])].map((secret) => new TextEncoder().encode(secret));
}
