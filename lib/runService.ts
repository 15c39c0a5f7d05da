/**
 * What every entry point (gateway, subgraphs, sandboxes) does around its own factory:
 *
 * - reads its configuration; a ConfigError is one line `[name] configuration error: …`
 *   (or the lines `startErrorLines` gives) and exit 1, never a stack;
 * - starts tracing when the service has a tracing name (lib/tracing.ts) and says so;
 * - starts the service and prints the one `[name] listening on <url> …` line that
 *   `npm start` and the tests wait for;
 * - stops on SIGINT at once, on SIGTERM (a rolling restart) after draining for the
 *   service's drain delay (lib/drain.ts): /ready turns 503 and the balancer has that long
 *   to notice. The first signal starts the stop; any later one is ignored. Then it closes
 *   the service, exports the spans still buffered, and exits 0 (1 when stopping failed).
 */
import { ConfigError, type Env } from './env.js';
import type { Tracing } from './tracing.js';

export type StopSignal = 'SIGINT' | 'SIGTERM';

/** A started service, as its `start` returns it. */
export interface RunningService {
  /** What follows `[name] ` on the listening line, e.g. `listening on http://127.0.0.1:4001/graphql`. */
  readonly line: string;
  /** Starts draining and resolves after `ms` (lib/drain.ts); absent when the service does not drain. */
  drain?(ms: number): Promise<void>;
  close(): Promise<void>;
  /** Called once, when the first signal arrives (a log line, say). */
  onStop?(signal: StopSignal): void;
  /** Reports an error while stopping; by default one `[name] error while stopping:` line with the error. */
  onStopError?(error: unknown): void;
}

export interface ServiceDefinition<C> {
  /** The label of every line: `crm subgraph` prints `[crm subgraph] …`. */
  readonly name: string;
  /** Reads (and checks) the configuration; a ConfigError stops start-up with one line. */
  config(env: Env): C;
  /** The SIGTERM drain delay in ms, read right after the configuration; 0 when absent. */
  drainMs?(config: C, env: Env): number;
  /** The service name spans carry when tracing is on; no tracing when absent. */
  readonly tracing?: string;
  start(config: C, tracing: Tracing): Promise<RunningService>;
  /**
   * The lines (after `[name] `) for an error that stops start-up and is the operator's to
   * fix, or undefined for an unexpected error (printed whole after `[name] cannot start:`).
   * By default a ConfigError is `configuration error: <message>`.
   */
  startErrorLines?(error: unknown): readonly string[] | undefined;
}

/** The process as runService uses it; tests pass their own. */
export interface ServiceHost {
  readonly env: Env;
  onSignal(signal: StopSignal, handler: () => void): void;
  exit(code: number): void;
  log(line: string): void;
  error(...parts: unknown[]): void;
  startTracing(serviceName: string): Promise<Tracing>;
}

export const processHost: ServiceHost = {
  env: process.env,
  onSignal: (signal, handler) => void process.on(signal, handler),
  exit: (code) => process.exit(code),
  log: (line) => console.log(line),
  error: (...parts) => console.error(...parts),
  // Loaded only by a service that traces: the sandboxes never load the OpenTelemetry SDK.
  startTracing: async (serviceName) => (await import('./tracing.js')).startTracing(serviceName),
};

const NO_TRACING: Tracing = { enabled: false, serviceName: '', shutdown: async () => undefined, forceFlush: async () => undefined };

function defaultStartErrorLines(error: unknown): readonly string[] | undefined {
  return error instanceof ConfigError ? [`configuration error: ${error.message}`] : undefined;
}

/**
 * Runs a service as its entry point: resolves once it listens (with `stop`, what the
 * signals call), or after printing why it could not start and exiting 1.
 */
export async function runService<C>(
  service: ServiceDefinition<C>,
  host: ServiceHost = processHost,
): Promise<{ stop(signal: StopSignal): Promise<void> } | undefined> {
  const label = `[${service.name}]`;
  let running: RunningService;
  let tracing = NO_TRACING;
  let drainMs = 0;
  try {
    const config = service.config(host.env);
    drainMs = service.drainMs?.(config, host.env) ?? 0;
    // Before the service's logger, whose lines then carry trace ids.
    if (service.tracing !== undefined) {
      tracing = await host.startTracing(service.tracing);
      if (tracing.enabled) host.log(`${label} tracing on: spans of ${tracing.serviceName} to ${tracing.endpoint}`);
    }
    running = await service.start(config, tracing);
  } catch (error) {
    const lines = (service.startErrorLines ?? defaultStartErrorLines)(error);
    if (lines === undefined) host.error(`${label} cannot start:`, error);
    else for (const line of lines) host.error(`${label} ${line}`);
    host.exit(1);
    return undefined;
  }
  host.log(`${label} ${running.line}`);

  let stopped: Promise<void> | undefined;
  const stop = (signal: StopSignal): Promise<void> => {
    if (stopped) return stopped;
    running.onStop?.(signal);
    const drained = running.drain ? running.drain(signal === 'SIGTERM' ? drainMs : 0) : Promise.resolve();
    // The spans still buffered are exported before the process exits.
    stopped = drained
      .then(() => running.close())
      .then(() => tracing.shutdown())
      .then(
        () => host.exit(0),
        (error: unknown) => {
          if (running.onStopError) running.onStopError(error);
          else host.error(`${label} error while stopping:`, error);
          host.exit(1);
        },
      );
    return stopped;
  };
  host.onSignal('SIGINT', () => void stop('SIGINT'));
  host.onSignal('SIGTERM', () => void stop('SIGTERM'));
  return { stop };
}
