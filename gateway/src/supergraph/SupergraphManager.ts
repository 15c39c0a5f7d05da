/**
 * The supergraph, from its file: read and validated once before the gateway starts
 * (a missing or invalid file stops start-up with a message naming the file and the
 * problem), then watched, so that a newly composed file is served without a restart.
 *
 * Watching: fs.watch on the file's *directory*, not on the file. Editors and `compose`
 * tools often write a temporary file and rename it over the old one; a watch on the old
 * file follows its inode, sees one `rename` and then nothing ever again. The directory
 * watch (inotify on Linux) sees every write and every rename into place, costs nothing
 * while idle and reacts at once, unlike fs.watchFile's stat polling. A burst of events
 * (truncate + several writes, or write-then-rename) is coalesced by a debounce, and the
 * content is compared with what is served, so a touch or a duplicate event is a no-op.
 * A plain (non-atomic) write slower than the debounce may be read half-written: it is
 * rejected as invalid (one log line) and the write's last event applies the whole file.
 * A Kubernetes ConfigMap volume is followed too: its update swaps the '..data' link the
 * file resolves through (the kubelet's atomic writer), and that event reloads the file.
 * Not covered: filesystems without inotify events (NFS, some container bind mounts);
 * there fs.watchFile polling would be the fallback.
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
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { SupergraphSdlUpdateFunction } from '@apollo/gateway';
import type { Logger } from 'pino';
import { readSupergraph } from './readSupergraph.js';
import { ServedSupergraph, type SupergraphEvents } from './ServedSupergraph.js';

/** The link a Kubernetes ConfigMap or Secret volume swaps to update its files. */
const KUBERNETES_DATA_LINK = '..data';

export { loadSupergraph, parseSupergraph, readSupergraph, SupergraphError, type SubgraphEndpoint } from './readSupergraph.js';
export { ServedSupergraph, revisionOf, type SupergraphEvents, type SupergraphFailure, type SupergraphSourceKind, type SupergraphStatus } from './ServedSupergraph.js';

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
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private reloading: Promise<void> = Promise.resolve();
  private readonly debounceMs: number;

  constructor(private readonly options: FileSupergraphOptions) {
    const { path, logger, events } = options;
    super({ source: 'file', label: 'supergraph file', origin: `supergraph file ${path}`, logFields: { path }, logger, ...(events ? { events } : {}) }, readSupergraph(path));
    this.debounceMs = options.debounceMs ?? 100;
  }

  protected start(update: SupergraphSdlUpdateFunction): void {
    if (!(this.options.watch ?? true)) return;
    const file = basename(this.options.path);
    this.watcher = watch(dirname(this.options.path), (_event, name) => {
      // Linux always names the entry; elsewhere a nameless event may be ours. A Kubernetes
      // ConfigMap or Secret volume never touches the file's own name: the file is a link
      // through '..data', and an update renames a new '..data' into place.
      if (name !== null && name !== file && name !== KUBERNETES_DATA_LINK) return;
      clearTimeout(this.timer);
      this.timer = setTimeout(() => {
        // One reload at a time: a burst that outlasts the debounce queues behind it.
        this.reloading = this.reloading.then(() => this.reload(update));
      }, this.debounceMs);
    });
    this.watcher.on('error', (error) => this.options.logger.error({ err: error, path: this.options.path }, 'supergraph watch failed; changes to the file will not be served'));
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
    clearTimeout(this.timer);
    this.watcher?.close();
    this.watcher = undefined;
    await this.reloading;
  }
}
