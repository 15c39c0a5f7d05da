/**
 * OpenTelemetry tracing for every service, with the official SDK: off unless an OTLP
 * endpoint is set, and then spans go to it over OTLP/HTTP in batches.
 *
 * Configured only by the standard variables, read by startTracing (the endpoint, the
 * protocol, the service name) and by the SDK itself (the rest):
 * - OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (the full URL, e.g. http://collector:4318/v1/traces)
 *   or OTEL_EXPORTER_OTLP_ENDPOINT (the collector's base URL; /v1/traces is added). Neither
 *   set: tracing is off. Nothing of the SDK is loaded, no exporter is made, and the
 *   helpers below return at once.
 * - OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, else OTEL_EXPORTER_OTLP_PROTOCOL: `http/protobuf`
 *   (the default, as the specification says) or `http/json`. `grpc` is refused at start.
 * - OTEL_SERVICE_NAME, else the service's own default (graph360-gateway, graph360-crm-subgraph…).
 * - OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG (default parentbased_always_on),
 *   OTEL_BSP_SCHEDULE_DELAY and the other OTEL_BSP_* batch settings, OTEL_EXPORTER_OTLP_HEADERS,
 *   OTEL_EXPORTER_OTLP_TIMEOUT, OTEL_RESOURCE_ATTRIBUTES.
 *
 * No context manager: the trace context is carried by hand. No global context manager
 * is registered, so no AsyncLocalStorage (and none of the async hooks it enables on Node
 * 20, which tax every promise of the process, traced or not) exists because of tracing.
 * Each request's context (a TraceContext, made by serveInSpan) travels on the objects
 * that already exist per request (the gateway's GatewayContext, the subgraph's request
 * scope), and every helper here takes its parent explicitly.
 *
 * Sampling is decided once per request, for its server span. A child is started only
 * under a recording parent: under a request that was sampled out, every helper returns
 * NOOP_SPAN without calling the SDK, and the request's context (a non-recording span
 * with the trace id and the `not sampled` flag) is what goes out in traceparent, so the
 * services downstream make the same decision. The call sites check isRecording before
 * building attributes or closures, so an untraced request runs the plain code path.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import {
  defaultTextMapGetter,
  isSpanContextValid,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  INVALID_SPAN_CONTEXT,
  type Attributes,
  type Context,
  type Span,
  type SpanOptions,
  type TextMapSetter,
  type Tracer,
} from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { ConfigError } from './env.js';

export type TracingEnv = Readonly<Record<string, string | undefined>>;

/**
 * The trace context of the work at hand: an OpenTelemetry Context holding the current
 * span (the request's server span, or a step's span under it). Undefined when tracing is
 * off or the work belongs to no request.
 */
export type TraceContext = Context;

export interface Tracing {
  readonly enabled: boolean;
  /** Where spans go (the traces URL), when on. */
  readonly endpoint?: string;
  /** How they go, when on. */
  readonly protocol?: OtlpProtocol;
  readonly serviceName: string;
  /** Exports what is still buffered, then stops the SDK. Call before the process exits. */
  shutdown(): Promise<void>;
  /** Exports what is buffered now. */
  forceFlush(): Promise<void>;
}

/** Spans of this project come from one tracer; its name is the instrumentation scope. */
export const TRACER_NAME = 'graph360';

/** The tracer, once startTracing turned tracing on; undefined while off. */
let tracer: Tracer | undefined;

/** True once startTracing turned tracing on in this process. */
export function tracingEnabled(): boolean {
  return tracer !== undefined;
}

/** The traces URL the standard variables give, or undefined (tracing off). */
export function tracesEndpoint(env: TracingEnv): string | undefined {
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (traces) return traces;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (base) return `${base.replace(/\/+$/, '')}/v1/traces`;
  return undefined;
}

export type OtlpProtocol = 'http/protobuf' | 'http/json';

/**
 * The OTLP protocol the standard variables ask for (the traces one over the general
 * one), http/protobuf when neither is set. A ConfigError naming the variable for grpc
 * (not supported: this project exports over HTTP only) or any other value.
 */
export function tracesProtocol(env: TracingEnv): OtlpProtocol {
  for (const name of ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL']) {
    const value = env[name]?.trim();
    if (!value) continue;
    if (value === 'http/protobuf' || value === 'http/json') return value;
    if (value === 'grpc') throw new ConfigError(name, 'grpc is not supported; use http/protobuf or http/json (OTLP over HTTP, port 4318)');
    throw new ConfigError(name, `must be http/protobuf or http/json, got "${value}"`);
  }
  return 'http/protobuf';
}

