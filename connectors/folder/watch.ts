import { watch } from 'node:fs';
import { sep } from 'node:path';
import { exclusionMatcher } from './settings.js';
import { ignoredName } from './walk.js';

export interface WatchOptions {
  /** Quiet time after the last change before `onChange` is called. Default 2 s. */
  debounceMs?: number;
  /** Longest wait while changes keep coming (a large file copied slowly). Default 10 × `debounceMs`. */
  maxWaitMs?: number;
  /** The connector's `exclude` patterns: changes there do not count. */
  exclude?: readonly string[];
  /** The watcher failed (the folder went away, the inotify limit was reached); it stops reporting. */
  onError?: (error: Error) => void;
}

/**
 * Watches a folder and everything below it (fs.watch `recursive`: Windows and macOS natively, Linux since
 * Node 20) and calls `onChange` with the changed relative paths once changes settle, so the scheduler can start a
 * sync soon after an edit. Hidden and Office owner files and excluded paths do not count. Returns the function
 * that stops watching. Throws when the folder cannot be watched.
 *
 * An accelerator, not a replacement for the schedule: on an SMB or NFS mount the host is only told about changes
 * made through this host, not by other clients of the file server, and events can be dropped under load.
 */
export function watchFolder(
  root: string,
  onChange: (changed: string[]) => void,
  options: WatchOptions = {},
): () => void {
  const debounceMs = options.debounceMs ?? 2000;
  const maxWaitMs = options.maxWaitMs ?? debounceMs * 10;
  const isExcluded = exclusionMatcher(options.exclude ?? []);
  const pending = new Set<string>();
  let quietTimer: NodeJS.Timeout | undefined;
  let firstPendingAt = 0;

  const report = (error: unknown): void =>
    options.onError?.(error instanceof Error ? error : new Error(String(error)));

  const flush = (): void => {
    quietTimer = undefined;
    const changed = [...pending].sort();
    pending.clear();
    try {
      onChange(changed);
    } catch (error) {
      report(error);
    }
  };

  // `persistent: false`: a watcher alone never keeps the process from exiting.
  const watcher = watch(root, { recursive: true, persistent: false }, (_event, filename) => {
    // Some platforms leave the name out; the change still counts, for an unknown path.
    const relative = filename ? filename.toString().split(sep).join('/') : '';
    if (relative && (relative.split('/').some(ignoredName) || isExcluded(relative))) return;
    const now = Date.now();
    if (pending.size === 0) firstPendingAt = now;
    pending.add(relative);
    clearTimeout(quietTimer);
    quietTimer = setTimeout(flush, Math.max(0, Math.min(debounceMs, firstPendingAt + maxWaitMs - now)));
  });
  watcher.on('error', report);

  return () => {
    clearTimeout(quietTimer);
    pending.clear();
    watcher.close();
  };
}
