/**
 * runService with a stand-in process: the signal handlers it registers are called
 * directly and exit() is recorded, so nothing signals or stops the test process.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from './env.js';
import { runService, type RunningService, type ServiceDefinition, type ServiceHost, type StopSignal } from './runService.js';
import type { Tracing } from './tracing.js';

function fakeHost(env: Record<string, string> = {}, tracingOn = false) {
  const handlers = new Map<StopSignal, Array<() => void>>();
  const exits: number[] = [];
  const out: string[] = [];
  const err: unknown[][] = [];
  const events: string[] = [];
  const tracing: Tracing = tracingOn
    ? {
        enabled: true,
        endpoint: 'http://collector/v1/traces',
        serviceName: 'svc-traced',
        shutdown: async () => void events.push('tracing shutdown'),
        forceFlush: async () => undefined,
      }
    : { enabled: false, serviceName: 'svc-traced', shutdown: async () => void events.push('tracing shutdown'), forceFlush: async () => undefined };
  const host: ServiceHost = {
    env,
    onSignal: (signal, handler) => handlers.set(signal, [...(handlers.get(signal) ?? []), handler]),
    exit: (code) => void exits.push(code),
    log: (line) => void out.push(line),
    error: (...parts) => void err.push(parts),
    startTracing: async (name) => {
      events.push(`tracing start ${name}`);
      return tracing;
    },
  };
  const signal = (name: StopSignal): void => {
    for (const handler of handlers.get(name) ?? []) handler();
  };
  return { host, handlers, exits, out, err, events, signal };
}

function service(events: string[], overrides: Partial<RunningService> = {}): RunningService {
  return {
    line: 'listening on http://127.0.0.1:1234/graphql (extra)',
    drain: async (ms) => void events.push(`drain ${ms}`),
    close: async () => void events.push('close'),
    ...overrides,
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('runService', () => {
  it('prints the listening line with its name, after the tracing line when tracing is on', async () => {
    const h = fakeHost({}, true);
    await runService({ name: 'crm subgraph', config: () => ({}), tracing: 'graph360-crm-subgraph', start: async () => service(h.events) }, h.host);
    expect(h.out).toEqual([
      '[crm subgraph] tracing on: spans of svc-traced to http://collector/v1/traces',
      '[crm subgraph] listening on http://127.0.0.1:1234/graphql (extra)',
    ]);
    expect(h.events).toEqual(['tracing start graph360-crm-subgraph']);
    expect(h.exits).toEqual([]);
    expect([...h.handlers.keys()].sort()).toEqual(['SIGINT', 'SIGTERM']);
  });

  it('starts no tracing for a service without a tracing name', async () => {
    const h = fakeHost({}, true);
    await runService({ name: 'crm sandbox', config: () => ({}), start: async () => service(h.events) }, h.host);
    expect(h.out).toEqual(['[crm sandbox] listening on http://127.0.0.1:1234/graphql (extra)']);
    expect(h.events).toEqual([]);
  });

  it('a ConfigError is one line naming the variable, and exit 1; nothing starts', async () => {
    const h = fakeHost();
    let started = false;
    const result = await runService(
      {
        name: 'erp sandbox',
        config: () => {
          throw new ConfigError('ERP_SANDBOX_PORT', 'must be a whole number');
        },
        tracing: 'x',
        start: async () => {
          started = true;
          return service(h.events);
        },
      },
      h.host,
    );
    expect(result).toBeUndefined();
    expect(started).toBe(false);
    expect(h.err).toEqual([['[erp sandbox] configuration error: ERP_SANDBOX_PORT: must be a whole number']]);
    expect(h.exits).toEqual([1]);
    expect(h.handlers.size).toBe(0);
    expect(h.events).toEqual([]);
  });

  it('a bad drain setting is a configuration error too', async () => {
    const h = fakeHost({ SHUTDOWN_DRAIN_MS: 'soon' });
    await runService(
      {
        name: 'svc',
        config: () => ({}),
        drainMs: (_c, env) => {
          throw new ConfigError('SHUTDOWN_DRAIN_MS', `got "${env.SHUTDOWN_DRAIN_MS}"`);
        },
        start: async () => service(h.events),
      },
      h.host,
    );
    expect(h.err).toEqual([['[svc] configuration error: SHUTDOWN_DRAIN_MS: got "soon"']]);
    expect(h.exits).toEqual([1]);
  });

  it('a start error: the service\'s own lines when it knows the error, else "cannot start:" with the error', async () => {
    const known = fakeHost();
    const definition = (error: Error): ServiceDefinition<object> => ({
      name: 'gateway',
      config: () => ({}),
      start: async () => {
        throw error;
      },
      startErrorLines: (e) => (e instanceof ConfigError ? ['cannot start: one', 'cannot start: two'] : undefined),
    });
    await runService(definition(new ConfigError('A', 'b')), known.host);
    expect(known.err).toEqual([['[gateway] cannot start: one'], ['[gateway] cannot start: two']]);
    expect(known.exits).toEqual([1]);

    const unknown = fakeHost();
    const boom = new Error('boom');
    await runService(definition(boom), unknown.host);
    expect(unknown.err).toEqual([['[gateway] cannot start:', boom]]);
    expect(unknown.exits).toEqual([1]);
  });

  it('SIGTERM drains for the drain delay, closes, shuts tracing down, exits 0', async () => {
    const h = fakeHost();
    await runService({ name: 'svc', config: () => ({ drain: 250 }), drainMs: (c) => c.drain, tracing: 't', start: async () => service(h.events) }, h.host);
    h.signal('SIGTERM');
    await settle();
    expect(h.events).toEqual(['tracing start t', 'drain 250', 'close', 'tracing shutdown']);
    expect(h.exits).toEqual([0]);
  });

  it('SIGINT stops at once: drain 0', async () => {
    const h = fakeHost();
    await runService({ name: 'svc', config: () => ({}), drainMs: () => 250, start: async () => service(h.events) }, h.host);
    h.signal('SIGINT');
    await settle();
    expect(h.events).toEqual(['drain 0', 'close']);
    expect(h.exits).toEqual([0]);
  });

  it('a second signal while stopping is ignored', async () => {
    const h = fakeHost();
    let onStop: StopSignal[] = [];
    let releaseDrain!: () => void;
    const run = await runService(
      {
        name: 'svc',
        config: () => ({}),
        drainMs: () => 1000,
        start: async () =>
          service(h.events, {
            drain: (ms) => {
              h.events.push(`drain ${ms}`);
              return new Promise<void>((resolve) => (releaseDrain = resolve));
            },
            onStop: (signal) => (onStop = [...onStop, signal]),
          }),
      },
      h.host,
    );
    h.signal('SIGTERM');
    h.signal('SIGINT');
    h.signal('SIGTERM');
    releaseDrain();
    await run!.stop('SIGINT');
    expect(onStop).toEqual(['SIGTERM']);
    expect(h.events).toEqual(['drain 1000', 'close']);
    expect(h.exits).toEqual([0]);
  });

  it('a service without drain just closes', async () => {
    const h = fakeHost();
    const run = await runService({ name: 'crm sandbox', config: () => ({}), start: async () => service(h.events, { drain: undefined }) }, h.host);
    await run!.stop('SIGTERM');
    expect(h.events).toEqual(['close']);
    expect(h.exits).toEqual([0]);
  });

  it('an error while stopping is reported and exits 1', async () => {
    const failing = new Error('close failed');
    const h = fakeHost();
    const run = await runService(
      { name: 'crm subgraph', config: () => ({}), start: async () => service(h.events, { close: () => Promise.reject(failing) }) },
      h.host,
    );
    await run!.stop('SIGINT');
    expect(h.err).toEqual([['[crm subgraph] error while stopping:', failing]]);
    expect(h.exits).toEqual([1]);

    const own: unknown[] = [];
    const h2 = fakeHost();
    const run2 = await runService(
      { name: 'p', config: () => ({}), start: async () => service(h2.events, { close: () => Promise.reject(failing), onStopError: (e) => void own.push(e) }) },
      h2.host,
    );
    await run2!.stop('SIGTERM');
    expect(own).toEqual([failing]);
    expect(h2.err).toEqual([]);
    expect(h2.exits).toEqual([1]);
  });
});