const OFF = (serviceName: string): Tracing => ({ enabled: false, serviceName, shutdown: async () => {}, forceFlush: async () => {} });

/**
 * Turns tracing on for this process when an OTLP endpoint is set (see the top of this
 * file); otherwise does nothing at all. Call once, at the entry point, before the service
 * starts serving. The SDK is imported here, only when it is needed. A bad protocol
 * throws a ConfigError, even with no endpoint set.
 */
// The entry points' runner (lib/runService.ts) passes no env: the process's own is the default, read only here, at startup.
// eslint-disable-next-line no-restricted-properties
export async function startTracing(defaultServiceName: string, env: TracingEnv = process.env): Promise<Tracing> {
  const serviceName = env.OTEL_SERVICE_NAME?.trim() || defaultServiceName;
  const protocol = tracesProtocol(env);
  const endpoint = tracesEndpoint(env);
  if (!endpoint) return OFF(serviceName);
  const [
    { BasicTracerProvider, BatchSpanProcessor },
    { OTLPTraceExporter },
    { defaultResource, detectResources, envDetector, resourceFromAttributes },
    { ATTR_SERVICE_NAME },
  ] = await Promise.all([
    import('@opentelemetry/sdk-trace-base'),
    protocol === 'http/json' ? import('@opentelemetry/exporter-trace-otlp-http') : import('@opentelemetry/exporter-trace-otlp-proto'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/semantic-conventions'),
  ]);
  // OTEL_RESOURCE_ATTRIBUTES, then our service name (OTEL_SERVICE_NAME or the default) over it.
  const resource = defaultResource()
    .merge(detectResources({ detectors: [envDetector] }))
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }));
  // The exporter reads the headers and timeout from the environment; the sampler
  // (OTEL_TRACES_SAMPLER) and the batch settings (OTEL_BSP_*) are read by the provider.
  // The provider is not registered globally: no context manager, no global propagator.
  const provider = new BasicTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: endpoint }))] });
  tracer = provider.getTracer(TRACER_NAME);
  return {
    enabled: true,
    endpoint,
    protocol,
    serviceName,
    forceFlush: () => provider.forceFlush(),
    async shutdown() {
      tracer = undefined;
      await provider.shutdown();
    },
  };
}

/** A span that records nothing: what the helpers give when there is nothing to record. */
export const NOOP_SPAN: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/**
 * True when spans started under `parent` are recorded: tracing is on and the span in
 * `parent` is recording (its request was sampled). Call sites check this before building
 * a span's attributes or the closure that runs in it.
 */
export function isRecording(parent: TraceContext | undefined): parent is TraceContext {
  return parent !== undefined && tracer !== undefined && trace.getSpan(parent)?.isRecording() === true;
}

/** The span `ctx` holds (NOOP_SPAN for none). */
export function spanOf(ctx: TraceContext | undefined): Span {
  return (ctx && trace.getSpan(ctx)) ?? NOOP_SPAN;
}

