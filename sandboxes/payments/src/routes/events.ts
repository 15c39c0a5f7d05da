/**
 * /v1/events (retrieve, list by type or types[] and created) and /v1/webhook_endpoints
 * (create, retrieve, update, list, delete). Endpoints created here are stored, get their
 * own signing secret (shown once, on create) and receive the events they enable.
 * Endpoints from PAYMENTS_SANDBOX_WEBHOOK_URLS are configuration, not listed here.
 * Events are shown for the retention period only (Stripe's 30 days): an older one is a
 * 404 resource_missing, as an unknown id, and is left out of lists.
 */
import type { HandlerContext, RouteDef } from '../context.js';
import { invalidRequest, noSuch } from '../errors.js';
import { newId } from '../ids.js';
import { createdFilter, LIST_PARAMS, listObject, listPage } from '../lists.js';
import { applyMetadata, type Params } from '../params.js';
import type { WebhookEndpointRecord } from '../records.js';
import { serializeEvent, serializeWebhookEndpoint } from '../serializers.js';

function retrieveEvent(ctx: HandlerContext, id: string) {
  const p = ctx.params(['expand']);
  const event = ctx.state.retainedEvent(id);
  if (!event) throw noSuch('event', id, 'id');
  return ctx.ok(serializeEvent(event), p);
}

function listEvents(ctx: HandlerContext) {
  const p = ctx.params([...LIST_PARAMS, 'type', 'types', 'created', 'delivery_success']);
  const type = p.string('type');
  const types = p.stringList('types');
  if (type !== undefined && types !== undefined) {
    throw invalidRequest('You may only specify one of these parameters: type, types.', { code: 'parameters_exclusive', param: 'types' });
  }
  const created = createdFilter(p);
  const deliverySuccess = p.boolean('delivery_success');
  // `type` may end in `*` (e.g. payment_intent.*), as in Stripe.
  const matchesType = (eventType: string): boolean => {
    if (type !== undefined) return type.endsWith('*') ? eventType.startsWith(type.slice(0, -1)) : eventType === type;
    return types === undefined || types.includes(eventType);
  };
  const table = ctx.state.events;
  // Events past retention are neither listed nor cursors, as if already pruned.
  const retained = (id: string) => (ctx.state.retainedEvent(id) ? table.entry(id) : undefined);
  const page = listPage(p, table.all.entries, retained, 'event', (id) => {
    const event = ctx.state.retainedEvent(id);
    if (!event) return false;
    if (deliverySuccess !== undefined && (event.pendingWebhooks === 0) !== deliverySuccess) return false;
    return matchesType(event.type) && (created === null || created(event.created));
  });
  return ctx.ok(
    listObject(
      '/v1/events',
      page.ids.map((id) => serializeEvent(table.get(id)!)),
      page.hasMore,
    ),
    p,
  );
}

function readEndpointFields(p: Params, current: WebhookEndpointRecord | null): Pick<WebhookEndpointRecord, 'url' | 'enabledEvents' | 'description'> {
  const url = p.string('url', { required: current === null }) ?? current!.url;
  let parsed: URL | null;
  try {
    parsed = new URL(url);
  } catch {
    parsed = null;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw invalidRequest(`Invalid URL: ${url}. URLs must be valid http or https URLs.`, { code: 'url_invalid', param: 'url' });
  }
  const enabledEvents = p.stringList('enabled_events') ?? current?.enabledEvents;
  if (!enabledEvents || enabledEvents.length === 0)
    throw invalidRequest('Missing required param: enabled_events.', { code: 'parameter_missing', param: 'enabled_events' });
  const description = p.nullableString('description');
  return { url, enabledEvents, description: description === undefined ? (current?.description ?? null) : description };
}

function endpointOrThrow(ctx: HandlerContext, id: string): WebhookEndpointRecord {
  const endpoint = ctx.state.webhookEndpoints.get(id);
  if (!endpoint || endpoint.deleted) throw noSuch('webhook endpoint', id, 'id');
  return endpoint;
}

function createEndpoint(ctx: HandlerContext) {
  const p = ctx.params(['url', 'enabled_events', 'description', 'metadata', 'api_version', 'expand']);
  const fields = readEndpointFields(p, null);
  p.string('api_version');
  const metadata = applyMetadata({}, p.metadata());
  const endpoint = ctx.state.webhookEndpoints.put({
    id: newId('we'),
    created: ctx.now(),
    ...fields,
    secret: newId('whsec', 32),
    metadata,
    disabled: false,
    deleted: false,
  });
  return ctx.ok(serializeWebhookEndpoint(endpoint, true), p);
}

function retrieveEndpoint(ctx: HandlerContext, id: string) {
  const p = ctx.params(['expand']);
  return ctx.ok(serializeWebhookEndpoint(endpointOrThrow(ctx, id)), p);
}

function updateEndpoint(ctx: HandlerContext, id: string) {
  const p = ctx.params(['url', 'enabled_events', 'description', 'metadata', 'disabled', 'expand']);
  const endpoint = endpointOrThrow(ctx, id);
  const fields = readEndpointFields(p, endpoint);
  const disabled = p.boolean('disabled') ?? endpoint.disabled;
  const metadata = applyMetadata(endpoint.metadata, p.metadata());
  const next = ctx.state.webhookEndpoints.put({ ...endpoint, ...fields, disabled, metadata });
  return ctx.ok(serializeWebhookEndpoint(next), p);
}

function deleteEndpoint(ctx: HandlerContext, id: string) {
  ctx.params([]);
  const endpoint = endpointOrThrow(ctx, id);
  ctx.state.webhookEndpoints.put({ ...endpoint, deleted: true });
  return { status: 200, body: { id, object: 'webhook_endpoint', deleted: true } };
}

function listEndpoints(ctx: HandlerContext) {
  const p = ctx.params([...LIST_PARAMS]);
  const table = ctx.state.webhookEndpoints;
  const page = listPage(
    p,
    table.all.entries,
    (id) => table.entry(id),
    'webhook endpoint',
    (id) => !table.get(id)!.deleted,
  );
  return ctx.ok(
    listObject(
      '/v1/webhook_endpoints',
      page.ids.map((id) => serializeWebhookEndpoint(table.get(id)!)),
      page.hasMore,
    ),
    p,
  );
}

export const eventRoutes: RouteDef[] = [
  { method: 'GET', pattern: '/v1/events', operation: 'events.list', handler: listEvents },
  { method: 'GET', pattern: '/v1/events/:id', operation: 'events.retrieve', handler: retrieveEvent },
  { method: 'GET', pattern: '/v1/webhook_endpoints', operation: 'webhook_endpoints.list', handler: listEndpoints },
  { method: 'POST', pattern: '/v1/webhook_endpoints', operation: 'webhook_endpoints.create', handler: createEndpoint },
  { method: 'GET', pattern: '/v1/webhook_endpoints/:id', operation: 'webhook_endpoints.retrieve', handler: retrieveEndpoint },
  { method: 'POST', pattern: '/v1/webhook_endpoints/:id', operation: 'webhook_endpoints.update', handler: updateEndpoint },
  { method: 'DELETE', pattern: '/v1/webhook_endpoints/:id', operation: 'webhook_endpoints.delete', handler: deleteEndpoint },
];
