/**
 * The web client's Apollo Client: operations go out by id (Apollo's PersistedQueryLink,
 * the SHA-256 of the printed document, which is the manifest's id: see
 * clients/codegen/persistedManifest.ts), so the app works with the gateway's safelist on.
 * A gateway without the document answers PERSISTED_QUERY_NOT_FOUND and the link sends it
 * once more with its text (APQ, safelist off); the safelist never registers a document.
 *
 * Subscriptions take the same chain, with no other link or dependency: HttpLink asks for
 * Apollo's multipart subscription protocol (Accept: multipart/mixed;subscriptionSpec=1.0)
 * for a subscription operation, the gateway streams one part per event, and the
 * persisted-query link sends it by id like any operation (the manifest holds it, so it
 * runs with the safelist on). Unsubscribing aborts the request, which ends it at the gateway.
 */
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { Defer20220824Handler } from '@apollo/client/incremental';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';

export interface WebClientOptions {
  /** The GraphQL endpoint. Default /graphql (the dev server proxies it to the gateway). */
  uri?: string;
  /** Sent as `Authorization: Bearer <token>` when given. */
  token?: string;
  /** fetch to use (tests record requests with their own). Default the global fetch. */
  fetch?: typeof fetch;
}

/** SHA-256 (hex) with Web Crypto: in browsers (secure contexts, localhost included) and Node 20. */
export async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

export function createWebLink(options: WebClientOptions = {}): ApolloLink {
  const http = new HttpLink({
    uri: options.uri ?? '/graphql',
    headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  return ApolloLink.from([new PersistedQueryLink({ sha256 }), http]);
}

/** @defer parts arrive as the gateway streams them (multipart, deferSpec=20220824). */
export function createWebClient(options: WebClientOptions = {}): ApolloClient {
  return new ApolloClient({ cache: new InMemoryCache(), link: createWebLink(options), incrementalHandler: new Defer20220824Handler() });
}
