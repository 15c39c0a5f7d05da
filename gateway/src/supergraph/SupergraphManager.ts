/**
 * The supergraph, from its file: read and validated once before the gateway starts
 * (a missing or invalid file stops start-up with a message naming the file and the
 * problem), then watched, so that a newly composed file is served without a restart.
 *
 * Watching (lib/watchFile.ts): the file's directory, so that an editor's write-then-rename
 * and a Kubernetes ConfigMap's `..data` swap are seen as well as plain writes; the
 * content is compared with what is served, so a touch or a duplicate event is a no-op.
 * A plain (non-atomic) write slower than the debounce may be read half-written: it is
 * rejected as invalid (one log line) and the write's last event applies the whole file.
 *
 * Swapping (read in @apollo/gateway 2.14's ApolloGateway): `update` builds the new
 * schema and query planner synchronously and then replaces the fields the executor
 * reads; data sources are kept when a subgraph's URL is unchanged. A request that is
 * executing holds its query plan in a local variable and finishes with it; a request
 * validated but not yet planned is planned against the new schema. So a compatible
 * change (what a reload normally is) fails no request; an incompatible one (a removed
 * field) fails only requests that use what was removed. test/gateway.reload.test.ts
 * swaps under load with every request held mid-flight by a slow backend.
 *
 * What the file and the URL source (UrlSupergraphManager.ts) share, applying a new
 * supergraph and the status /health and /metrics report, is ServedSupergraph.ts.
 */
import { readFile } from 'node:fs/promises';
import type { SupergraphSdlUpdateFunction } from '@apollo/gateway';
import type { Logger } from 'pino';
import { readSupergraph } from './readSupergraph.js';
import { ServedSupergraph, type SupergraphEvents } from './ServedSupergraph.js';
import { watchFile, type FileWatch } from '../../../lib/watchFile.js';

export { loadSupergraph, parseSupergraph, readSupergraph, SupergraphError, type SubgraphEndpoint } from './readSupergraph.js';
export {
  ServedSupergraph,
  revisionOf,
  type SupergraphEvents,
  type SupergraphFailure,
  type SupergraphSourceKind,
  type SupergraphStatus,
} from './ServedSupergraph.js';

export interface FileSupergraphOptions {
  /** The supergraph file. */
  path: string;
  logger: Logger;
  /** Quiet time after the last file event before the file is read again, in ms. Default 100. */
  debounceMs?: number;
  /** Watch the file and apply changes. Default true. */
  watch?: boolean;
  /** Told of each revision served and each failure (metrics). */
  events?: SupergraphEvents;
}

/**
 * ApolloGateway's `supergraphSdl` option backed by a file. Construction reads and
 * validates the file (throwing SupergraphError); `initialize` hands it to the gateway
 * and starts the watch; the gateway calls `cleanup` when it stops.
 */
export class FileSupergraphManager extends ServedSupergraph {
  private watching: FileWatch | undefined;
  private readonly debounceMs: number;

  constructor(private readonly options: FileSupergraphOptions) {
    const { path, logger, events } = options;
    super(
      { source: 'file', label: 'supergraph file', origin: `supergraph file ${path}`, logFields: { path }, logger, ...(events ? { events } : {}) },
      readSupergraph(path),
    );
    this.debounceMs = options.debounceMs ?? 100;
  }

  protected start(update: SupergraphSdlUpdateFunction): void {
    if (!(this.options.watch ?? true)) return;
    this.watching = watchFile(this.options.path, {
      debounceMs: this.debounceMs,
      onChange: () => this.reload(update),
      onError: (error) => this.options.logger.error({ err: error, path: this.options.path }, 'supergraph watch failed; changes to the file will not be served'),
    });
  }

  private async reload(update: SupergraphSdlUpdateFunction): Promise<void> {
    const { path, logger } = this.options;
    let sdl: string;
    try {
      sdl = await readFile(path, 'utf8');
    } catch (error) {
      // Between the unlink and the rename of an atomic replace the file is briefly gone;
      // the rename's own event brings us back. Shown in /health, not counted as a failure.
      const code = (error as NodeJS.ErrnoException).code;
      logger.warn({ path, code }, 'supergraph file unreadable; still serving the previous supergraph');
      this.checked();
      this.failed('fetch', `supergraph file ${path} cannot be read (${code ?? (error as Error).message})`, false);
      return;
    }
    this.checked();
    this.apply(sdl, update);
  }

  protected async stop(): Promise<void> {
    const watching = this.watching;
    this.watching = undefined;
    await watching?.close();
  }
}
