/**
 * What tracing must not switch on in a process (lib/tracing.ts): a global context
 * manager, or any AsyncLocalStorage or async hook, which on Node 20 taxes every promise of
 * the process whether its request is sampled or not. Alone in its file, so that its
 * worker has run nothing else (the subgraphs' request store is an AsyncLocalStorage of
 * its own, and would hide what this checks). The requests below are served as the gateway
 * serves them: a server span, child spans, trace headers out, spans exported.
 */
import { executionAsyncResource } from 'node:async_hooks';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver } from '../test/helpers/otlpReceiver.js';
import { injectTraceHeaders, isRecording, NOOP_SPAN, serveInSpan, startSpan, startTracing, withSpan } from './tracing.js';

/** True while no async hook tracks promises: the resource after an await is then the top-level one. */
async function promiseHooksOff(): Promise<boolean> {
  const top = executionAsyncResource();
  const after = await (async () => {
    await null;
    return executionAsyncResource();
  })();
  return after === top;
}

async function serve(sampled: boolean): Promise<void> {
  const req = new IncomingMessage(new Socket());
  req.method = 'POST';
  req.headers = { traceparent: `00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-${sampled ? '01' : '00'}` };
  const res = new ServerResponse(req);
  await serveInSpan(req, res, '/graphql', async (request) => {
    expect(isRecording(request)).toBe(sampled);
    startSpan('graphql.parse', {}, request).end();
    await withSpan('graphql.execute', {}, request, async (_span, execute) => {
      await withSpan('subgraph.fetch', {}, execute, async (_fetch, fetch) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        injectTraceHeaders(fetch, () => {});
      });
    });
    res.end();
  });
  res.emit('close');
}

let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
});
afterAll(async () => {
  await receiver.close();
});

it('registers no context manager and enables no async hook, for sampled and unsampled requests alike', async () => {
  expect(await promiseHooksOff()).toBe(true);
  vi.stubEnv('OTEL_TRACES_SAMPLER', 'parentbased_always_on');
  const tracing = await startTracing('graph360-test', { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' });
  vi.unstubAllEnvs();
  for (let i = 0; i < 5; i++) await Promise.all([serve(true), serve(false)]);
  await tracing.shutdown();
  // The sampled ones were traced (4 spans each), the others not at all.
  expect(receiver.spans).toHaveLength(5 * 4);
  expect(startSpan('after', {}, undefined)).toBe(NOOP_SPAN);
  // The API's context manager is still the no-op one: `context.with` does not change the active context.
  expect(context.with(trace.setSpan(ROOT_CONTEXT, NOOP_SPAN), () => context.active())).toBe(ROOT_CONTEXT);
  // And nothing enabled an async hook.
  expect(await promiseHooksOff()).toBe(true);
});
