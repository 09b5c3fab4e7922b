import type { ParsedDocument } from '../../../contract/retrieval.js';
import { normalizeText } from '../text.js';
import type { FileContext } from './markdown.js';

/** A first line this short, without sentence punctuation at its end, reads as a title ("Refund policy"). */
const maxTitleLength = 80;

/**
 * Parses plain text as one section of paragraphs. The first line becomes the title when it looks like one
 * (short, no closing punctuation, more text follows) and is then left out of the body so it is not repeated.
 */
export function parsePlainText(text: string, context: FileContext): ParsedDocument {
  const normalized = normalizeText(text);
  const newline = normalized.indexOf('\n');
  const firstLine = newline === -1 ? normalized : normalized.slice(0, newline);
  const rest = newline === -1 ? '' : normalized.slice(newline + 1).trim();
  const titled = rest.length > 0 && firstLine.length <= maxTitleLength && !/[.,;:!?]$/.test(firstLine);
  const body = titled ? rest : normalized;
  return {
    externalId: context.externalId,
    title: titled ? firstLine : context.fallbackTitle,
    source: context.path,
    sections: body ? [{ headings: [], text: body }] : [],
  };
}
