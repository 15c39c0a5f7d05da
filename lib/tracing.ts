/**
 * OpenTelemetry tracing for every service, with the official SDK: off unless an OTLP
 * endpoint is set, and then spans go to it over OTLP/HTTP (JSON) in batches.
 *
 * Configured only by the standard variables, read by startTracing (the endpoint, the
 * service name) and by the SDK itself (the rest):
 * - OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (the full URL, e.g. http://collector:4318/v1/traces)
 *   or OTEL_EXPORTER_OTLP_ENDPOINT (the collector's base URL; /v1/traces is added). Neither
 *   set: tracing is off. Nothing of the SDK is loaded, no exporter is made, the API's
 *   no-op tracer stays in place, and the helpers below return at once.
 * - OTEL_SERVICE_NAME, else the service's own default (graph360-gateway, graph360-crm-subgraph…).
 * - OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG (default parentbased_always_on),
 *   OTEL_BSP_SCHEDULE_DELAY and the other OTEL_BSP_* batch settings, OTEL_EXPORTER_OTLP_HEADERS,
 *   OTEL_EXPORTER_OTLP_TIMEOUT, OTEL_RESOURCE_ATTRIBUTES.
 *
 * Spans are explicit (no auto-instrumentation patching modules): each service makes the
 * few it needs with the helpers here. W3C trace context (traceparent, tracestate) comes in
 * with extractTraceContext and goes out with injectTraceHeaders. Log lines carry the
 * active span's ids through traceLogFields (a pino mixin, installed only when tracing is on).
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import {
  context,
  defaultTextMapGetter,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  INVALID_SPAN_CONTEXT,
  type Attributes,
  type Context,
  type Span,
  type SpanOptions,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

export type TracingEnv = Readonly<Record<string, string | undefined>>;

export interface Tracing {
  readonly enabled: boolean;
  /** Where spans go (the traces URL), when on. */
  readonly endpoint?: string;
  readonly serviceName: string;
  /** Exports what is still buffered, then stops the SDK. Call before the process exits. */
  shutdown(): Promise<void>;
  /** Exports what is buffered now. */
  forceFlush(): Promise<void>;
}

/** Spans of this project come from one tracer; its name is the instrumentation scope. */
export const TRACER_NAME = 'graph360';
const tracer = trace.getTracer(TRACER_NAME);

let enabled = false;

/** True once startTracing turned tracing on in this process. */
export function tracingEnabled(): boolean {
  return enabled;
}

/** The traces URL the standard variables give, or undefined (tracing off). */
export function tracesEndpoint(env: TracingEnv): string | undefined {
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (traces) return traces;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (base) return `${base.replace(/\/+$/, '')}/v1/traces`;
  return undefined;
}

const OFF = (serviceName: string): Tracing => ({ enabled: false, serviceName, shutdown: async () => {}, forceFlush: async () => {} });

/**
 * Turns tracing on for this process when an OTLP endpoint is set (see the top of this
 * file); otherwise does nothing at all. Call once, at the entry point, before the service
 * starts serving. The SDK is imported here, only when it is needed.
 */
export async function startTracing(defaultServiceName: string, env: TracingEnv = process.env): Promise<Tracing> {
  const serviceName = env.OTEL_SERVICE_NAME?.trim() || defaultServiceName;
  const endpoint = tracesEndpoint(env);
  if (!endpoint) return OFF(serviceName);
  const [{ NodeTracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { defaultResource, detectResources, envDetector, resourceFromAttributes }, { ATTR_SERVICE_NAME }] =
    await Promise.all([
      import('@opentelemetry/sdk-trace-node'),
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/resources'),
      import('@opentelemetry/semantic-conventions'),
    ]);
  // OTEL_RESOURCE_ATTRIBUTES, then our service name (OTEL_SERVICE_NAME or the default) over it.
  const resource = defaultResource().merge(detectResources({ detectors: [envDetector] })).merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }));
  // The exporter reads the endpoint, headers and timeout from the environment; the sampler
  // (OTEL_TRACES_SAMPLER) and the batch settings (OTEL_BSP_*) are read by the SDK.
  const provider = new NodeTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: endpoint }))] });
  // The AsyncLocalStorage context manager and the W3C propagators (trace context and baggage).
  provider.register();
  enabled = true;
  return {
    enabled: true,
    endpoint,
    serviceName,
    forceFlush: () => provider.forceFlush(),
    async shutdown() {
      enabled = false;
      await provider.shutdown();
    },
  };
}

