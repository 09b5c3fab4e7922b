import { createHash } from 'node:crypto';
import type { ParsedDocument } from '../../contract/retrieval.js';

/** Bumped when the canonical form changes, so every document is re-ingested once rather than compared wrongly. */
const canonicalVersion = 'airdesk-content-v1';

const canonical = (text: string): string => text.normalize('NFC').replace(/\s+/g, ' ').trim();

/**
 * sha256 (hex) of a document's canonical content: title, then each section's heading path and text, with
 * Unicode normalised to NFC and every run of whitespace (line breaks and blank lines too) made one space.
 * So re-wrapped lines, changed indentation or CRLF endings do not count as changes; any change to words,
 * headings or the title does. Source path, external id and metadata are not content and are left out.
 * `salt` should name whatever else shapes the stored chunks (chunk sizes, tokenizer), so changing those
 * settings makes every document "changed" and re-chunked instead of skipped.
 */
export function contentHash(doc: Pick<ParsedDocument, 'title' | 'sections'>, salt = ''): string {
  const hash = createHash('sha256');
  // Control-character separators cannot occur in canonical text, so no two documents share a byte stream.
  hash.update(`${canonicalVersion}\u0000${salt}\u0000${canonical(doc.title)}\u0000`);
  for (const section of doc.sections) {
    const text = canonical(section.text);
    if (!text) continue;
    hash.update(section.headings.map(canonical).join('\u001f'));
    hash.update('\u001e');
    hash.update(text);
    hash.update('\u001d');
  }
  return hash.digest('hex');
}
