import { getDocument, VerbosityLevel } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { DocumentSection, ParsedDocument } from '../../../contract/retrieval.js';
import type { ParseFailure } from '../types.js';
import { messageOf, parseFailure } from '../types.js';
import type { FileContext } from './markdown.js';
import { pageText } from './pdf-layout.js';

/**
 * Parses a PDF with pdf.js (the legacy build, the one meant for Node): one section per non-empty page, so each
 * chunk stays on one page and `metadata.sectionPages[i]` gives the page number of section i for citations.
 * Password-protected files fail as "encrypted"; files that only restrict printing or copying open normally.
 */
export async function parsePdf(
  bytes: Uint8Array,
  context: FileContext,
  signal?: AbortSignal,
): Promise<ParsedDocument | ParseFailure> {
  const task = getDocument({
    // pdf.js takes ownership of (detaches) the buffer it is given; a copy keeps the caller's bytes intact.
    data: new Uint8Array(bytes),
    verbosity: VerbosityLevel.ERRORS,
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    stopAtErrors: false,
  });
  try {
    let pdf;
    try {
      pdf = await task.promise;
    } catch (error) {
      const name = (error as { name?: string } | null)?.name;
      if (name === 'PasswordException') return parseFailure(context.path, 'encrypted', context.externalId);
      return parseFailure(context.path, `corrupt PDF (${messageOf(error)})`, context.externalId);
    }
    const sections: DocumentSection[] = [];
    const sectionPages: number[] = [];
    for (let number = 1; number <= pdf.numPages; number++) {
      signal?.throwIfAborted();
      const page = await pdf.getPage(number);
      const content = await page.getTextContent();
      // Marked-content markers carry no text; only items with `str` do.
      const text = pageText(content.items.flatMap((item) => ('str' in item ? [item] : [])));
      page.cleanup();
      if (!text) continue;
      sections.push({ headings: [], text });
      sectionPages.push(number);
    }
    if (sections.length === 0 && pdf.numPages > 0) {
      // Scanned pages are images: say so, rather than a bare "empty document" the user cannot act on.
      return parseFailure(
        context.path,
        'empty document (no text layer; scanned PDFs need OCR first)',
        context.externalId,
      );
    }
    // pdf.js types the info dictionary as a bare Object; Title is an optional string in it (PDF 32000 14.3.3).
    const info: object | undefined = (await pdf.getMetadata().catch(() => null))?.info;
    const title = info && 'Title' in info ? info.Title : undefined;
    const declaredTitle = typeof title === 'string' ? title.trim() : '';
    return {
      externalId: context.externalId,
      title: declaredTitle || context.fallbackTitle,
      source: context.path,
      sections,
      metadata: { pageCount: pdf.numPages, sectionPages },
    };
  } finally {
    await task.destroy();
  }
}
