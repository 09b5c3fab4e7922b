import type { Stats } from 'node:fs';
import { opendir, stat } from 'node:fs/promises';
import { z } from 'zod';
import type {
  Checkpoint,
  ConnectorContext,
  ConnectorSource,
  ItemFailure,
  SourceDocument,
  SyncWindow,
} from '../../core/contract/connector.js';
import { AppError } from '../../core/contract/errors.js';
import { itemFailure, readFailureReason, readFolderFile } from './read.js';
import type { FolderSettings } from './settings.js';
import { exclusionMatcher, includedExtensions } from './settings.js';
import type { FolderEntry } from './walk.js';
import { folderAccessError, untilAborted, walkFolder } from './walk.js';
import { watchFolder } from './watch.js';

/** How much one `load` call reads before it returns a checkpoint (the runner commits after each page). */
export interface PageLimits {
  maxFiles: number;
  maxBytes: number;
}

export const defaultPageLimits: PageLimits = { maxFiles: 200, maxBytes: 64 * 1024 * 1024 };

/** `after`: the relative path of the last file of the committed page; absent, the walk starts at the beginning. */
export const folderCheckpointSchema = z.object({ hasMore: z.boolean(), after: z.string().min(1).optional() });
export type FolderCheckpoint = z.infer<typeof folderCheckpointSchema>;

function parseCheckpoint(checkpoint: Checkpoint): FolderCheckpoint {
  const parsed = folderCheckpointSchema.safeParse(checkpoint);
  if (!parsed.success) throw new Error(`not a folder connector checkpoint: ${JSON.stringify(checkpoint)}`);
  return parsed.data;
}

function windowStartMs(window: SyncWindow): number | null {
  if (window.start === null) return null;
  const start = Date.parse(window.start);
  if (Number.isNaN(start)) throw new Error(`sync window start is not an ISO time: ${window.start}`);
  return start;
}

/**
 * When the file last changed as far as the filesystem tells: mtime, or ctime when later. Copying with the times
 * kept (`cp -p`, robocopy, unzip, `tar x`, a restore) leaves an old mtime, but the new inode's ctime is the time
 * of the copy, so such a file is still picked up by the next incremental sync.
 */
const changedAtMs = (info: Stats): number => Math.max(info.mtimeMs, info.ctimeMs);

/**
 * Creates a folder source. `limits` bounds one page; the definition uses `defaultPageLimits`, tests pass small ones.
 */
export function createFolderSource(
  settings: FolderSettings,
  context: ConnectorContext,
  limits: PageLimits = defaultPageLimits,
): ConnectorSource {
  const root = settings.path;
  const extensions = includedExtensions(settings.include);
  const isExcluded = exclusionMatcher(settings.exclude);
  const walk = (signal: AbortSignal, after?: string): AsyncGenerator<FolderEntry, void> =>
    walkFolder({
      root,
      extensions,
      isExcluded,
      followSymlinks: settings.followSymlinks,
      after: after?.split('/'),
      signal,
      log: context.log,
    });

  return {
    async validate(signal) {
      let info: Stats;
      try {
        info = await untilAborted(stat(root), signal);
      } catch (error) {
        if (signal.aborted) throw error;
        throw folderAccessError(root, error);
      }
      if (!info.isDirectory())
        throw new AppError(
          'invalid_input',
          `${root} is a file, not a folder: give the folder that holds the documents.`,
        );
      // `access(R_OK)` answers from mode bits; a share's ACLs only show when the folder is actually listed.
      try {
        const folder = await untilAborted(opendir(root), signal);
        try {
          await untilAborted(folder.read(), signal);
        } finally {
          await folder.close();
        }
      } catch (error) {
        if (signal.aborted) throw error;
        throw folderAccessError(root, error);
      }
    },

    initialCheckpoint: () => ({ hasMore: true }),

    /**
     * Loads files changed at or after `window.start` (all files when it is null), in walk order, at most
     * `limits.maxFiles` files or `limits.maxBytes` bytes per call (a single larger file is a page of its own).
     *
     * Clock skew: on a network share mtimes come from the file server's clock, not ours, and a file written while
     * the previous run was walking may have been listed before it changed. The margin is the runner's: it starts an
     * incremental window at the previous window's end (that run's start) minus `clockSkewMs` (core/sync, default
     * 5 min), and a file seen twice costs only a content-hash comparison. A file with an mtime in the future is
     * still loaded: only the start of the window is applied, never its end.
     *
     * Nothing per file is kept in the checkpoint: a changed file whose mtime and ctime are both older than the
     * window (a folder renamed, so its files have new ids but old times) is found by the next full sync
     * (`window.start` null), which the runner should schedule now and then; unchanged files cost a hash there.
     */
    async *load(window, checkpoint, signal) {
      const { after } = parseCheckpoint(checkpoint);
      const since = windowStartMs(window);
      let files = 0;
      let bytes = 0;
      let last: string | undefined;
      for await (const entry of walk(signal, after)) {
        if (entry.kind === 'unreadable-folder') {
          // Not counted in the page: `after` only ever names files, so every page moves past at least one.
          yield {
            failure: true,
            message: `folder ${entry.relativePath}: ${entry.reason}`,
          } satisfies ItemFailure;
          continue;
        }
        let info: Stats | undefined;
        let statFailure: string | undefined;
        try {
          info = await untilAborted(stat(entry.path), signal);
        } catch (error) {
          if (signal.aborted) throw error;
          statFailure = readFailureReason(error);
        }
        if (info && since !== null && changedAtMs(info) < since) continue;
        const cost = info && info.size <= settings.maxFileBytes ? info.size : 0;
        if (files >= limits.maxFiles || (files > 0 && bytes + cost > limits.maxBytes))
          return { hasMore: true, after: last } satisfies FolderCheckpoint;
        files += 1;
        last = entry.relativePath;
        if (!info) {
          yield itemFailure(entry.relativePath, statFailure ?? 'unreadable');
          continue;
        }
        const read = await readFolderFile(entry, info, settings.maxFileBytes, signal);
        if ('failure' in read) yield read;
        else {
          bytes += read.bytes;
          yield read.document satisfies SourceDocument;
        }
      }
      return { hasMore: false } satisfies FolderCheckpoint;
    },

    ...(settings.watch
      ? {
          watch: (onChange: () => void) =>
            watchFolder(settings.path, () => onChange(), {
              exclude: settings.exclude,
              onError: (error) => context.log?.(`watching ${settings.path}: ${error.message}`),
            }),
        }
      : {}),

    /**
     * Every selected file's relative path, whatever its size or time. A folder that cannot be listed throws
     * instead of being passed over: a share that blinks must not make the runner prune everything below it.
     */
    async *listIds(signal) {
      for await (const entry of walk(signal)) {
        if (entry.kind === 'unreadable-folder')
          throw new AppError(
            'unavailable',
            `Folder ${entry.path} could not be listed (${entry.reason}); nothing is pruned until it can be.`,
          );
        yield entry.relativePath;
      }
    },
  };
}
