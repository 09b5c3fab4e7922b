import type { ParsedDocument } from '../../../contract/retrieval.js';
import { decodeBytes } from '../decode.js';
import type { ParseFailure } from '../types.js';
import { parseFailure } from '../types.js';
import { htmlToSections } from './html-sections.js';
import type { FileContext } from './markdown.js';

/** The charset a page declares in its first KiB (`<meta charset>` or the http-equiv form), as browsers look for it. */
function declaredCharset(bytes: Uint8Array): string | null {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 1024)).toString(
    'latin1',
  );
  return /<meta[^>]+charset\s*=\s*["']?([\w.:-]+)/i.exec(head)?.[1] ?? null;
}

/** Parses an HTML page: title from `<title>`, else the first `<h1>`, else the file name; sections by h1-h6. */
export function parseHtml(bytes: Uint8Array, context: FileContext): ParsedDocument | ParseFailure {
  const decoded = decodeBytes(bytes, declaredCharset(bytes));
  if ('failure' in decoded) return parseFailure(context.path, decoded.failure, context.externalId);
  const content = htmlToSections(decoded.text);
  return {
    externalId: context.externalId,
    title: content.title ?? content.firstH1 ?? context.fallbackTitle,
    source: context.path,
    sections: content.sections,
  };
}
