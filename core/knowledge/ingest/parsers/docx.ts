import mammoth from 'mammoth';
import type { ParsedDocument } from '../../../contract/retrieval.js';
import type { ParseFailure } from '../types.js';
import { parseFailure } from '../types.js';
import { htmlToSections, titleClass } from './html-sections.js';
import type { FileContext } from './markdown.js';

const zipMagic = [0x50, 0x4b, 0x03, 0x04];
// Office writes password-protected .docx files as OLE compound files, the same container as legacy .doc.
const oleMagic = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

const startsWith = (bytes: Uint8Array, magic: number[]): boolean => magic.every((b, i) => bytes[i] === b);

/** Word's "Title" style is the document's title; mammoth's default map would make it a plain paragraph. */
const styleMap = [`p[style-name='Title'] => h1.${titleClass}:fresh`];

/**
 * Parses a .docx through mammoth's semantic HTML (headings from Word's heading styles), then the HTML walker,
 * so Word and web pages are sectioned by the same rules. Images are dropped rather than inlined as data URIs.
 */
export async function parseDocx(
  bytes: Uint8Array,
  context: FileContext,
): Promise<ParsedDocument | ParseFailure> {
  if (startsWith(bytes, oleMagic)) {
    return parseFailure(context.path, 'encrypted (or a legacy .doc renamed to .docx)', context.externalId);
  }
  if (!startsWith(bytes, zipMagic))
    return parseFailure(context.path, 'corrupt file: not a .docx (zip) file', context.externalId);
  const result = await mammoth.convertToHtml(
    { buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) },
    { styleMap, convertImage: mammoth.images.imgElement(() => Promise.resolve({ src: '' })) },
  );
  const content = htmlToSections(result.value);
  return {
    externalId: context.externalId,
    // Not the first Heading 1: in Word that is usually the first chapter, and file names are chosen with care.
    title: content.title ?? context.fallbackTitle,
    source: context.path,
    sections: content.sections,
  };
}
