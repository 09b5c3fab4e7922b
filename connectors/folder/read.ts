import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { ItemFailure, SourceDocument } from '../../core/contract/connector.js';
import type { FolderFile } from './walk.js';
import { fileErrorReason } from './walk.js';

// A file reached by its own name is opened without following links: if it was swapped for a link since the walk
// checked it, the open fails instead of reading wherever the link points. (O_NOFOLLOW is undefined on Windows.)
const noFollow = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);

/** A read document and how many bytes it holds, for the page budget. */
export interface ReadFile {
  document: SourceDocument;
  bytes: number;
}

/** Why reading failed, in words for the sync history. */
export function readFailureReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'vanished before it was read';
  if (code === 'ELOOP') return 'became a symbolic link; not followed';
  return fileErrorReason(error);
}

export const itemFailure = (externalId: string, message: string): ItemFailure => ({
  failure: true,
  externalId,
  message,
});

function formatSize(bytes: number): string {
  const [value, unit] = bytes >= 2 ** 20 ? [bytes / 2 ** 20, 'MB'] : [bytes / 1024, 'KB'];
  return `${Math.round(value * 10) / 10} ${unit}`;
}

const tooLarge = (file: FolderFile, size: number, limit: number): ItemFailure =>
  itemFailure(file.relativePath, `too large (${formatSize(size)} > limit ${formatSize(limit)})`);

/** "Guide.v2.pdf" → "Guide.v2". */
export function titleOf(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return dot > 0 ? fileName.slice(0, dot) : fileName;
}

/**
 * Reads one file into a source document, or an item failure when it is too large, not a regular file, gone or
 * unreadable. `listed` is the stat taken while paging, so an oversized file is refused without opening it; the
 * limit is checked again on the open file, which may have grown. Only cancellation throws.
 */
export async function readFolderFile(
  file: FolderFile,
  listed: Stats,
  maxFileBytes: number,
  signal: AbortSignal,
): Promise<ReadFile | ItemFailure> {
  if (!listed.isFile()) return itemFailure(file.relativePath, 'not a regular file');
  if (listed.size > maxFileBytes) return tooLarge(file, listed.size, maxFileBytes);
  let handle: FileHandle;
  try {
    handle = await open(file.path, file.viaLink ? constants.O_RDONLY : noFollow);
  } catch (error) {
    return itemFailure(file.relativePath, readFailureReason(error));
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return itemFailure(file.relativePath, 'not a regular file');
    if (info.size > maxFileBytes) return tooLarge(file, info.size, maxFileBytes);
    const bytes = await handle.readFile({ signal });
    if (bytes.length > maxFileBytes) return tooLarge(file, bytes.length, maxFileBytes);
    const fileName = file.segments[file.segments.length - 1] ?? file.relativePath;
    const document: SourceDocument = {
      externalId: file.relativePath,
      title: titleOf(fileName),
      content: {
        kind: 'file',
        fileName,
        bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length),
      },
      updatedAt: new Date(info.mtimeMs).toISOString(),
      hierarchy: file.segments.slice(0, -1),
      metadata: {
        size: bytes.length,
        mtimeMs: info.mtimeMs,
        sha256: createHash('sha256').update(bytes).digest('hex'),
      },
    };
    return { document, bytes: bytes.length };
  } catch (error) {
    if (signal.aborted) throw error;
    return itemFailure(file.relativePath, readFailureReason(error));
  } finally {
    await handle.close();
  }
}