/** A span that records nothing: what the helpers hand their callback when tracing is off. */
export const NOOP_SPAN: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/** Marks a span as failed with this error (an exception event and status ERROR). */
export function recordError(span: Span, error: unknown): void {
  if (!span.isRecording()) return;
  if (error instanceof Error) span.recordException(error);
  else span.recordException(String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}

/**
 * Runs `fn` in a new span, active for everything `fn` starts (its child spans, its log
 * lines, the trace headers of its outgoing requests), ended when `fn` settles; a throw is
 * recorded on it. With tracing off, `fn` runs as is with NOOP_SPAN.
 */
export function withSpan<T>(name: string, options: SpanOptions, fn: (span: Span) => Promise<T>, parent?: Context): Promise<T> {
  if (!enabled) return fn(NOOP_SPAN);
  return tracer.startActiveSpan(name, options, parent ?? context.active(), async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      recordError(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** A span started now, not made active (for steps whose end is a callback): NOOP_SPAN when off. */
export function startSpan(name: string, options: SpanOptions = {}, parent?: Context): Span {
  if (!enabled) return NOOP_SPAN;
  return tracer.startSpan(name, options, parent ?? context.active());
}

/** The active context with `span` in it (for running code as the child of a span started with startSpan). */
export function contextWith(span: Span): Context {
  return trace.setSpan(context.active(), span);
}

/** Runs `fn` with `ctx` as the active context. */
export function runInContext<T>(ctx: Context, fn: () => T): T {
  return enabled ? context.with(ctx, fn) : fn();
}

/** Writes the active trace context (traceparent, tracestate) through `set`: nothing when off or outside a span. */
export function injectTraceHeaders(set: (name: string, value: string) => void): void {
  if (!enabled) return;
  propagation.inject(context.active(), undefined, { set: (_carrier, name, value) => set(name, value) });
}

/** `headers` with the active trace context added: the same object when tracing is off. */
export function withTraceHeaders<H extends Record<string, unknown>>(headers: H): H {
  if (!enabled) return headers;
  const added: Record<string, string> = {};
  injectTraceHeaders((name, value) => (added[name] = value));
  return { ...headers, ...added };
}

/** The trace context an incoming request carries (traceparent), as the parent of the request's spans. */
export function extractTraceContext(headers: IncomingHttpHeaders): Context {
  return propagation.extract(ROOT_CONTEXT, headers);
}

/** pino `mixin`: the active span's ids on every log line (none outside a span, or when off). */
export function traceLogFields(): { trace_id?: string; span_id?: string } {
  if (!enabled) return {};
  const span = trace.getSpan(context.active());
  if (!span) return {};
  const ids = span.spanContext();
  return isSpanContextValid(ids) ? { trace_id: ids.traceId, span_id: ids.spanId } : {};
}

/** The pino options that add traceLogFields to every line when tracing is on; none when off. */
export function traceLogOptions(): { mixin?: () => Record<string, string> } {
  return enabled ? { mixin: traceLogFields as () => Record<string, string> } : {};
}

const w3c = new W3CTraceContextPropagator();

/**
 * The trace id of a request's traceparent header, read with the W3C propagator alone
 * (whether this process traces or not): for services that only log what they serve,
 * such as the sandboxes. Undefined without a valid traceparent.
 */
export function traceIdOf(headers: IncomingHttpHeaders): string | undefined {
  if (headers.traceparent === undefined) return undefined;
  const ids = trace.getSpanContext(w3c.extract(ROOT_CONTEXT, headers, defaultTextMapGetter));
  return ids && isSpanContextValid(ids) ? ids.traceId : undefined;
}

/** Paths that are not worth a span: health checks and metrics scrapes. */
const UNTRACED_PATHS = new Set(['/health', '/ready', '/metrics']);

/**
 * Serves one HTTP request inside a server span whose parent is the trace context the
 * request carries: `handle` runs with it active; it ends when the response is over, with
 * the status code (a 5xx marks it failed). With tracing off, or for the paths above,
 * `handle` runs as is.
 */
export function serveInSpan(req: IncomingMessage, res: ServerResponse, path: string, handle: () => Promise<void>): Promise<void> {
  if (!enabled || UNTRACED_PATHS.has(path)) return handle();
  const method = req.method ?? 'GET';
  const parent = extractTraceContext(req.headers);
  const span = tracer.startSpan(
    `${method} ${path}`,
    { kind: SpanKind.SERVER, attributes: { 'http.request.method': method, 'url.path': path, 'http.route': path } satisfies Attributes },
    parent,
  );
  res.once('close', () => {
    span.setAttribute('http.response.status_code', res.statusCode);
    if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${res.statusCode}` });
    else if (!res.writableFinished) span.setStatus({ code: SpanStatusCode.ERROR, message: 'the response was not completed' });
    span.end();
  });
  return context.with(trace.setSpan(parent, span), async () => {
    try {
      await handle();
    } catch (error) {
      recordError(span, error);
      throw error;
    }
  });
}

export { SpanKind, SpanStatusCode, type Attributes, type Span };
