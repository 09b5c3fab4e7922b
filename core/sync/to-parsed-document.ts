import { extname } from 'node:path';
import type { SourceDocument } from '../contract/connector.js';
import type { ParsedDocument } from '../contract/retrieval.js';
import { decodeBytes } from '../knowledge/ingest/decode.js';
import { parseHtml } from '../knowledge/ingest/parsers/html.js';
import { parseMarkdown, type FileContext } from '../knowledge/ingest/parsers/markdown.js';
import { parsePlainText } from '../knowledge/ingest/parsers/plain-text.js';
import { normalizeText } from '../knowledge/ingest/text.js';
import type { ParseFailure } from '../knowledge/ingest/types.js';
import { defaultMaxFileBytes, formatSize, messageOf, parseFailure } from '../knowledge/ingest/types.js';

type Parsed = ParsedDocument | ParseFailure;

const fileParsers: Record<
  string,
  (bytes: Uint8Array, context: FileContext, signal?: AbortSignal) => Parsed | Promise<Parsed>
> = {
  '.md': (bytes, context) => viaText(bytes, context, parseMarkdown),
  '.markdown': (bytes, context) => viaText(bytes, context, parseMarkdown),
  '.txt': (bytes, context) => viaText(bytes, context, parsePlainText),
  '.html': parseHtml,
  '.htm': parseHtml,
  '.xhtml': parseHtml,
  // Loaded on first use, as parse-file.ts does: pdf.js and mammoth are large.
  '.pdf': async (bytes, context, signal) =>
    (await import('../knowledge/ingest/parsers/pdf.js')).parsePdf(bytes, context, signal),
  '.docx': async (bytes, context) =>
    (await import('../knowledge/ingest/parsers/docx.js')).parseDocx(bytes, context),
};

function viaText(
  bytes: Uint8Array,
  context: FileContext,
  parse: (text: string, c: FileContext) => ParsedDocument,
): Parsed {
  const decoded = decodeBytes(bytes);
  return 'failure' in decoded
    ? parseFailure(context.path, decoded.failure, context.externalId)
    : parse(decoded.text, context);
}

/**
 * Turns what a connector delivered into the document the chunker reads, with the ingestion parsers: text as one
 * section, Markdown and HTML split by headings, files by their extension. The source's title wins over one found
 * in the content; its place in the source (space > parent page) leads every section's heading path, so the
 * chunks' index text carries it; url, permissions and the source's metadata travel with the document.
 * Bad content becomes a per-item failure, never an exception; only cancellation throws.
 */
export async function toParsedDocument(
  doc: SourceDocument,
  sourceLabel: string,
  signal?: AbortSignal,
): Promise<Parsed> {
  const source = doc.url ?? `${sourceLabel}:${doc.externalId}`;
  const context: FileContext = { path: source, externalId: doc.externalId, fallbackTitle: doc.title };
  let parsed: Parsed;
  try {
    parsed = await parseContent(doc, context, signal);
  } catch (error) {
    if (signal?.aborted) throw error;
    parsed = parseFailure(source, `corrupt content (${messageOf(error)})`, doc.externalId);
  }
  if ('failure' in parsed) return parsed;
  if (!parsed.sections.some((s) => s.text.trim()))
    return parseFailure(source, 'empty document', doc.externalId);
  const hierarchy = (doc.hierarchy ?? []).map((h) => h.trim()).filter(Boolean);
  return {
    externalId: doc.externalId,
    title: doc.title.trim() || parsed.title,
    source,
    sections: parsed.sections.map((s) => ({ headings: [...hierarchy, ...s.headings], text: s.text })),
    metadata: {
      ...(doc.metadata ?? {}),
      ...(doc.url ? { url: doc.url } : {}),
      ...(doc.updatedAt ? { updatedAt: doc.updatedAt } : {}),
      ...(hierarchy.length > 0 ? { hierarchy } : {}),
      ...(doc.permissions ? { permissions: doc.permissions } : {}),
    },
    ...(doc.permissions ? { permissions: doc.permissions } : {}),
  };
}

async function parseContent(
  doc: SourceDocument,
  context: FileContext,
  signal?: AbortSignal,
): Promise<Parsed> {
  const { content } = doc;
  switch (content.kind) {
    case 'text': {
      const text = normalizeText(content.text);
      return {
        externalId: doc.externalId,
        title: doc.title,
        source: context.path,
        sections: [{ headings: [], text }],
      };
    }
    case 'markdown':
      return parseMarkdown(content.markdown, context);
    case 'html':
      return parseHtml(Buffer.from(content.html, 'utf8'), context);
    case 'file': {
      const extension = extname(content.fileName).toLowerCase();
      const parse = fileParsers[extension];
      if (!parse)
        return parseFailure(
          context.path,
          `unsupported type ${extension || '(no extension)'}`,
          doc.externalId,
        );
      if (content.bytes.byteLength > defaultMaxFileBytes) {
        return parseFailure(
          context.path,
          `too large (${formatSize(content.bytes.byteLength)} > limit ${formatSize(defaultMaxFileBytes)})`,
          doc.externalId,
        );
      }
      if (content.bytes.byteLength === 0) return parseFailure(context.path, 'empty document', doc.externalId);
      return parse(content.bytes, context, signal);
    }
  }
}
