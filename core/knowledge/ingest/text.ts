/**
 * Text clean-up shared by every parser, so documents from any format reach the chunker in one shape:
 * paragraphs separated by one blank line, lines trimmed, runs of spaces collapsed, no control characters.
 */

// Control characters other than tab and newline carry no meaning in text and confuse tokenizers.
// eslint-disable-next-line no-control-regex
const controlChars = /[\u0000-\u0008\u000b\u000e-\u001f\u007f-\u009f\u200b\ufeff]/g;
const horizontalSpace = /[ \t\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+/g;

/** Normalises line endings, Unicode form (NFC) and whitespace; keeps paragraph breaks as "\n\n". */
export function normalizeText(text: string): string {
  return text
    .replace(/\r\n?|\u2028|\u2029/g, '\n')
    .replace(controlChars, '')
    .normalize('NFC')
    .replace(horizontalSpace, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Splits normalised text into paragraphs (blank-line separated). */
export function splitParagraphs(text: string): string[] {
  return text
    .split(/\n[ \t]*\n/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

/** Collapses all whitespace, including line breaks, to single spaces: for headings, titles and hashing. */
export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

const namedEntities: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  ndash: '–',
  mdash: '—',
  hellip: '…',
  copy: '©',
  reg: '®',
  trade: '™',
  rsquo: '’',
  lsquo: '‘',
  rdquo: '”',
  ldquo: '“',
};

/**
 * Decodes the HTML entities Markdown text keeps verbatim (marked's lexer does not decode them). Only the common
 * named ones and numeric references: full HTML documents go through parse5, which decodes everything.
 */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, body: string) => {
    if (body.startsWith('#')) {
      const code =
        body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return namedEntities[body.toLowerCase()] ?? whole;
  });
}

/** A file's name without folder or extension: the fallback title. */
export function titleFromFileName(path: string): string {
  const base = path.split(/[\\/]/).pop() ?? path;
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}
