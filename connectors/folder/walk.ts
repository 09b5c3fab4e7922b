import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';
import { AppError } from '../../core/contract/errors.js';

/** A file the folder holds that the settings select. */
export interface FolderFile {
  kind: 'file';
  path: string;
  /** Path relative to the root, `/`-separated: the document's external id. */
  relativePath: string;
  /** `relativePath` split into names, outermost first. */
  segments: readonly string[];
  /** Reached through a symbolic link (checked to stay inside the root), so it is opened following links. */
  viaLink: boolean;
}

/** A folder below the root that could not be listed; its files are neither loaded nor listed. */
export interface UnreadableFolder {
  kind: 'unreadable-folder';
  path: string;
  relativePath: string;
  reason: string;
}

export type FolderEntry = FolderFile | UnreadableFolder;

export interface WalkOptions {
  root: string;
  /** Lower-case extensions with the dot. */
  extensions: ReadonlySet<string>;
  isExcluded: (relativePath: string) => boolean;
  followSymlinks: boolean;
  /** Resume: only files that sort after this one (segments of a relative path). */
  after?: readonly string[];
  signal: AbortSignal;
  log?: (message: string) => void;
}

/** Short reason for a filesystem error: the code says more than a message that repeats the path. */
export function fileErrorReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code) return `unreadable (${code})`;
  return `unreadable (${error instanceof Error ? error.message : String(error)})`;
}

/** The AppError for a root folder that cannot be used, naming the path and what to do. */
export function folderAccessError(path: string, error: unknown): AppError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR')
    return new AppError(
      'not_found',
      `Folder ${path} does not exist: check the path and that the share is mounted.`,
      {
        cause: error,
      },
    );
  if (code === 'EACCES' || code === 'EPERM')
    return new AppError(
      'forbidden',
      `Folder ${path} is not readable by the account airdesk runs as (${code}): grant it read access.`,
      { cause: error },
    );
  return new AppError(
    'unavailable',
    `Folder ${path} could not be read (${code ?? String(error)}): check that the share is reachable.`,
    { cause: error },
  );
}

/**
 * Settles with `promise`, or rejects with the abort reason as soon as `signal` aborts: a call into a dead hard
 * NFS mount never returns, and cancelling a sync must not wait for it (the blocked call is left behind).
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    // Handlers go on `promise` even when already aborted, so its late rejection is never unhandled.
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: Error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

// Code-unit order, not locale order: the same tree gives the same order, so a saved `after` means the same
// position on every machine and every run.
const byName = (a: Dirent, b: Dirent): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Whether `real` is the root or lies inside it (both resolved). */
const insideRoot = (real: string, rootReal: string): boolean =>
  real === rootReal || real.startsWith(rootReal.endsWith(sep) ? rootReal : rootReal + sep);

/**
 * Names never loaded: hidden entries (.git, .DS_Store, editor swap files) and Office owner files (`~$Report.docx`,
 * present while someone has the document open on the share, and not a document).
 */
export const ignoredName = (name: string): boolean => name.startsWith('.') || name.startsWith('~$');

type EntryKind = 'file' | 'folder' | 'other';

interface Resolved {
  kind: EntryKind;
  real: string;
}

interface Level {
  folder: string;
  real: string;
  segments: readonly string[];
  /** Real paths of the folders above, for symlink loops. */
  ancestors: readonly string[];
  after: readonly string[] | undefined;
}

/**
 * Walks the files under `options.root` depth-first with entries sorted by name, so the order is a total order on
 * relative paths compared name by name; `after` resumes just past a file without listing the folders before it.
 * Symbolic links are skipped unless `followSymlinks`, and then only followed when their target lies inside the
 * root. Throws an AppError when the root itself cannot be listed; a folder below it that cannot be listed comes
 * back as an `unreadable-folder` entry.
 */
