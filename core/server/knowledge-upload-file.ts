import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { AppError } from '../contract/errors.js';
import { supportedExtensions } from '../knowledge/ingest/index.js';

/** Longest stored file name (in UTF-16 units), extension included: well under every file system's limit. */
export const maxUploadNameLength = 120;

// Characters Windows refuses in file names (the desktop app runs there too), controls, and both separators.
// eslint-disable-next-line no-control-regex
const unsafeCharacters = /[<>:"/\\|?*\u0000-\u001f\u007f]/g;
const reservedWindowsNames = /^(con|prn|aux|nul|com\d|lpt\d)$/i;

/** What the server says when a file is larger than it accepts, and where such files go instead. */
export function tooLargeMessage(limit: number): string {
  return `the file is larger than ${formatMiB(limit)}, the most the console accepts in one upload; add it with "airdesk ingest <file>" on the server, or put it in a folder a folder connector syncs`;
}

function formatMiB(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return mib >= 1 ? `${Number.isInteger(mib) ? mib : mib.toFixed(1)} MiB` : `${bytes} bytes`;
}

/**
 * The name an upload is stored (and identified) under, from the URI-encoded filename header: only the name,
 * never a path; characters unsafe on any OS become "_", runs of dots and leading dots go (so no "..", no hidden
 * file), long names are shortened before the extension. The document's external id is this name, so uploading
 * the same file name again updates that document.
 * @throws AppError `invalid_input` when no usable name is left or the extension is not one ingest reads.
 */
export function uploadFileName(header: string | string[] | undefined): string {
  if (typeof header !== 'string' || header.trim() === '') {
    throw new AppError(
      'invalid_input',
      'name the file in the X-Airdesk-Filename header (URI-encoded), e.g. "faq.md"',
    );
  }
  let raw: string;
  try {
    raw = decodeURIComponent(header);
  } catch {
    throw new AppError('invalid_input', 'the X-Airdesk-Filename header is not valid URI encoding');
  }
  const cleaned = raw
    .normalize('NFC')
    .replace(unsafeCharacters, '_')
    .replace(/\.{2,}/g, '.')
    .replace(/^[\s.]+/, '')
    .replace(/[\s.]+$/, '');
  const extension = path.extname(cleaned).toLowerCase();
  if (!supportedExtensions.includes(extension)) {
    throw new AppError(
      'invalid_input',
      `"${raw}" is not a type airdesk can read${extension ? ` (${extension})` : ' (no extension)'}; supported: ${supportedExtensions.join(', ')}`,
    );
  }
  let stem = cleaned.slice(0, cleaned.length - extension.length).trim();
  if (stem === '' || stem === '_'.repeat(stem.length)) {
    throw new AppError(
      'invalid_input',
      `"${raw}" has no usable file name; rename the file and upload it again`,
    );
  }
  if (reservedWindowsNames.test(stem)) stem = `_${stem}`;
  stem = stem.slice(0, maxUploadNameLength - extension.length).trimEnd();
  return stem + cleaned.slice(cleaned.length - extension.length);
}

/**
 * Writes an upload's bytes to `destination`: into a hidden temporary file beside it, flushed to disk, then
 * renamed over it, so the destination is always either the previous file or the whole new one. The request is
 * read at most up to `limit` bytes; beyond that (or for an empty body) nothing is kept.
 * @returns the number of bytes written.
 * @throws AppError `too_large` past `limit`, `invalid_input` for an empty body.
 */
export async function saveUpload(body: Readable, destination: string, limit: number): Promise<number> {
  const folder = path.dirname(destination);
  await mkdir(folder, { recursive: true });
  const temporary = path.join(folder, `.${path.basename(destination)}.${randomUUID()}.part`);
  try {
    const bytes = await copyLimited(body, temporary, limit);
    if (bytes === 0) {
      throw new AppError('invalid_input', 'the upload is empty; choose a file with some content');
    }
    const handle = await open(temporary, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, destination);
    return bytes;
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Copies the body into `file`, stopping at `limit`. It stops reading rather than destroying the request, so
 * the server can still answer 413 on the same connection (which it then closes).
 */
function copyLimited(body: Readable, file: string, limit: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(file, { flags: 'wx' });
    let bytes = 0;
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      body.off('data', onData);
      body.pause();
      out.destroy();
      // Wait for the file to be closed, so the caller's cleanup removes it for good.
      out.once('close', () => reject(error instanceof Error ? error : new Error(String(error))));
    };
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > limit) {
        fail(new AppError('too_large', tooLargeMessage(limit)));
        return;
      }
      if (!out.write(chunk)) {
        body.pause();
        out.once('drain', () => body.resume());
      }
    };
    let ended = false;
    body.on('data', onData);
    body.once('end', () => {
      ended = true;
      if (!failed) out.end();
    });
    body.once('error', fail);
    // A browser tab closed mid-upload: the request closes without an end, and nothing is kept.
    body.once('close', () => {
      if (!ended)
        fail(new AppError('invalid_input', 'the upload was interrupted before the whole file arrived'));
    });
    out.once('error', fail);
    out.once('finish', () => {
      if (!failed) resolve(bytes);
    });
  });
}