/** Marks a span as failed with this error (an exception event and status ERROR). */
export function recordError(span: Span, error: unknown): void {
  if (!span.isRecording()) return;
  if (error instanceof Error) span.recordException(error);
  else span.recordException(String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}

/**
 * A span started now under `parent`, for steps whose end is a callback: NOOP_SPAN when
 * `parent` is not recording (tracing off, the request sampled out, no request).
 */
export function startSpan(name: string, options: SpanOptions, parent: TraceContext | undefined): Span {
  if (!isRecording(parent)) return NOOP_SPAN;
  return tracer!.startSpan(name, options, parent);
}

/**
 * A span whose recording the sampler decides, under `parent` whatever it holds (a remote
 * span, a non-recording one, none): for work that is not a step of a traced request but
 * starts a trace of its own, such as a subscription. NOOP_SPAN when tracing is off.
 */
export function startSampledSpan(name: string, options: SpanOptions, parent: TraceContext = ROOT_CONTEXT): Span {
  return tracer === undefined ? NOOP_SPAN : tracer.startSpan(name, options, parent);
}

/** `parent` with `span` as its current span (`parent` itself for a span that records nothing). */
export function contextWith(parent: TraceContext | undefined, span: Span): TraceContext | undefined {
  return span === NOOP_SPAN || parent === undefined || !span.isRecording() ? parent : trace.setSpan(parent, span);
}

/**
 * Runs `fn` in a new span under `parent`, ended when `fn` settles; a throw is recorded on
 * it. `fn` gets the span and the context to hand to what it starts (child spans, trace
 * headers). When `parent` is not recording, `fn(NOOP_SPAN, parent)` is all that happens;
 * hot call sites check isRecording first and skip making `fn` at all.
 */
export function withSpan<T>(
  name: string,
  options: SpanOptions,
  parent: TraceContext | undefined,
  fn: (span: Span, ctx: TraceContext | undefined) => Promise<T>,
): Promise<T> {
  if (!isRecording(parent)) return fn(NOOP_SPAN, parent);
  return runInSpan(tracer!.startSpan(name, options, parent), parent, fn);
}

async function runInSpan<T>(span: Span, parent: TraceContext, fn: (span: Span, ctx: TraceContext | undefined) => Promise<T>): Promise<T> {
  try {
    return await fn(span, trace.setSpan(parent, span));
  } catch (error) {
    recordError(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** W3C trace context and baggage, used directly (no global propagator is registered). */
const propagator = new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] });
type HeaderSetter = (name: string, value: string) => void;
const callSetter: TextMapSetter<HeaderSetter> = { set: (set, name, value) => set(name, value) };
const recordSetter: TextMapSetter<Record<string, string>> = { set: (carrier, name, value) => (carrier[name] = value) };

/** Writes `ctx`'s trace context (traceparent, tracestate, baggage) through `set`: nothing when off or without a context. */
export function injectTraceHeaders(ctx: TraceContext | undefined, set: HeaderSetter): void {
  if (ctx === undefined || tracer === undefined) return;
  propagator.inject(ctx, set, callSetter);
}

/** `headers` with `ctx`'s trace context added: the same object when there is none to add. */
export function withTraceHeaders<H extends Record<string, unknown>>(headers: H, ctx: TraceContext | undefined): H {
  if (ctx === undefined || tracer === undefined) return headers;
  const added: Record<string, string> = {};
  propagator.inject(ctx, added, recordSetter);
  return { ...headers, ...added };
}

/** The trace context an incoming request carries (traceparent, baggage), as the parent of the request's spans. */
export function extractTraceContext(headers: IncomingHttpHeaders): TraceContext {
  return propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
}

/** The ids of `ctx`'s span for a log line (trace_id, span_id); none without a valid one. */
export function traceLogFields(ctx: TraceContext | undefined): { trace_id?: string; span_id?: string } {
  const span = ctx && trace.getSpan(ctx);
  if (!span) return {};
  const ids = span.spanContext();
  return isSpanContextValid(ids) ? { trace_id: ids.traceId, span_id: ids.spanId } : {};
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
 * Starts the server span of one HTTP request, child of the trace context the request
 * carries; the sampler decides here, once for the whole request. Returns the request's
 * TraceContext: undefined when tracing is off or for the paths above; else the context
 * with the server span (a non-recording one when sampled out, still carrying the trace
 * id downstream). A recording span ends when the response is over, with the status code
 * (a 5xx, or a response not completed, marks it failed).
 */
export function requestTrace(req: IncomingMessage, res: ServerResponse, path: string): TraceContext | undefined {
  if (tracer === undefined || UNTRACED_PATHS.has(path)) return undefined;
  const method = req.method ?? 'GET';
  const parent = extractTraceContext(req.headers);
  const span = tracer.startSpan(`${method} ${path}`, { kind: SpanKind.SERVER, attributes: serverAttributes(method, path) }, parent);
  if (span.isRecording()) res.once('close', () => endServerSpan(span, res));
  return trace.setSpan(parent, span);
}

function serverAttributes(method: string, path: string): Attributes {
  return { 'http.request.method': method, 'url.path': path, 'http.route': path };
}

function endServerSpan(span: Span, res: ServerResponse): void {
  span.setAttribute('http.response.status_code', res.statusCode);
  if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${res.statusCode}` });
  else if (!res.writableFinished) span.setStatus({ code: SpanStatusCode.ERROR, message: 'the response was not completed' });
  span.end();
}

/**
 * Serves one HTTP request with its TraceContext (requestTrace): `handle` gets it; a throw
 * is recorded on the server span. With tracing off, or for an untraced path, `handle(undefined)`.
 */
export async function serveInSpan(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  handle: (ctx: TraceContext | undefined) => Promise<void>,
): Promise<void> {
  const ctx = requestTrace(req, res, path);
  if (!isRecording(ctx)) return handle(ctx);
  try {
    await handle(ctx);
  } catch (error) {
    recordError(spanOf(ctx), error);
    throw error;
  }
}

export { SpanKind, SpanStatusCode, type Attributes, type Span };
