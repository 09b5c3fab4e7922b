import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import type { ParsedDocument } from '../../contract/retrieval.js';
import { decodeBytes } from './decode.js';
import { parseHtml } from './parsers/html.js';
import { parseJsonRecords } from './parsers/json.js';
import { parseJsonlRecords } from './parsers/jsonl.js';
import { parseMarkdown, type FileContext } from './parsers/markdown.js';
import { parsePlainText } from './parsers/plain-text.js';
import { titleFromFileName } from './text.js';
import type { ParseFailure, ParseOptions, ParseResult } from './types.js';
import { defaultMaxFileBytes, formatSize, messageOf, parseFailure, unreadableReason } from './types.js';

/** File extensions `airdesk ingest` reads (SPEC.md), lower-case with the dot. */
export const supportedExtensions: readonly string[] = [
  '.md',
  '.markdown',
  '.txt',
  '.html',
  '.htm',
  '.pdf',
  '.docx',
  '.json',
  '.jsonl',
];

type WholeFileParser = (
  bytes: Uint8Array,
  context: FileContext,
  signal?: AbortSignal,
) => ParsedDocument | ParseFailure | Promise<ParsedDocument | ParseFailure>;

function textParser(parse: (text: string, context: FileContext) => ParsedDocument): WholeFileParser {
  return (bytes, context) => {
    const decoded = decodeBytes(bytes);
    return 'failure' in decoded
      ? parseFailure(context.path, decoded.failure, context.externalId)
      : parse(decoded.text, context);
  };
}

const wholeFileParsers: Record<string, WholeFileParser> = {
  '.md': textParser(parseMarkdown),
  '.markdown': textParser(parseMarkdown),
  '.txt': textParser(parsePlainText),
  '.html': parseHtml,
  '.htm': parseHtml,
  // pdf.js and mammoth load on first use: together they add ~100 ms and ~50 MB to every CLI start otherwise.
  '.pdf': async (bytes, context, signal) =>
    (await import('./parsers/pdf.js')).parsePdf(bytes, context, signal),
  '.docx': async (bytes, context) => (await import('./parsers/docx.js')).parseDocx(bytes, context),
};

/** A document with no text in any section is reported, not indexed as an empty shell. */
function requireText(result: ParsedDocument | ParseFailure): ParseResult {
  if ('failure' in result || result.sections.some((s) => s.text.trim())) return result;
  return parseFailure(result.source, 'empty document', result.externalId);
}

/**
 * Parses one file by its extension into documents (one per file; one per record for .json/.jsonl) or failures.
 * Never throws for bad input: unreadable, corrupt, encrypted, binary, empty and oversized files come back as
 * `ParseFailure`s and the caller's batch goes on. Only cancellation through `options.signal` throws.
 */
export async function* parseFile(path: string, options: ParseOptions): AsyncGenerator<ParseResult> {
  const { externalId, signal } = options;
  const extension = extname(path).toLowerCase();
  if (!supportedExtensions.includes(extension)) {
    yield parseFailure(path, `unsupported type ${extension || '(no extension)'}`, externalId);
    return;
  }
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) {
      yield parseFailure(path, 'not a regular file', externalId);
      return;
    }
    size = info.size;
  } catch (error) {
    yield parseFailure(path, unreadableReason(error), externalId);
    return;
  }
  signal?.throwIfAborted();
  if (extension === '.jsonl') {
    yield* parseJsonlRecords(path, options);
    return;
  }
  const maxFileBytes = options.maxFileBytes ?? defaultMaxFileBytes;
  if (size > maxFileBytes) {
    const hint = extension === '.json' ? '; split it or use .jsonl, which is streamed' : '';
    yield parseFailure(
      path,
      `too large (${formatSize(size)} > limit ${formatSize(maxFileBytes)})${hint}`,
      externalId,
    );
    return;
  }
  if (size === 0) {
    yield parseFailure(path, 'empty document', externalId);
    return;
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(path, { signal });
  } catch (error) {
    if (signal?.aborted) throw error;
    yield parseFailure(path, unreadableReason(error), externalId);
    return;
  }
  if (extension === '.json') {
    yield* parseJsonRecords(bytes, path, signal);
    return;
  }
  const parse = wholeFileParsers[extension];
  if (!parse) throw new Error(`no parser registered for ${extension}`);
  let result: ParseResult;
  try {
    result = requireText(
      await parse(bytes, { path, externalId, fallbackTitle: titleFromFileName(path) }, signal),
    );
  } catch (error) {
    if (signal?.aborted) throw error;
    // Parsing libraries throw on malformed input (a truncated zip, a broken xref table): that is a bad file.
    result = parseFailure(path, `corrupt file (${messageOf(error)})`, externalId);
  }
  yield result;
}
