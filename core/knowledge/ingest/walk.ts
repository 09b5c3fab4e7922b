import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { supportedExtensions } from './parse-file.js';
import type { SkippedFile } from './types.js';
import { unreadableReason } from './types.js';

/** A file to parse, with the external id its document keeps across runs. */
export interface WalkedFile {
  path: string;
  /** Path relative to the folder argument it was found under (posix separators); a file argument's base name. */
  externalId: string;
}

export type WalkEntry = WalkedFile | SkippedFile;

const skipped = (source: string, reason: string): SkippedFile => ({ skipped: true, source, reason });

// Code-point order, not locale order: the same tree gives the same order (and the same ids) on every machine.
const byName = (a: Dirent, b: Dirent): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Walk state shared across all arguments: each file and folder is visited once however it is reached. */
interface Visited {
  files: Set<string>;
  folders: Set<string>;
}

function supportedFile(path: string, externalId: string): WalkEntry {
  const extension = extname(path).toLowerCase();
  if (supportedExtensions.includes(extension)) return { path, externalId };
  return skipped(path, `unsupported type ${extension || '(no extension)'}`);
}

async function* walkFolder(
  folder: string,
  prefix: string,
  ancestors: readonly string[],
  visited: Visited,
): AsyncGenerator<WalkEntry> {
  let entries: Dirent[];
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch (error) {
    yield skipped(folder, unreadableReason(error));
    return;
  }
  for (const entry of entries.sort(byName)) {
    // Hidden entries (.git, .DS_Store, editor swap files) are never knowledge; skipped without a report line.
    if (entry.name.startsWith('.')) continue;
    const path = join(folder, entry.name);
    const externalId = prefix ? `${prefix}/${entry.name}` : entry.name;
    let isFolder = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      try {
        const target = await stat(path);
        isFolder = target.isDirectory();
        isFile = target.isFile();
      } catch {
        yield skipped(path, 'broken symlink');
        continue;
      }
    }
    if (isFolder) yield* enterFolder(path, externalId, ancestors, visited);
    else if (isFile) yield* visitFile(path, externalId, visited);
    else yield skipped(path, 'not a regular file');
  }
}

async function* enterFolder(
  folder: string,
  prefix: string,
  ancestors: readonly string[],
  visited: Visited,
): AsyncGenerator<WalkEntry> {
  let real: string;
  try {
    real = await realpath(folder);
  } catch (error) {
    yield skipped(folder, unreadableReason(error));
    return;
  }
  if (ancestors.includes(real)) {
    yield skipped(folder, 'symlink loop');
    return;
  }
  if (visited.folders.has(real)) return;
  visited.folders.add(real);
  yield* walkFolder(folder, prefix, [...ancestors, real], visited);
}

async function* visitFile(path: string, externalId: string, visited: Visited): AsyncGenerator<WalkEntry> {
  const real = await realpath(path).catch(() => path);
  // The same file reached twice (overlapping arguments, a symlink) would be ingested twice under two ids.
  if (visited.files.has(real)) return;
  visited.files.add(real);
  yield supportedFile(path, externalId);
}

/**
 * Expands ingest arguments (files or folders) into the files to parse, recursively and in a deterministic order:
 * arguments in the order given, folder entries sorted by name. Unsupported types, unreadable folders, broken
 * symlinks and symlink loops come back as skipped entries; hidden files and folders inside a folder are passed
 * over silently (a hidden path given explicitly is still read). Never throws for bad paths.
 */
export async function* walkPaths(paths: readonly string[]): AsyncGenerator<WalkEntry> {
  const visited: Visited = { files: new Set(), folders: new Set() };
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      yield skipped(path, code === 'ENOENT' ? 'not found' : unreadableReason(error));
      continue;
    }
    if (info.isDirectory()) yield* enterFolder(path, '', [], visited);
    else if (info.isFile()) yield* visitFile(path, basename(path), visited);
    else yield skipped(path, 'not a regular file');
  }
}
