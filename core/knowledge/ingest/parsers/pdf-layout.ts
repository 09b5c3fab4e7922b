import { normalizeText } from '../text.js';

/** The parts of a pdf.js text item the layout needs (its `TextItem`, minus fonts). */
export interface PlacedText {
  str: string;
  /** pdf.js's transform matrix: [scaleX, skewY, skewX, scaleY, x, y]; y grows upwards. */
  transform: number[];
  height: number;
  hasEOL: boolean;
}

interface Line {
  text: string;
  y: number;
  size: number;
}

function toLines(items: readonly PlacedText[]): Line[] {
  const lines: Line[] = [];
  let current: Line | null = null;
  for (const item of items) {
    const y = item.transform[5] ?? 0;
    const size = Math.abs(item.transform[3] ?? 0) || item.height || 1;
    // A baseline moving by more than half a glyph is a new line even when pdf.js did not mark the end of one.
    if (current && Math.abs(y - current.y) > Math.max(size, current.size) * 0.5) {
      lines.push(current);
      current = null;
    }
    if (item.str) {
      current ??= { text: '', y, size };
      current.text += item.str;
      current.size = Math.max(current.size, size);
    }
    if (item.hasEOL && current) {
      lines.push(current);
      current = null;
    }
  }
  if (current) lines.push(current);
  return lines.map((line) => ({ ...line, text: line.text.trim() })).filter((line) => line.text.length > 0);
}

/**
 * Turns one page's text items (in pdf.js's content order, which is reading order for most generated PDFs)
 * into paragraphs: lines wrap into one paragraph; a gap wider than a line and a half, or a jump back up the page
 * (a new column), starts the next. Words hyphenated across a line break are joined again.
 */
export function pageText(items: readonly PlacedText[]): string {
  const paragraphs: string[] = [];
  let paragraph = '';
  let previous: Line | null = null;
  for (const line of toLines(items)) {
    const gap = previous ? previous.y - line.y : 0;
    if (previous && (gap > previous.size * 1.7 || gap < -previous.size * 0.5)) {
      paragraphs.push(paragraph);
      paragraph = '';
    }
    if (!paragraph) paragraph = line.text;
    else if (/\p{L}-$/u.test(paragraph) && /^\p{Ll}/u.test(line.text))
      paragraph = paragraph.slice(0, -1) + line.text;
    else paragraph += ' ' + line.text;
    previous = line;
  }
  if (paragraph) paragraphs.push(paragraph);
  return normalizeText(paragraphs.join('\n\n'));
}