export async function* walkFolder(options: WalkOptions): AsyncGenerator<FolderEntry, void> {
  const { root, signal } = options;
  let rootReal: string;
  try {
    rootReal = await untilAborted(realpath(root), signal);
  } catch (error) {
    if (signal.aborted) throw error;
    throw folderAccessError(root, error);
  }
  yield* walkLevel(options, rootReal, {
    folder: root,
    real: rootReal,
    segments: [],
    ancestors: [],
    after: options.after,
  });
}

async function* walkLevel(options: WalkOptions, rootReal: string, level: Level): AsyncGenerator<FolderEntry> {
  const { signal } = options;
  let entries: Dirent[];
  try {
    entries = await untilAborted(readdir(level.folder, { withFileTypes: true }), signal);
  } catch (error) {
    if (signal.aborted) throw error;
    if (level.segments.length === 0) throw folderAccessError(options.root, error);
    const relativePath = level.segments.join('/');
    yield { kind: 'unreadable-folder', path: level.folder, relativePath, reason: fileErrorReason(error) };
    return;
  }
  const ancestors = [...level.ancestors, level.real];
  for (const entry of entries.sort(byName)) {
    signal.throwIfAborted();
    const name = entry.name;
    if (ignoredName(name)) continue;
    // Within the resumed folder chain: names before the saved position are done; the one on it continues below.
    let after: readonly string[] | undefined;
    if (level.after) {
      const head = level.after[0] ?? '';
      if (name < head) continue;
      if (name === head) after = level.after.slice(1);
    }
    const segments = [...level.segments, name];
    const relativePath = segments.join('/');
    if (options.isExcluded(relativePath)) continue;
    const path = join(level.folder, name);
    const resolved = await resolveEntry(entry, path, level.real, rootReal, relativePath, options);
    if (!resolved) continue;
    if (resolved.kind === 'folder') {
      if (ancestors.includes(resolved.real)) {
        options.log?.(`skipped ${relativePath}: a symbolic link to a folder above it`);
        continue;
      }
      // An empty rest means the saved file has since become this folder: everything in it is new.
      const rest = after && after.length > 0 ? after : undefined;
      yield* walkLevel(options, rootReal, {
        folder: path,
        real: resolved.real,
        segments,
        ancestors,
        after: rest,
      });
    } else if (resolved.kind === 'file') {
      // On the saved position (or a file where a folder on it was): loaded in an earlier page.
      if (after) continue;
      if (!options.extensions.has(extname(name).toLowerCase())) continue;
      yield { kind: 'file', path, relativePath, segments, viaLink: entry.isSymbolicLink() };
    }
  }
}

/** What an entry is; for a symbolic link, what it points to, or null when the link is not followed. */
async function resolveEntry(
  entry: Dirent,
  path: string,
  parentReal: string,
  rootReal: string,
  relativePath: string,
  options: WalkOptions,
): Promise<Resolved | null> {
  if (!entry.isSymbolicLink()) {
    const kind: EntryKind = entry.isDirectory() ? 'folder' : entry.isFile() ? 'file' : 'other';
    return { kind, real: join(parentReal, entry.name) };
  }
  if (!options.followSymlinks) return null;
  let real: string;
  try {
    real = await untilAborted(realpath(path), options.signal);
  } catch (error) {
    if (options.signal.aborted) throw error;
    options.log?.(`skipped ${relativePath}: a broken symbolic link`);
    return null;
  }
  // A link out of the folder would let anyone who can write to the share publish any file the service can read.
  if (!insideRoot(real, rootReal)) {
    options.log?.(`skipped ${relativePath}: a symbolic link to outside the folder`);
    return null;
  }
  try {
    const target = await untilAborted(stat(real), options.signal);
    return { kind: target.isDirectory() ? 'folder' : target.isFile() ? 'file' : 'other', real };
  } catch (error) {
    if (options.signal.aborted) throw error;
    options.log?.(`skipped ${relativePath}: ${fileErrorReason(error)}`);
    return null;
  }
}
