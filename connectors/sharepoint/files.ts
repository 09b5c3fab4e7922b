import type { ItemFailure, SourceDocument } from '../../core/contract/index.js';
import { isAppError } from '../../core/contract/index.js';

/** What the ingestion parsers read (core/knowledge/ingest); anything else is skipped with a log line. */
export const supportedExtensions: readonly string[] = [
  '.docx',
  '.pdf',
  '.md',
  '.markdown',
  '.txt',
  '.html',
  '.htm',
];

/** A file as a listing describes it, before its bytes are downloaded. */
export interface RemoteFile {
  externalId: string;
  /** The file name with its extension: the runner picks the parser by it. */
  fileName: string;
  /** Where it sits in the library, for messages: `Guides/Setup/install.pdf`. */
  path: string;
  /** The title column when set, else the file name without its extension. */
  title: string;
  /** Bytes as listed; null when the listing did not say. */
  size: number | null;
  url: string;
  updatedAt: string;
  /** Site, library, then folders, outermost first. */
  hierarchy: string[];
}

export function extensionOf(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return dot <= 0 ? '' : fileName.slice(dot).toLowerCase();
}

/** The name without its extension: "Refund policy.docx" is cited as "Refund policy". */
export function titleOf(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return dot <= 0 ? fileName : fileName.slice(0, dot);
}

export function formatSize(bytes: number): string {
  const [value, unit] = bytes >= 2 ** 20 ? [bytes / 2 ** 20, 'MB'] : [bytes / 1024, 'KB'];
  return `${Math.round(value * 10) / 10} ${unit}`;
}

/**
 * Whether a file (by name; `path` is how the log names it) is of a type airdesk reads; logs why not. Not a failure:
 * libraries hold many spreadsheets and images, and the sync history should show what went wrong, not those.
 */
export function isSupported(
  fileName: string,
  path: string,
  log: ((message: string) => void) | undefined,
): boolean {
  const extension = extensionOf(fileName);
  if (supportedExtensions.includes(extension)) return true;
  log?.(
    `skipped "${path}": unsupported type ${extension || '(no extension)'} (airdesk reads ${supportedExtensions.join(' ')})`,
  );
  return false;
}

/**
 * Failures of one download that are the file's own (deleted or moved since it was listed, no permission on it,
 * a server error on it): reported for the file while the sync goes on. A refused token, throttling or
 * cancellation stop the page instead, so it is loaded again later rather than skipped.
 */
const itemErrorCodes = new Set(['not_found', 'forbidden', 'unavailable', 'invalid_input']);

/**
 * Downloads one listed file into a document, or reports why it could not: too large (by its listed size, before
 * any byte is read, or while reading when the listing did not say) or an error of the file's own.
 */
export async function loadFile(
  file: RemoteFile,
  download: (maxBytes: number) => Promise<Uint8Array | 'too_large'>,
  maxBytes: number,
  signal: AbortSignal,
): Promise<SourceDocument | ItemFailure> {
  const failure = (message: string): ItemFailure => ({
    failure: true,
    externalId: file.externalId,
    message: `"${file.path}": ${message}`,
  });
  const tooLarge = (size: string) =>
    failure(`too large (${size}; the limit is ${formatSize(maxBytes)}), skipped`);
  if (file.size !== null && file.size > maxBytes) return tooLarge(formatSize(file.size));
  let bytes: Uint8Array | 'too_large';
  try {
    bytes = await download(maxBytes);
  } catch (error) {
    if (signal.aborted || !isAppError(error) || !itemErrorCodes.has(error.code)) throw error;
    const why =
      error.code === 'not_found'
        ? 'deleted or moved after it was listed, skipped (the next sync sees where it went)'
        : error.message;
    return failure(why);
  }
  if (bytes === 'too_large') return tooLarge(`over ${formatSize(maxBytes)}`);
  return {
    externalId: file.externalId,
    title: file.title,
    content: { kind: 'file', fileName: file.fileName, bytes },
    url: file.url,
    updatedAt: file.updatedAt,
    hierarchy: file.hierarchy,
    metadata: { path: file.path, size: bytes.byteLength },
  };
}

/** A site page's HTML as one document: the title as the document's heading, then the page's own HTML. */
export function pageHtml(title: string, body: string): string {
  const escaped = title.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<!DOCTYPE html><html><head><title>${escaped}</title></head><body>${body}</body></html>`;
}
