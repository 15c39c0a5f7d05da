/**
 * lib/tracing.ts in process: off without an endpoint (no exporter made, nothing recorded,
 * no headers, no log fields), and on with one: spans exported over OTLP/HTTP to a
 * receiver, W3C trace context in and out, errors recorded, trace ids on log lines.
 */
import { Writable } from 'node:stream';
import type * as OtlpHttp from '@opentelemetry/exporter-trace-otlp-http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../subgraphs/kit/src/logger.js';
import { startOtlpReceiver, SPAN_KIND, type OtlpReceiver } from '../test/helpers/otlpReceiver.js';
import {
  extractTraceContext,
  injectTraceHeaders,
  runInContext,
  startTracing,
  traceIdOf,
  traceLogOptions,
  tracesEndpoint,
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
  return { stream, read: () => text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('tracesEndpoint', () => {
  it('takes the traces endpoint as is, else the base endpoint with /v1/traces, else none', () => {
    expect(tracesEndpoint({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/custom', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x:4318' })).toBe('http://c:4318/custom');
    expect(tracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318/' })).toBe('http://c:4318/v1/traces');
    expect(tracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: ' ', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '' })).toBeUndefined();
    expect(tracesEndpoint({})).toBeUndefined();
  });
});

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
    await withSpan('step', {}, async (span) => {
      expect(span.isRecording()).toBe(false);
      injectTraceHeaders((name, value) => (headers[name] = value));
    });
    expect(headers).toEqual({});
    const original = { accept: 'text/xml' };
    expect(withTraceHeaders(original)).toBe(original);
    expect(traceLogOptions()).toEqual({});
    // A sandbox reads the caller's trace id whether or not it traces itself.
    expect(traceIdOf({ traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' })).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(traceIdOf({ traceparent: 'garbage' })).toBeUndefined();
    expect(traceIdOf({})).toBeUndefined();
    await tracing.shutdown();
    expect(receiver.requests).toBe(0);
  });

  it('is on with one: spans exported with the service name, context in and out, errors recorded, ids on log lines', async () => {
    const tracing = await startTracing('graph360-test', { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'graph360-named' });
    expect(tracing).toMatchObject({ enabled: true, serviceName: 'graph360-named', endpoint: `${receiver.url}/v1/traces` });
    expect(exporters.made).toBe(1);
    const log = lines();
    const logger = createLogger('test', 'info', log.stream);

    const incoming = extractTraceContext({ traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' });
    const outgoing: Record<string, string> = {};
    await runInContext(incoming, () =>
      withSpan('request', { kind: SpanKind.SERVER }, async () => {
        logger.info('inside');
        await withSpan('call', { kind: SpanKind.CLIENT }, async () => {
          injectTraceHeaders((name, value) => (outgoing[name] = value));
        });
        await expect(withSpan('failing', {}, async () => Promise.reject(new Error('backend down')))).rejects.toThrow('backend down');
      }),
    );
    logger.info('outside');
    await tracing.shutdown();

    const spans = new Map(receiver.spans.map((span) => [span.name, span]));
    expect([...spans.keys()].sort()).toEqual(['call', 'failing', 'request']);
    const request = spans.get('request')!;
    expect(request).toMatchObject({ service: 'graph360-named', scope: 'graph360', traceId: '0af7651916cd43dd8448eb211c80319c', parentSpanId: 'b7ad6b7169203331', kind: SPAN_KIND.SERVER });
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
});
