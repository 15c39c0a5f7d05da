/**
 * Watching one file for new content, the way files are really replaced, for what is
 * reloaded without a restart (the supergraph, the safelist manifest).
 *
 * fs.watch on the file's *directory*, not on the file: editors and compose tools write a
 * temporary file and rename it over the old one, and a watch on the old file follows its
 * inode, sees one `rename` and then nothing ever again. The directory watch (inotify on
 * Linux) sees every write and every rename into place, costs nothing while idle and reacts
 * at once, unlike fs.watchFile's stat polling. A Kubernetes ConfigMap or Secret volume never
 * touches the file's own name: the file is a link through `..data`, and an update renames
 * a new `..data` into place (the kubelet's atomic writer); that event counts too.
 *
 * A burst of events (truncate and several writes, or write-then-rename) is coalesced by a
 * debounce, and `onChange` runs one call at a time: it should compare the content with
 * what it has, since a touch or a duplicate event also calls it. Not covered: filesystems
 * without inotify events (NFS, some container bind mounts), where fs.watchFile polling
 * would be the fallback.
 */
import { watch } from 'node:fs';
import { basename, dirname } from 'node:path';

/** The link a Kubernetes ConfigMap or Secret volume swaps to update its files. */
const KUBERNETES_DATA_LINK = '..data';

export interface FileWatch {
  /** Stops watching, and resolves once a change being handled has been. */
  close(): Promise<void>;
}

export function watchFile(path: string, options: { onChange: () => Promise<void>; onError: (error: Error) => void; debounceMs?: number }): FileWatch {
  const file = basename(path);
  let timer: NodeJS.Timeout | undefined;
  let handling: Promise<void> = Promise.resolve();
  const watcher = watch(dirname(path), (_event, name) => {
    // Linux always names the entry; elsewhere a nameless event may be ours.
    if (name !== null && name !== file && name !== KUBERNETES_DATA_LINK) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      // One change at a time: a burst that outlasts the debounce queues behind it.
      handling = handling.then(options.onChange).catch(options.onError);
    }, options.debounceMs ?? 100);
  });
  watcher.on('error', options.onError);
  return {
    async close() {
      clearTimeout(timer);
      watcher.close();
      await handling;
    },
  };
}
