import { AppError } from '../../contract/errors.js';
import type { ChildChunk, ParentChunk, ParsedDocument } from '../../contract/retrieval.js';
import { packUnits, splitByWords, toUnits } from './split.js';
import { splitParagraphs } from './text.js';
import { estimateTokens, type TokenCounter } from './tokens.js';

/** Sizes in tokens of the embedder's tokenizer (or the default estimate). */
export interface ChunkOptions {
  /** The embedder's tokenizer; default {@link estimateTokens}. */
  countTokens?: TokenCounter;
  /** Largest parent (the text the answer engine reads). Default 512. */
  parentMaxTokens?: number;
  /** Largest child including its heading prefix (what is embedded and matched). Default 128. */
  childMaxTokens?: number;
  /** Repeat one sentence between neighbouring children. Default true. */
  childOverlap?: boolean;
}

/** A child chunk plus the text to index: its heading path as a prefix, so "Refunds > Store credit" is matched. */
export interface IndexedChildChunk extends ChildChunk {
  /** `Title > Heading > Subheading: text`; `tokenCount` counts this, not `text`. */
  indexText: string;
}

export interface DocumentChunks {
  parents: ParentChunk[];
  children: IndexedChildChunk[];
}

export const defaultParentMaxTokens = 512;
export const defaultChildMaxTokens = 128;

/**
 * The prefix a child is indexed under: title and heading path, with a heading equal to the one before it
 * dropped (a Markdown H1 usually repeats the title). Empty when there is neither title nor heading.
 */
export function headingPrefix(title: string, headings: readonly string[]): string {
  const parts: string[] = [];
  for (const part of [title, ...headings]) {
    const text = part.trim();
    if (text && text.toLowerCase() !== parts[parts.length - 1]?.toLowerCase()) parts.push(text);
  }
  return parts.join(' > ');
}

/** Keeps the most specific end of a long heading path so the prefix takes at most `max` tokens. */
function fitPrefix(title: string, headings: readonly string[], max: number, count: TokenCounter): string {
  const parts = [title, ...headings];
  let prefix = headingPrefix(title, headings);
  while (parts.length > 1 && count(prefix + ': ') > max) {
    parts.shift();
    prefix = headingPrefix(parts[0] ?? '', parts.slice(1));
  }
  if (prefix && count(prefix + ': ') > max)
    prefix = splitByWords(prefix, Math.max(1, max - 1), count)[0] ?? '';
  return prefix ? prefix + ': ' : '';
}

function tokenLimit(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 8)
    throw new AppError('invalid_input', `${name} must be an integer ≥ 8 (got ${value})`);
  return value;
}

/**
 * Splits a document into parent chunks (sections, long ones cut on paragraph boundaries) and child chunks inside
 * each parent (cut on sentence boundaries, with a one-sentence overlap). Ids are derived from `docKey` and
 * positions only (`docKey#p3`, `docKey#p3c1`), so unchanged content re-ingested yields identical ids.
 * Child `ordinal`s count through the whole document; the id's `c` number counts within its parent.
 * @throws AppError `invalid_input` when the sizes are inconsistent (child larger than parent, or tiny).
 */
export function chunkDocument(
  doc: ParsedDocument,
  docKey: string,
  options: ChunkOptions = {},
): DocumentChunks {
  const count = options.countTokens ?? estimateTokens;
  const parentMax = tokenLimit('parentMaxTokens', options.parentMaxTokens ?? defaultParentMaxTokens);
  const childMax = tokenLimit('childMaxTokens', options.childMaxTokens ?? defaultChildMaxTokens);
  if (childMax > parentMax)
    throw new AppError(
      'invalid_input',
      `childMaxTokens (${childMax}) exceeds parentMaxTokens (${parentMax})`,
    );
  const overlap = options.childOverlap ?? true;
  const parents: ParentChunk[] = [];
  const children: IndexedChildChunk[] = [];

  for (const section of doc.sections) {
    const paragraphs = splitParagraphs(section.text);
    if (paragraphs.length === 0) continue;
    const parentUnits = toUnits(paragraphs, parentMax, count, 'paragraph');
    const parentTexts = packUnits(parentUnits, parentMax, (t) => count(t) <= parentMax, false);
    // A quarter of a child at most goes to the heading path, so deep paths cannot crowd out the content.
    const prefix = fitPrefix(doc.title, section.headings, Math.floor(childMax / 4), count);
    const bodyMax = childMax - (prefix ? count(prefix) : 0);
    const childFits = (t: string): boolean => count(prefix + t) <= childMax;

    for (const parentText of parentTexts) {
      const parent: ParentChunk = {
        id: `${docKey}#p${parents.length}`,
        ordinal: parents.length,
        headings: [...section.headings],
        text: parentText,
      };
      parents.push(parent);
      const childUnits = toUnits(splitParagraphs(parentText), bodyMax, count, 'sentence');
      packUnits(childUnits, bodyMax, childFits, overlap).forEach((text, index) => {
        const indexText = prefix + text;
        children.push({
          id: `${parent.id}c${index}`,
          parentId: parent.id,
          ordinal: children.length,
          headings: [...section.headings],
          text,
          indexText,
          tokenCount: count(indexText),
        });
      });
    }
  }
  return { parents, children };
}
