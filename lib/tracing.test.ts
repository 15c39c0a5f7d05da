/**
 * lib/tracing.ts in process: off without an endpoint (no exporter made, nothing recorded,
 * no headers, no log fields), and on with one: spans exported over OTLP/HTTP to a
 * receiver, W3C trace context in and out, errors recorded, trace ids on log lines; the
 * protocol variables; nothing recorded for a request the sampler left out. (No context
 * manager nor async hook: tracingHooks.test.ts, in a worker of its own.)
 */
import { createServer, IncomingMessage, ServerResponse, type Server } from 'node:http';
import { Socket } from 'node:net';
import { Writable } from 'node:stream';
import type * as OtlpHttp from '@opentelemetry/exporter-trace-otlp-http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../subgraphs/kit/src/logger.js';
import { runInRequest } from '../subgraphs/kit/src/requestDeadline.js';
import { startOtlpReceiver, SPAN_KIND, type OtlpReceiver } from '../test/helpers/otlpReceiver.js';
import { ConfigError } from './env.js';
import {
  extractTraceContext,
  injectTraceHeaders,
  isRecording,
  NOOP_SPAN,
  requestTrace,
  serveInSpan,
  spanOf,
  startSpan,
  startTracing,
  traceIdOf,
  traceLogFields,
  tracesEndpoint,
  tracesProtocol,
  tracingEnabled,
  withSpan,
  withTraceHeaders,
  SpanKind,
} from './tracing.js';

const exporters = vi.hoisted(() => ({ made: 0 }));
vi.mock('@opentelemetry/exporter-trace-otlp-http', async (importOriginal) => {
  const original = await importOriginal<typeof OtlpHttp>();
  class CountedExporter extends original.OTLPTraceExporter {
    constructor(...args: ConstructorParameters<typeof original.OTLPTraceExporter>) {
      super(...args);
      exporters.made++;
    }
  }
  return { ...original, OTLPTraceExporter: CountedExporter };
});

function lines(): { stream: Writable; read: () => Array<Record<string, unknown>> } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return {
    stream,
    read: () =>
      text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('tracesEndpoint', () => {
  it('takes the traces endpoint as is, else the base endpoint with /v1/traces, else none', () => {
    expect(tracesEndpoint({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/custom', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x:4318' })).toBe(
      'http://c:4318/custom',
    );
    expect(tracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318/' })).toBe('http://c:4318/v1/traces');
    expect(tracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: ' ', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '' })).toBeUndefined();
    expect(tracesEndpoint({})).toBeUndefined();
  });
});

