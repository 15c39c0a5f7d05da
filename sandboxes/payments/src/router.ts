/**
 * Turns a request into a counted operation and runs it the way Stripe's API front does:
 * authentication, then the route, then (inside run, so injected faults come first)
 * parameter parsing, the idempotency check, the handler and its events in one
 * transaction, and the response with Stripe's headers (Request-Id, Stripe-Version,
 * Idempotency-Key, Idempotent-Replayed).
 */
import type { RoutedCall, SandboxRequest, SandboxResponse } from '../../kit/src/index.js';
import { checkAuth, presentedKey } from './auth.js';
import { HandlerContext, type RouteDef } from './context.js';
import { errorResponse, invalidRequest, jsonBody, JSON_CONTENT_TYPE, StripeApiError, unrecognizedUrl } from './errors.js';
import { readExpand } from './expand.js';
import { canonicalForm, parseForm, type FormObject } from './form.js';
import { hashParams, isSaved, type IdempotencyKeys } from './idempotency.js';
import { newRequestId } from './ids.js';
import type { PaymentsState } from './PaymentsState.js';
import type { DeliveryRecord } from './records.js';
import type { WebhookEndpoints } from './webhooks/endpoints.js';
import { recordEvent } from './webhooks/recordEvent.js';

export interface RouterDeps {
  state: PaymentsState;
  idempotency: IdempotencyKeys;
  endpoints: WebhookEndpoints;
  secretKey: string;
  apiVersion: string;
  routes: readonly RouteDef[];
  /** Called with the deliveries of a committed request. */
  deliver: (deliveries: DeliveryRecord[]) => void;
}

interface CompiledRoute extends RouteDef {
  regex: RegExp;
}

function compile(route: RouteDef): CompiledRoute {
  const source = route.pattern.replace(/:[a-z]+/g, '([^/]+)');
  return { ...route, regex: new RegExp(`^${source}$`) };
}

function header(request: SandboxRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function readParams(request: SandboxRequest): FormObject {
  const query = parseForm(request.query);
  if (request.method !== 'POST') return query;
  // POST parameters come in the body; Stripe also reads any given in the query string.
  return { ...query, ...parseForm(request.body.toString('utf8')) };
}

export function createRouter(deps: RouterDeps): (request: SandboxRequest) => RoutedCall | SandboxResponse {
  const routes = deps.routes.map(compile);

  const run = (route: CompiledRoute, ids: string[], request: SandboxRequest, headers: Record<string, string>): SandboxResponse => {
    const requestId = headers['request-id']!;
    const idempotencyKey = request.method === 'POST' ? (header(request, 'idempotency-key') ?? null) : null;
    if (idempotencyKey !== null) headers['idempotency-key'] = idempotencyKey;
    try {
      const version = header(request, 'stripe-version');
      if (version !== undefined && !/^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$/.test(version)) {
        throw invalidRequest(`Invalid Stripe API version: ${version}`, { param: 'Stripe-Version' });
      }
      const raw = readParams(request);
      // Checked before anything is written, so that expanding the answer cannot fail afterwards.
      readExpand(raw);
      const apiKey = presentedKey(header(request, 'authorization')) ?? '';
      const paramsHash = idempotencyKey === null ? '' : hashParams(canonicalForm(raw));
      if (idempotencyKey !== null) {
        const found = deps.idempotency.check(apiKey, idempotencyKey, request.method, request.path, paramsHash);
        if (found.kind === 'replay') {
          const replayHeaders = { ...headers, 'idempotent-replayed': 'true', 'original-request': found.response.requestId };
          return { status: found.response.status, headers: { 'content-type': JSON_CONTENT_TYPE, ...replayHeaders }, body: found.response.body };
        }
      }
      const ctx = new HandlerContext(deps.state, raw, requestId, idempotencyKey);
      const deliveries: DeliveryRecord[] = [];
      const response = deps.state.transaction(() => {
        const result = route.handler(ctx, ...ids);
        const origin = { id: requestId, idempotencyKey };
        for (const event of ctx.events) {
          deliveries.push(...recordEvent(deps.state, deps.endpoints, deps.apiVersion, event.type, event.object, event.previous, origin));
        }
        const body = jsonBody(result.body);
        if (idempotencyKey !== null && isSaved(result.status)) {
          deps.idempotency.save(apiKey, idempotencyKey, request.method, request.path, paramsHash, { status: result.status, body, requestId });
        }
        return { status: result.status, body };
      });
      deps.deliver(deliveries);
      return { status: response.status, headers: { 'content-type': JSON_CONTENT_TYPE, ...headers }, body: response.body };
    } catch (error) {
      if (error instanceof StripeApiError) return errorResponse(error, headers);
      throw error;
    }
  };

  return (request) => {
    const headers: Record<string, string> = {
      'request-id': newRequestId(),
      'stripe-version': header(request, 'stripe-version') ?? deps.apiVersion,
      'access-control-allow-origin': '*',
      'cache-control': 'no-cache, no-store',
    };
    const authError = checkAuth(header(request, 'authorization'), deps.secretKey);
    if (authError) return { operation: 'auth.rejected', run: () => errorResponse(authError, headers) };
    for (const route of routes) {
      if (route.method !== request.method) continue;
      const match = route.regex.exec(request.path);
      if (!match) continue;
      let ids: string[];
      try {
        ids = match.slice(1).map((part) => decodeURIComponent(part));
      } catch {
        break;
      }
      return { operation: route.operation, run: () => run(route, ids, request, headers) };
    }
    return errorResponse(unrecognizedUrl(request.method, request.path), headers);
  };
}
