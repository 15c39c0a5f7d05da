/**
 * Telling the gateway which cached entities a change made stale.
 *
 * - A mutation resolver calls markChanged(context, [{ __typename: 'Invoice', id }]); the
 *   changedEntitiesPlugin puts the list in the response's `extensions.invalidatedEntities`,
 *   and the gateway evicts those entities before it answers the client. The list lives in a
 *   WeakMap keyed by the operation's context, never in a module-level variable.
 * - A backend event (a payment webhook) has no GraphQL response to ride on:
 *   forwardInvalidation POSTs the entities to the gateway's /internal/invalidate with the
 *   shared secret, retrying briefly; it throws if the gateway did not take them, so the
 *   caller can have the event delivered again.
 */
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';

export interface ChangedEntity {
  __typename: string;
  id: string;
}

const changes = new WeakMap<object, Map<string, ChangedEntity>>();

/** Records that this operation changed these entities (duplicates are reported once). */
export function markChanged(context: object, entities: readonly ChangedEntity[]): void {
  let changed = changes.get(context);
  if (!changed) changes.set(context, (changed = new Map()));
  for (const entity of entities) changed.set(`${entity.__typename}:${entity.id}`, { __typename: entity.__typename, id: entity.id });
}

/** Adds `extensions.invalidatedEntities` to responses of operations that called markChanged. */
export function changedEntitiesPlugin(): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          const changed = changes.get(contextValue);
          if (!changed || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, invalidatedEntities: [...changed.values()] };
        },
      };
    },
  };
}

export interface ForwardInvalidationOptions {
  /** The gateway's base URL, e.g. http://127.0.0.1:4000. */
  gatewayUrl: string;
  /** The gateway's invalidation secret (GATEWAY_INVALIDATION_SECRET). */
  secret: string;
  /** Attempts in all. Default 3. */
  attempts?: number;
  /** Deadline of one attempt, in ms. Default 2000. */
  timeoutMs?: number;
  /** First pause between attempts, doubled each time, in ms. Default 100. */
  backoffMs?: number;
}

/** POSTs the entities to the gateway's /internal/invalidate; throws when every attempt failed. */
export async function forwardInvalidation(entities: readonly ChangedEntity[], options: ForwardInvalidationOptions): Promise<void> {
  if (entities.length === 0) return;
  const attempts = options.attempts ?? 3;
  const url = new URL('/internal/invalidate', options.gatewayUrl);
  let lastProblem = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${options.secret}` },
        body: JSON.stringify({ entities }),
        signal: AbortSignal.timeout(options.timeoutMs ?? 2000),
      });
      if (response.ok) return;
      lastProblem = `${response.status} ${(await response.text()).slice(0, 200)}`;
      // A refused secret or a bad body will not get better by being sent again.
      if (response.status === 400 || response.status === 401) break;
    } catch (error) {
      lastProblem = (error as Error).message;
    }
    if (attempt < attempts) await new Promise((resolve) => setTimeout(resolve, (options.backoffMs ?? 100) * 2 ** (attempt - 1)));
  }
  throw new Error(`the gateway at ${url.origin} did not take the invalidation of ${entities.map((e) => `${e.__typename}:${e.id}`).join(', ')}: ${lastProblem}`);
}