describe('tracesProtocol', () => {
  it('takes the traces protocol over the general one, http/protobuf by default, and refuses grpc naming the variable', () => {
    expect(tracesProtocol({})).toBe('http/protobuf');
    expect(tracesProtocol({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })).toBe('http/json');
    expect(tracesProtocol({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf' })).toBe('http/protobuf');
    expect(() => tracesProtocol({ OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc' })).toThrow(ConfigError);
    expect(() => tracesProtocol({ OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc' })).toThrow(
      /^OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: grpc is not supported; use http\/protobuf or http\/json/,
    );
    expect(() => tracesProtocol({ OTEL_EXPORTER_OTLP_PROTOCOL: 'thrift' })).toThrow(
      'OTEL_EXPORTER_OTLP_PROTOCOL: must be http/protobuf or http/json, got "thrift"',
    );
  });
});

/** A request and response as node:http makes them, for serveInSpan and requestTrace. */
function fakeRequest(headers: Record<string, string> = {}): { req: IncomingMessage; res: ServerResponse } {
  const req = new IncomingMessage(new Socket());
  req.method = 'POST';
  req.url = '/graphql';
  req.headers = headers;
  return { req, res: new ServerResponse(req) };
}

describe('tracing', () => {
  let receiver: OtlpReceiver;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
  });
  afterAll(async () => {
    await receiver.close();
  });

  // In order: off first (this worker has no tracer provider yet), then on.
  it('is off without an endpoint: no exporter, nothing recorded, no trace headers, no log fields', async () => {
    const tracing = await startTracing('graph360-test', {});
    expect(tracing).toMatchObject({ enabled: false, serviceName: 'graph360-test' });
    expect(tracingEnabled()).toBe(false);
    expect(exporters.made).toBe(0);
    const headers: Record<string, string> = {};
    const { req, res } = fakeRequest({ traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' });
    expect(requestTrace(req, res, '/graphql')).toBeUndefined();
    await withSpan('step', {}, undefined, async (span) => {
      expect(span.isRecording()).toBe(false);
      injectTraceHeaders(extractTraceContext(req.headers), (name, value) => (headers[name] = value));
    });
    expect(headers).toEqual({});
    const original = { accept: 'text/xml' };
    expect(withTraceHeaders(original, extractTraceContext(req.headers))).toBe(original);
    // A sandbox reads the caller's trace id whether or not it traces itself.
    expect(traceIdOf({ traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' })).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(traceIdOf({ traceparent: 'garbage' })).toBeUndefined();
    expect(traceIdOf({})).toBeUndefined();
    await tracing.shutdown();
    expect(receiver.requests).toBe(0);
  });

  it('is on with one: spans exported with the service name, context in and out, errors recorded, ids on log lines', async () => {
    const tracing = await startTracing('graph360-test', {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'graph360-named',
    });
    expect(tracing).toMatchObject({ enabled: true, serviceName: 'graph360-named', endpoint: `${receiver.url}/v1/traces`, protocol: 'http/json' });
    expect(exporters.made).toBe(1);
    const log = lines();
    const logger = createLogger('test', 'info', log.stream);

    const { req, res } = fakeRequest({ traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' });
    const outgoing: Record<string, string> = {};
    await serveInSpan(req, res, '/graphql', async (request) => {
      expect(isRecording(request)).toBe(true);
      // A subgraph's logger reads the request's trace context from the request's store.
      runInRequest(undefined, request, () => logger.info('inside'));
      await withSpan('call', { kind: SpanKind.CLIENT }, request, async (_span, call) => {
        injectTraceHeaders(call, (name, value) => (outgoing[name] = value));
      });
      await expect(withSpan('failing', {}, request, async () => Promise.reject(new Error('backend down')))).rejects.toThrow('backend down');
      expect(traceLogFields(request)).toEqual({ trace_id: '0af7651916cd43dd8448eb211c80319c', span_id: spanOf(request).spanContext().spanId });
      res.statusCode = 200;
      res.end();
    });
    res.emit('close');
    logger.info('outside');
    await tracing.shutdown();

    const spans = new Map(receiver.spans.map((span) => [span.name, span]));
    expect([...spans.keys()].sort()).toEqual(['POST /graphql', 'call', 'failing']);
    const request = spans.get('POST /graphql')!;
    expect(request).toMatchObject({
      service: 'graph360-named',
      scope: 'graph360',
      traceId: '0af7651916cd43dd8448eb211c80319c',
      parentSpanId: 'b7ad6b7169203331',
      kind: SPAN_KIND.SERVER,
    });
    expect(request.attributes).toMatchObject({ 'http.request.method': 'POST', 'http.route': '/graphql', 'http.response.status_code': 200 });
    expect(spans.get('call')).toMatchObject({ parentSpanId: request.spanId, kind: SPAN_KIND.CLIENT });
    expect(spans.get('failing')!.status).toBe(2);
    expect(spans.get('failing')!.events.map((event) => [event.name, event.attributes['exception.message']])).toEqual([['exception', 'backend down']]);
    // The outgoing request carries the client span's context.
    expect(outgoing.traceparent).toBe(`00-0af7651916cd43dd8448eb211c80319c-${spans.get('call')!.spanId}-01`);
    // Log lines inside a span carry its ids; outside, none.
    const [inside, outside] = log.read();
    expect(inside).toMatchObject({ msg: 'inside', trace_id: '0af7651916cd43dd8448eb211c80319c', span_id: request.spanId });
    expect(outside!.msg).toBe('outside');
    expect(outside).not.toHaveProperty('trace_id');
  });

  it('records nothing for a request sampled out, and passes its trace on', async () => {
    vi.stubEnv('OTEL_TRACES_SAMPLER', 'parentbased_traceidratio');
    vi.stubEnv('OTEL_TRACES_SAMPLER_ARG', '0');
    const tracing = await startTracing('graph360-test', { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' });
    vi.unstubAllEnvs();
    try {
      receiver.clear();
      // Sampled out at the root (ratio 0), and as the child of an unsampled traceparent.
      for (const flags of [undefined, '00']) {
        const { req, res } = fakeRequest(flags ? { traceparent: `00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-${flags}` } : {});
        await serveInSpan(req, res, '/graphql', async (request) => {
          expect(request).toBeDefined();
          expect(isRecording(request)).toBe(false);
          // No span is made under it: the helpers give NOOP_SPAN and call straight through.
          expect(startSpan('graphql.parse', {}, request)).toBe(NOOP_SPAN);
          await withSpan('graphql.execute', {}, request, async (span, ctx) => {
            expect(span).toBe(NOOP_SPAN);
            expect(ctx).toBe(request);
          });
          // Its trace still goes on, marked not sampled, so the next service decides the same.
          const outgoing: Record<string, string> = {};
          injectTraceHeaders(request, (name, value) => (outgoing[name] = value));
          expect(outgoing.traceparent).toMatch(flags ? /^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-00$/ : /^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
        });
        expect(res.listenerCount('close')).toBe(0);
      }
      await tracing.forceFlush();
      expect(receiver.spans).toEqual([]);
    } finally {
      await tracing.shutdown();
    }
  });

  it('exports in protobuf by default (OTLP/HTTP, application/x-protobuf)', async () => {
    const received: string[] = [];
    const server: Server = createServer((req, res) => {
      received.push(String(req.headers['content-type']));
      req.resume().on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      const tracing = await startTracing('graph360-test', { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${port}/v1/traces` });
      expect(tracing.protocol).toBe('http/protobuf');
      const { req, res } = fakeRequest();
      await serveInSpan(req, res, '/graphql', async () => {});
      res.emit('close');
      await tracing.shutdown();
      expect(received).toEqual(['application/x-protobuf']);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
